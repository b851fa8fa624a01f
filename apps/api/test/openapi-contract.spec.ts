import { OpenApiContract, type ObservedResponse } from './openapi-contract';

/** The contract checker the e2e harness runs on every response must object to what breaks the contract. */
describe('OpenApiContract (the committed openapi.json as a checker of answers)', () => {
  const contract = OpenApiContract.load();
  const company = {
    id: 'cmp_01JD4Q0X8R4Y3N2V6M5K7T9W1Z',
    name: 'Acme',
    createdAt: '2026-11-25T10:31:00.000Z',
  };
  const answer = (overrides: Partial<ObservedResponse>): ObservedResponse => ({
    method: 'GET',
    url: '/companies/me',
    status: 200,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-request-id': '01JD4Q0X8R4Y3N2V6M5K7T9W1Z',
    },
    body: company,
    ...overrides,
  });

  it('accepts a documented answer', () => {
    expect(contract.violations(answer({}))).toEqual([]);
  });

  it('objects to an undocumented status, naming the documented ones', () => {
    expect(contract.violations(answer({ status: 409 }))).toEqual([
      expect.stringMatching(/^GET \/companies\/me → 409: status not documented \(documented: 200, .*401/),
    ]);
  });

  it('objects to a body that breaks its schema, naming the place', () => {
    const problems = contract.violations(answer({ body: { ...company, id: 42 } }));
    expect(problems).toEqual([expect.stringContaining('body/id must be string')]);
    expect(contract.violations(answer({ body: { name: 'Acme' } }))).toEqual(
      expect.arrayContaining([expect.stringContaining("must have required property 'id'")]),
    );
  });

  it('objects to another media type and to a missing or undocumented header that matters', () => {
    expect(
      contract.violations(answer({ headers: { 'content-type': 'text/html', 'x-request-id': 'x' } })),
    ).toEqual([expect.stringContaining('answered text/html, documented: application/json')]);
    expect(contract.violations(answer({ headers: { 'content-type': 'application/json' } }))).toEqual([
      expect.stringContaining('required header X-Request-Id missing'),
    ]);
    expect(
      contract.violations(answer({ headers: { ...answer({}).headers, 'idempotent-replayed': 'true' } })),
    ).toEqual([
      expect.stringContaining('answered header idempotent-replayed, which the response does not document'),
    ]);
  });

  it('matches a literal path before a templated one, and checks path parameters by position', () => {
    const notFound = {
      statusCode: 404,
      error: 'Not Found',
      code: 'EXPORT_NOT_FOUND',
      message: 'Export exp_x not found.',
      requestId: '01JD4Q0X8R4Y3N2V6M5K7T9W1Z',
    };
    expect(contract.violations(answer({ url: '/exports/exp_x?x=1', status: 404, body: notFound }))).toEqual(
      [],
    );
  });

  it('wants the error shape from a path or a method that is not an operation', () => {
    const routeNotFound = {
      statusCode: 404,
      error: 'Not Found',
      code: 'ROUTE_NOT_FOUND',
      message: 'No route GET /nowhere.',
      requestId: '01JD4Q0X8R4Y3N2V6M5K7T9W1Z',
    };
    expect(contract.violations(answer({ url: '/nowhere', status: 404, body: routeNotFound }))).toEqual([]);
    expect(contract.violations(answer({ url: '/nowhere', status: 200, body: {} }))).toEqual([
      'GET /nowhere is not an operation of the contract, yet answered 200',
    ]);
    expect(contract.violations(answer({ method: 'PUT', status: 405, body: { nope: true } }))).toEqual(
      expect.arrayContaining([expect.stringContaining("must have required property 'code'")]),
    );
    const methodNotAllowed = {
      ...routeNotFound,
      statusCode: 405,
      error: 'Method Not Allowed',
      code: 'METHOD_NOT_ALLOWED',
      message: 'PUT is not allowed on /exports/exp_x; it answers GET, HEAD.',
    };
    const put = { method: 'PUT', url: '/exports/exp_x', status: 405, body: methodNotAllowed };
    expect(contract.violations(answer({ ...put, headers: { allow: 'GET, HEAD' } }))).toEqual([]);
    expect(contract.violations(answer(put))).toEqual(['PUT /exports/exp_x → 405: no Allow header']);
    expect(contract.violations(answer({ ...put, headers: { allow: 'HEAD' } }))).toEqual([
      'PUT /exports/exp_x → 405: Allow (HEAD) misses GET',
    ]);
    expect(contract.violations(answer({ ...put, status: 404, headers: { allow: 'GET, HEAD' } }))).toEqual([
      'PUT /exports/exp_x is not an operation of the contract, yet answered 404',
    ]);
  });

  it('routes a path as Express does: raw dot segments are a parameter, a trailing slash is the same path', () => {
    const notFound = {
      statusCode: 404,
      error: 'Not Found',
      code: 'EXPORT_NOT_FOUND',
      message: 'Export .. not found.',
      requestId: '01JD4Q0X8R4Y3N2V6M5K7T9W1Z',
    };
    for (const url of ['/exports/%2e%2e', '/exports/..', '/exports/exp_x/?limit=1']) {
      expect(contract.violations(answer({ url, status: 404, body: notFound }))).toEqual([]);
    }
  });

  it('accepts the refusals answered before routing on a path that is no operation, in the error shape', () => {
    const refused = {
      statusCode: 415,
      error: 'Unsupported Media Type',
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'Content-Encoding compress is not supported.',
      requestId: '01JD4Q0X8R4Y3N2V6M5K7T9W1Z',
    };
    expect(contract.violations(answer({ url: '/nowhere', status: 415, body: refused }))).toEqual([]);
    expect(contract.violations(answer({ url: '/nowhere', status: 415, body: {} }))).toEqual(
      expect.arrayContaining([expect.stringContaining("must have required property 'code'")]),
    );
    // Node's own 431: no body, no X-Request-Id, on an operation or not.
    for (const url of ['/nowhere', '/companies/me']) {
      expect(contract.violations(answer({ url, status: 431, headers: {}, body: undefined }))).toEqual([]);
    }
  });

  it('accepts null where the contract says a value may be null (OpenAPI 3.1, not 3.0 `nullable`)', () => {
    const url = '/authorizations/aut_01JD4Q0X8R4Y3N2V6M5K7T9W1Z';
    const authorization = {
      id: 'aut_01JD4Q0X8R4Y3N2V6M5K7T9W1Z',
      name: 'Acme TikTok',
      provider: 'tiktok',
      status: 'PENDING',
      accounts: [],
      createdBy: null,
      createdAt: '2026-11-25T10:31:00.000Z',
      authenticatedAt: null,
      lastCheckedAt: null,
      lastError: null,
    };
    expect(contract.violations(answer({ url, body: authorization }))).toEqual([]);
    expect(contract.violations(answer({ url, body: { ...authorization, lastError: 'boom' } }))).toEqual(
      expect.arrayContaining([expect.stringContaining('body/lastError')]),
    );
  });
});
