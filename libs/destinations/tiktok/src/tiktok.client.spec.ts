import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  InvalidCredentialsError,
  PayloadValidationError,
  ProviderApiError,
  RateLimitedError,
  RetryableError,
  type DestinationError,
  type RequestRateLimiter,
} from '@conduit/destinations-core';
import {
  API_PREFIX,
  FakeTikTok,
  jsonBody,
  ok,
  parseMultipart,
  tiktokError,
} from './__fixtures__/fake-tiktok-server';
import { TikTokClient } from './tiktok.client';

const TOKEN = 'tok-5f0c1e9a7b3d4c2e8f6a';
const SECRET = 'app-secret-9d8c7b6a';
const AUTH_CODE = 'auth-code-1a2b3c4d';
const APP_ID = '7100000000000000001';
const ADVERTISER = '7200000000000000001';
const AUDIENCE = '7300000000001000042';
/** Beyond 2^53: as a JS number it would round to 7300000000001000000. */
const BIG_ID = '7300000000001000003';

const fake = new FakeTikTok();
let client: TikTokClient;
let directory: string;

beforeAll(async () => {
  await fake.start();
  directory = mkdtempSync(join(tmpdir(), 'tiktok-client-spec-'));
});

afterAll(async () => {
  await fake.close();
  rmSync(directory, { recursive: true, force: true });
});

beforeEach(() => {
  fake.reset();
  client = new TikTokClient({ baseUrl: fake.baseUrl, timeoutMs: 2000 });
});

/** Resolves with the error a call rejects with (fails the spec if it resolves). */
async function failure(call: Promise<unknown>): Promise<DestinationError> {
  try {
    await call;
  } catch (error) {
    return error as DestinationError;
  }
  throw new Error('expected the call to fail');
}

function expectTokenHeader(headers: Record<string, unknown>, token = TOKEN): void {
  expect(headers['access-token']).toBe(token);
  expect(headers['authorization']).toBeUndefined();
}

describe('TikTokClient: the wire contract of each method', () => {
  it('exchangeAuthCode POSTs app_id, secret and auth_code, and keeps 19-digit ids exact', async () => {
    // Unquoted ids on purpose: JSON.parse would round the second one.
    fake.reply({
      raw: `{"code":0,"message":"OK","request_id":"R1","data":{"access_token":"${TOKEN}","advertiser_ids":["${ADVERTISER}",${BIG_ID}],"scope":[4,5,6]}}`,
    });

    const issued = await client.exchangeAuthCode({ appId: APP_ID, secret: SECRET, authCode: AUTH_CODE });

    expect(issued).toEqual({ accessToken: TOKEN, advertiserIds: [ADVERTISER, BIG_ID], scope: [4, 5, 6] });
    const request = fake.last;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`${API_PREFIX}/oauth2/access_token/`);
    expect(request.search).toBe('');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['access-token']).toBeUndefined();
    expect(jsonBody(request)).toEqual({ app_id: APP_ID, secret: SECRET, auth_code: AUTH_CODE });
  });

  it('getAuthorizedAdvertisers GETs with app_id and secret in the query and the token in Access-Token', async () => {
    fake.reply({
      raw: `{"code":0,"message":"OK","request_id":"R2","data":{"list":[{"advertiser_id":${BIG_ID},"advertiser_name":"Big"},{"advertiser_id":"${ADVERTISER}","advertiser_name":"One"}]}}`,
    });

    const advertisers = await client.getAuthorizedAdvertisers({
      appId: APP_ID,
      secret: SECRET,
      accessToken: TOKEN,
    });

    expect(advertisers).toEqual([
      { advertiserId: BIG_ID, advertiserName: 'Big' },
      { advertiserId: ADVERTISER, advertiserName: 'One' },
    ]);
    const request = fake.last;
    expect(request.method).toBe('GET');
    expect(request.path).toBe(`${API_PREFIX}/oauth2/advertiser/get/`);
    expect(Object.fromEntries(request.query)).toEqual({ app_id: APP_ID, secret: SECRET });
    expectTokenHeader(request.headers);
    expect(request.body.length).toBe(0);
  });

  it('revokeToken POSTs app_id, secret and access_token', async () => {
    fake.reply(ok({}));

    await expect(
      client.revokeToken({ appId: APP_ID, secret: SECRET, accessToken: TOKEN }),
    ).resolves.toBeUndefined();

    const request = fake.last;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`${API_PREFIX}/oauth2/revoke_token/`);
    expectTokenHeader(request.headers);
    expect(jsonBody(request)).toEqual({ app_id: APP_ID, secret: SECRET, access_token: TOKEN });
  });

  it('getUserInfo GETs user/info/ with the token, and returns the user id as an exact string', async () => {
    fake.reply({
      raw: `{"code":0,"message":"OK","request_id":"R3","data":{"core_user_id":${BIG_ID},"display_name":"Ads operator","email":"ops@example.com","create_time":1700000000}}`,
    });

    await expect(client.getUserInfo(TOKEN)).resolves.toEqual({
      coreUserId: BIG_ID,
      displayName: 'Ads operator',
      email: 'ops@example.com',
    });
    const request = fake.last;
    expect(request.method).toBe('GET');
    expect(request.path).toBe(`${API_PREFIX}/user/info/`);
    expect(request.search).toBe('');
    expectTokenHeader(request.headers);
  });

  it('getUserInfo leaves email out when TikTok has none', async () => {
    fake.reply(ok({ core_user_id: '123', display_name: 'No mail' }));
    const user = await client.getUserInfo(TOKEN);
    expect(user).toEqual({ coreUserId: '123', displayName: 'No mail' });
    expect(user).not.toHaveProperty('email');
  });

  it('getAdvertiserInfo sends advertiser_ids as a JSON-encoded list', async () => {
    fake.reply(
      ok({
        list: [
          { advertiser_id: ADVERTISER, name: 'One', status: 'STATUS_ENABLE', currency: 'USD' },
          { advertiser_id: 42, name: 'Small id', status: 'STATUS_DISABLE' },
        ],
      }),
    );

    const info = await client.getAdvertiserInfo(TOKEN, [ADVERTISER, '42']);

    expect(info).toEqual([
      { advertiserId: ADVERTISER, name: 'One', status: 'STATUS_ENABLE' },
      { advertiserId: '42', name: 'Small id', status: 'STATUS_DISABLE' },
    ]);
    const request = fake.last;
    expect(request.method).toBe('GET');
    expect(request.path).toBe(`${API_PREFIX}/advertiser/info/`);
    expect(request.query.get('advertiser_ids')).toBe(`["${ADVERTISER}","42"]`);
    expect(request.search).toBe(`?advertiser_ids=${encodeURIComponent(`["${ADVERTISER}","42"]`)}`);
    expectTokenHeader(request.headers);
  });

  it('uploadFile streams the file as multipart with advertiser_id, calculate_type and its MD5', async () => {
    const content = ['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)].join('\n') + '\n';
    const path = join(directory, 'upload-1.csv');
    writeFileSync(path, content);
    const md5 = createHash('md5').update(content).digest('hex');
    fake.reply(ok({ file_path: '0123456789abcdef' }));

    const result = await client.uploadFile(TOKEN, {
      advertiserId: ADVERTISER,
      calculateType: 'EMAIL_SHA256',
      path,
      fileName: 'audience-00001.csv',
      md5,
    });

    expect(result).toEqual({ filePath: '0123456789abcdef' });
    const request = fake.last;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`${API_PREFIX}/dmp/custom_audience/file/upload/`);
    expect(request.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expectTokenHeader(request.headers);
    const parts = await parseMultipart(request);
    expect(parts.map((part) => part.name)).toEqual([
      'advertiser_id',
      'calculate_type',
      'file_signature',
      'file',
    ]);
    expect(parts[0].value).toBe(ADVERTISER);
    expect(parts[1].value).toBe('EMAIL_SHA256');
    expect(parts[2].value).toBe(md5);
    const file = parts[3];
    expect(file.fileName).toBe('audience-00001.csv');
    expect(file.bytes?.toString('utf8')).toBe(content);
    expect(
      createHash('md5')
        .update(file.bytes as Buffer)
        .digest('hex'),
    ).toBe(md5);
  });

  it('uploadFile refuses a file name TikTok would refuse, and an unreadable file, before sending anything', async () => {
    const path = join(directory, 'upload-2.csv');
    writeFileSync(path, 'x\n');
    const input = { advertiserId: ADVERTISER, calculateType: 'EMAIL_SHA256', path, md5: 'x' };

    const badName = await failure(client.uploadFile(TOKEN, { ...input, fileName: 'audience.xlsx' }));
    expect(badName).toBeInstanceOf(PayloadValidationError);
    expect(badName.message).toContain('.csv or .txt');

    const missing = await failure(
      client.uploadFile(TOKEN, { ...input, path: join(directory, 'nope.csv'), fileName: 'nope.csv' }),
    );
    expect(missing).toBeInstanceOf(PayloadValidationError);
    expect(missing.message).toContain('ENOENT');

    const folder = await failure(
      client.uploadFile(TOKEN, { ...input, path: directory, fileName: 'folder.csv' }),
    );
    expect(folder).toBeInstanceOf(PayloadValidationError);
    expect(fake.requests).toHaveLength(0);
  });

  it('uploadFile has its own, longer timeout', async () => {
    const path = join(directory, 'upload-3.csv');
    writeFileSync(path, 'x\n');
    const slowClient = new TikTokClient({ baseUrl: fake.baseUrl, timeoutMs: 100, uploadTimeoutMs: 5000 });
    fake.reply({ ...ok({ file_path: 'abcdefabcdefabcd' }), delayMs: 300 });
    fake.reply({ ...ok({ core_user_id: '1' }), delayMs: 300 });

    await expect(
      slowClient.uploadFile(TOKEN, {
        advertiserId: ADVERTISER,
        calculateType: 'EMAIL_SHA256',
        path,
        fileName: 'a.txt',
        md5: 'x',
      }),
    ).resolves.toEqual({ filePath: 'abcdefabcdefabcd' });
    await expect(slowClient.getUserInfo(TOKEN)).rejects.toBeInstanceOf(RetryableError);
    // On a loaded machine the fake (in this process) may take the timed-out request only now: wait for
    // it here, or it would take the next test's first canned reply.
    for (let waited = 0; fake.requests.length < 2 && waited < 2_000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
  });

  it('createAudience POSTs a NORMAL audience, with retention_in_days only when given', async () => {
    fake.reply({
      raw: `{"code":0,"message":"OK","request_id":"R4","data":{"custom_audience_id":${BIG_ID}}}`,
    });
    fake.reply(ok({ custom_audience_id: AUDIENCE }));

    const created = await client.createAudience(TOKEN, {
      advertiserId: ADVERTISER,
      name: 'Spring buyers',
      calculateType: 'EMAIL_SHA256',
      filePaths: ['0123456789abcdef', 'fedcba9876543210'],
      retentionInDays: 30,
    });
    await client.createAudience(TOKEN, {
      advertiserId: ADVERTISER,
      name: 'No retention',
      calculateType: 'MULTIPLE_TYPES',
      filePaths: ['0123456789abcdef'],
    });

    expect(created).toEqual({ audienceId: BIG_ID });
    const [first, second] = fake.requests;
    expect(first.method).toBe('POST');
    expect(first.path).toBe(`${API_PREFIX}/dmp/custom_audience/create/`);
    expectTokenHeader(first.headers);
    expect(jsonBody(first)).toEqual({
      advertiser_id: ADVERTISER,
      custom_audience_name: 'Spring buyers',
      calculate_type: 'EMAIL_SHA256',
      file_paths: ['0123456789abcdef', 'fedcba9876543210'],
      audience_sub_type: 'NORMAL',
      retention_in_days: 30,
    });
    expect(jsonBody(second)).toEqual({
      advertiser_id: ADVERTISER,
      custom_audience_name: 'No retention',
      calculate_type: 'MULTIPLE_TYPES',
      file_paths: ['0123456789abcdef'],
      audience_sub_type: 'NORMAL',
    });
  });

  it('updateAudience POSTs the action and files, the new name only when given', async () => {
    fake.reply(ok({ custom_audience_id: AUDIENCE }));
    fake.reply(ok({}));

    await expect(
      client.updateAudience(TOKEN, {
        advertiserId: ADVERTISER,
        audienceId: AUDIENCE,
        action: 'APPEND',
        filePaths: ['0123456789abcdef'],
      }),
    ).resolves.toEqual({ audienceId: AUDIENCE });
    // An answer without the id still names the audience updated.
    await expect(
      client.updateAudience(TOKEN, {
        advertiserId: ADVERTISER,
        audienceId: BIG_ID,
        action: 'REPLACE',
        filePaths: ['fedcba9876543210'],
        name: 'Renamed',
      }),
    ).resolves.toEqual({ audienceId: BIG_ID });

    const [append, replace] = fake.requests;
    expect(append.method).toBe('POST');
    expect(append.path).toBe(`${API_PREFIX}/dmp/custom_audience/update/`);
    expectTokenHeader(append.headers);
    expect(jsonBody(append)).toEqual({
      advertiser_id: ADVERTISER,
      custom_audience_id: AUDIENCE,
      action: 'APPEND',
      file_paths: ['0123456789abcdef'],
    });
    expect(jsonBody(replace)).toEqual({
      advertiser_id: ADVERTISER,
      custom_audience_id: BIG_ID,
      action: 'REPLACE',
      file_paths: ['fedcba9876543210'],
      custom_audience_name: 'Renamed',
    });
  });

  it('listAudiences GETs a page, with custom_audience_ids JSON-encoded, and maps the summaries', async () => {
    fake.reply({
      raw:
        '{"code":0,"message":"OK","request_id":"R5","data":{"list":[{' +
        `"audience_id":${BIG_ID},"name":"Spring buyers","cover_num":1234,"is_valid":true,"is_expiring":false,` +
        '"calculate_type":"EMAIL_SHA256","create_time":"2026-11-25 09:30:05","expired_time":"2027-11-25 09:30:05",' +
        '"is_creator":true,"shared":false,"audience_type":"Customer File"}],' +
        '"page_info":{"page":2,"page_size":1,"total_number":3,"total_page":3}}}',
    });

    const result = await client.listAudiences(TOKEN, {
      advertiserId: ADVERTISER,
      page: 2,
      pageSize: 1,
      audienceIds: [BIG_ID, AUDIENCE],
    });

    expect(result).toEqual({
      audiences: [
        {
          audienceId: BIG_ID,
          name: 'Spring buyers',
          coverNum: 1234,
          isValid: true,
          isExpiring: false,
          calculateType: 'EMAIL_SHA256',
          createTime: '2026-11-25 09:30:05',
          expiredTime: '2027-11-25 09:30:05',
        },
      ],
      page: { page: 2, pageSize: 1, totalNumber: 3, totalPage: 3 },
    });
    const request = fake.last;
    expect(request.method).toBe('GET');
    expect(request.path).toBe(`${API_PREFIX}/dmp/custom_audience/list/`);
    expectTokenHeader(request.headers);
    expect(Object.fromEntries(request.query)).toEqual({
      advertiser_id: ADVERTISER,
      page: '2',
      page_size: '1',
      custom_audience_ids: `["${BIG_ID}","${AUDIENCE}"]`,
    });
  });

  it('listAudiences sends only what it is given, and refuses a page size TikTok would refuse', async () => {
    fake.reply(ok({ list: [], page_info: { page: 1, page_size: 10, total_number: 0, total_page: 0 } }));

    await expect(client.listAudiences(TOKEN, { advertiserId: ADVERTISER, audienceIds: [] })).resolves.toEqual(
      {
        audiences: [],
        page: { page: 1, pageSize: 10, totalNumber: 0, totalPage: 0 },
      },
    );
    expect(Object.fromEntries(fake.last.query)).toEqual({ advertiser_id: ADVERTISER });

    for (const pageSize of [0, 101, 2.5]) {
      const error = await failure(client.listAudiences(TOKEN, { advertiserId: ADVERTISER, pageSize }));
      expect(error).toBeInstanceOf(PayloadValidationError);
      expect((error as PayloadValidationError).field).toBe('pageSize');
    }
    expect(fake.requests).toHaveLength(1);
  });

  it('getAudiences GETs details and history for JSON-encoded ids', async () => {
    fake.reply(
      ok({
        list: [
          {
            audience_details: {
              audience_id: AUDIENCE,
              name: 'Spring buyers',
              cover_num: '0',
              is_valid: false,
              is_expiring: false,
              calculate_type: 'EMAIL_SHA256',
              msg: 'Processing',
              error_msg: '',
            },
            audience_history: [
              { action: 'APPEND', opt_time: '2026-11-25 10:00:00', editor: 'Marketing API' },
              { action: 'CREATE', opt_time: '2026-11-25 09:30:05' },
            ],
          },
          {
            audience_details: {
              audience_id: BIG_ID,
              name: 'Other',
              cover_num: 2000,
              is_valid: true,
              calculate_type: 'PHONE_SHA256',
            },
          },
        ],
      }),
    );

    const details = await client.getAudiences(TOKEN, {
      advertiserId: ADVERTISER,
      audienceIds: [AUDIENCE, BIG_ID],
      historySize: 2,
    });

    expect(details).toEqual([
      {
        audienceId: AUDIENCE,
        name: 'Spring buyers',
        coverNum: 0,
        isValid: false,
        calculateType: 'EMAIL_SHA256',
        message: 'Processing',
        errorMessage: '',
        history: [
          { action: 'APPEND', optTime: '2026-11-25 10:00:00' },
          { action: 'CREATE', optTime: '2026-11-25 09:30:05' },
        ],
      },
      {
        audienceId: BIG_ID,
        name: 'Other',
        coverNum: 2000,
        isValid: true,
        calculateType: 'PHONE_SHA256',
        message: '',
        errorMessage: '',
        history: [],
      },
    ]);
    const request = fake.last;
    expect(request.method).toBe('GET');
    expect(request.path).toBe(`${API_PREFIX}/dmp/custom_audience/get/`);
    expectTokenHeader(request.headers);
    expect(Object.fromEntries(request.query)).toEqual({
      advertiser_id: ADVERTISER,
      custom_audience_ids: `["${AUDIENCE}","${BIG_ID}"]`,
      history_size: '2',
    });
  });

  it('deleteAudiences POSTs the ids', async () => {
    fake.reply(ok({}));

    await expect(
      client.deleteAudiences(TOKEN, { advertiserId: ADVERTISER, audienceIds: [AUDIENCE, BIG_ID] }),
    ).resolves.toBeUndefined();

    const request = fake.last;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`${API_PREFIX}/dmp/custom_audience/delete/`);
    expectTokenHeader(request.headers);
    expect(jsonBody(request)).toEqual({ advertiser_id: ADVERTISER, custom_audience_ids: [AUDIENCE, BIG_ID] });
  });

  it('joins paths to a base URL given with a trailing slash without doubling it', async () => {
    const slashed = new TikTokClient({ baseUrl: `${fake.baseUrl}//` });
    fake.reply(ok({ core_user_id: '1', display_name: 'x' }));
    await slashed.getUserInfo(TOKEN);
    expect(fake.last.path).toBe(`${API_PREFIX}/user/info/`);
  });
});

describe('TikTokClient: failures', () => {
  it('maps a non-zero code answered with HTTP 200, keeping the request id', async () => {
    fake.reply(tiktokError(40105, 'Access token is incorrect or has been revoked.', '2026112509300501ABC'));

    const error = await failure(client.getUserInfo(TOKEN));

    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect(error.providerCode).toBe(40105);
    expect(error.requestId).toBe('2026112509300501ABC');
    expect(error.message).toBe(
      'TikTok refused the access token (40105: Access token is incorrect or has been revoked.); re-authorize the TikTok account.',
    );
  });

  it.each([
    [40100, RateLimitedError, true],
    [40002, PayloadValidationError, false],
    [40900, RetryableError, true],
    [50000, RetryableError, true],
    [40101, ProviderApiError, false],
  ])('maps code %i from any method', async (code, type, retryable) => {
    fake.reply(tiktokError(code, `problem ${code}`, `REQ-${code}`));
    const error = await failure(
      client.deleteAudiences(TOKEN, { advertiserId: ADVERTISER, audienceIds: [AUDIENCE] }),
    );
    expect(error).toBeInstanceOf(type);
    expect(error.retryable).toBe(retryable);
    expect(error.providerCode).toBe(code);
    expect(error.requestId).toBe(`REQ-${code}`);
  });

  it('treats HTTP 5xx as retryable, with the request id of the body or of x-tt-logid', async () => {
    fake.reply({ status: 503, raw: 'Service Unavailable', headers: { 'x-tt-logid': 'LOG-503' } });
    fake.reply({
      status: 500,
      json: { code: 50000, message: 'System error', request_id: 'REQ-500', data: {} },
    });

    const unavailable = await failure(client.getUserInfo(TOKEN));
    expect(unavailable.constructor).toBe(RetryableError);
    expect(unavailable.message).toContain('HTTP 503');
    expect(unavailable.requestId).toBe('LOG-503');
    expect((unavailable as RetryableError).retryAfterMs).toBeGreaterThan(0);

    const failed = await failure(client.getUserInfo(TOKEN));
    expect(failed.constructor).toBe(RetryableError);
    expect(failed.requestId).toBe('REQ-500');
    expect(failed.providerCode).toBe(50000);
  });

  it('treats HTTP 429 as rate limited', async () => {
    fake.reply({ status: 429, raw: 'Too Many Requests' });
    const error = await failure(client.listAudiences(TOKEN, { advertiserId: ADVERTISER }));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('HTTP 429');
  });

  it('treats HTTP 404 as a wrong base URL, not retried', async () => {
    fake.reply({ status: 404, raw: 'Not Found' });
    const error = await failure(client.getUserInfo(TOKEN));
    expect(error.constructor).toBe(ProviderApiError);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('endpoint not found: check the TikTok base URL');
    expect(error.message).toContain('GET user/info/');
  });

  it('treats another HTTP 4xx without an envelope as a non-retryable API error', async () => {
    fake.reply({ status: 403, raw: '<html>Forbidden</html>' });
    const error = await failure(client.getUserInfo(TOKEN));
    expect(error.constructor).toBe(ProviderApiError);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('HTTP 403');
  });

  it('prefers the envelope when an HTTP 4xx carries one', async () => {
    fake.reply({
      status: 400,
      json: { code: 40002, message: 'advertiser_id: is required', request_id: 'REQ-400', data: {} },
    });
    const error = await failure(client.getUserInfo(TOKEN));
    expect(error).toBeInstanceOf(PayloadValidationError);
    expect(error.requestId).toBe('REQ-400');
  });

  it.each([
    ['an HTML page', '<html><body>Bad gateway</body></html>'],
    ['truncated JSON', '{"code":0,"message":"OK","data":{"acc'],
    ['JSON that is not an envelope', '{"status":"ok"}'],
    ['a JSON list', '[1,2,3]'],
    ['an empty body', ''],
  ])('treats a 200 carrying %s as a retryable API error', async (_label, raw) => {
    fake.reply({ raw });
    const error = await failure(client.getUserInfo(TOKEN));
    expect(error.constructor).toBe(ProviderApiError);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('not a TikTok response');
  });

  it('reports an answer missing what the method needs as a non-retryable API error with the request id', async () => {
    fake.reply(ok({ advertiser_ids: [ADVERTISER] }, 'REQ-SHAPE'));
    fake.reply(ok({ list: [{ advertiser_name: 'No id' }] }, 'REQ-SHAPE-2'));
    fake.reply(ok({ list: [{ name: 'No id', cover_num: 12 }], page_info: {} }));
    fake.reply(ok({ list: [], page_info: 'none' }));
    fake.reply(ok({ list: 'none' }));
    fake.reply(ok([]));

    const noToken = await failure(
      client.exchangeAuthCode({ appId: APP_ID, secret: SECRET, authCode: AUTH_CODE }),
    );
    expect(noToken.constructor).toBe(ProviderApiError);
    expect(noToken.retryable).toBe(false);
    expect(noToken.requestId).toBe('REQ-SHAPE');
    expect(noToken.message).toContain('access_token');

    const noId = await failure(client.getAdvertiserInfo(TOKEN, [ADVERTISER]));
    expect(noId.message).toContain('advertiser_id');
    expect(noId.requestId).toBe('REQ-SHAPE-2');

    expect((await failure(client.listAudiences(TOKEN, { advertiserId: ADVERTISER }))).message).toContain(
      'audience_id',
    );
    expect((await failure(client.listAudiences(TOKEN, { advertiserId: ADVERTISER }))).message).toContain(
      'page_info',
    );
    expect(
      (await failure(client.getAudiences(TOKEN, { advertiserId: ADVERTISER, audienceIds: [AUDIENCE] })))
        .message,
    ).toContain('list');
    expect((await failure(client.getUserInfo(TOKEN))).message).toContain('data');
  });

  it('does not follow redirects (they would replay the Access-Token header elsewhere)', async () => {
    fake.reply({ status: 302, headers: { Location: `${fake.url}/elsewhere/` }, raw: '' });
    const error = await failure(client.getUserInfo(TOKEN));
    expect(error.constructor).toBe(ProviderApiError);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('redirect');
    expect(fake.requests.map((request) => request.path)).toEqual([`${API_PREFIX}/user/info/`]);
  });

  it('times out a server that never answers, as a retryable error', async () => {
    const impatient = new TikTokClient({ baseUrl: fake.baseUrl, timeoutMs: 150 });
    fake.reply({ hang: true });
    const started = Date.now();

    const error = await failure(impatient.getUserInfo(TOKEN));

    expect(error.constructor).toBe(RetryableError);
    expect(error.message).toContain('did not answer GET user/info/ within 150 ms');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports an unreachable TikTok as retryable', async () => {
    const port = await closedPort();
    const offline = new TikTokClient({ baseUrl: `http://127.0.0.1:${port}/open_api/v1.3` });
    const error = await failure(offline.getUserInfo(TOKEN));
    expect(error.constructor).toBe(RetryableError);
    expect(error.message).toContain('ECONNREFUSED');
  });
});

describe('TikTokClient: secrets never leak into errors', () => {
  const secrets = [TOKEN, SECRET, AUTH_CODE];
  const echo = (sent: readonly string[]) =>
    `Echo: ${sent.map((value) => `value=${value} url=/x/?secret=${value}`).join(' ')}`;

  function expectClean(error: DestinationError): void {
    const surfaces = [
      error.message,
      JSON.stringify(error),
      JSON.stringify(error.toJSON()),
      inspect(error, { depth: 5 }),
      String(error.stack),
    ];
    for (const surface of surfaces) for (const secret of secrets) expect(surface).not.toContain(secret);
  }

  // Each call with the credentials it sends (all TikTok could echo back).
  const calls: [string, readonly string[], (target: TikTokClient) => Promise<unknown>][] = [
    [
      'exchangeAuthCode',
      [SECRET, AUTH_CODE],
      (target) => target.exchangeAuthCode({ appId: APP_ID, secret: SECRET, authCode: AUTH_CODE }),
    ],
    [
      'getAuthorizedAdvertisers',
      [SECRET, TOKEN],
      (target) => target.getAuthorizedAdvertisers({ appId: APP_ID, secret: SECRET, accessToken: TOKEN }),
    ],
    [
      'revokeToken',
      [SECRET, TOKEN],
      (target) => target.revokeToken({ appId: APP_ID, secret: SECRET, accessToken: TOKEN }),
    ],
    ['getUserInfo', [TOKEN], (target) => target.getUserInfo(TOKEN)],
    ['listAudiences', [TOKEN], (target) => target.listAudiences(TOKEN, { advertiserId: ADVERTISER })],
  ];

  it.each(calls)(
    '%s: a TikTok error echoing the credentials it was sent is scrubbed',
    async (_name, sent, call) => {
      fake.reply(tiktokError(40105, echo(sent)));
      const error = await failure(call(client));
      expect(error).toBeInstanceOf(InvalidCredentialsError);
      expect(error.message).toContain('[redacted]');
      expectClean(error);
    },
  );

  it.each(calls)(
    '%s: HTTP errors, garbage, timeouts and refused connections quote no credential',
    async (_name, _sent, call) => {
      const everything = echo(secrets);
      const scenarios = [
        { status: 500, raw: everything },
        { status: 429, raw: everything },
        { status: 404, raw: everything },
        { status: 401, raw: everything },
        { status: 200, raw: `<html>${everything}</html>` },
        { status: 302, headers: { Location: `${fake.url}/?secret=${SECRET}` }, raw: '' },
      ];
      for (const scenario of scenarios) {
        fake.reply(scenario);
        expectClean(await failure(call(client)));
      }
      fake.reply({ hang: true });
      expectClean(await failure(call(new TikTokClient({ baseUrl: fake.baseUrl, timeoutMs: 100 }))));
      const port = await closedPort();
      expectClean(
        await failure(call(new TikTokClient({ baseUrl: `http://127.0.0.1:${port}/open_api/v1.3` }))),
      );
    },
  );

  it('an answer of the wrong shape quotes no credential either', async () => {
    fake.reply(ok({ access_token: '', echo: echo(secrets) }));
    expectClean(
      await failure(client.exchangeAuthCode({ appId: APP_ID, secret: SECRET, authCode: AUTH_CODE })),
    );
  });
});

describe('TikTokClient: rate limiting', () => {
  it('awaits the limiter once per request, with the app id, before sending', async () => {
    const keys: string[] = [];
    let release: () => void = () => undefined;
    const limiter: RequestRateLimiter = {
      pause: async () => undefined,
      acquire: jest.fn((key: string) => {
        keys.push(key);
        return new Promise<void>((resolve) => (release = resolve));
      }),
    };
    const limited = new TikTokClient({ baseUrl: fake.baseUrl, rateLimiter: limiter, rateLimitKey: APP_ID });
    fake.otherwise(
      ok({
        core_user_id: '1',
        display_name: 'x',
        list: [],
        page_info: { page: 1, page_size: 10, total_number: 0, total_page: 0 },
      }),
    );

    const first = limited.getUserInfo(TOKEN);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Held by the limiter: nothing reached TikTok yet.
    expect(fake.requests).toHaveLength(0);
    expect(limiter.acquire).toHaveBeenCalledTimes(1);
    release();
    await first;
    expect(fake.requests).toHaveLength(1);

    const second = limited.listAudiences(TOKEN, { advertiserId: ADVERTISER });
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await second;
    const third = limited.deleteAudiences(TOKEN, { advertiserId: ADVERTISER, audienceIds: [AUDIENCE] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await third;

    expect(limiter.acquire).toHaveBeenCalledTimes(3);
    expect(fake.requests).toHaveLength(3);
    expect(keys).toEqual([APP_ID, APP_ID, APP_ID]);
  });

  it('counts a failed request too: one slot per request sent', async () => {
    const limiter = { acquire: jest.fn(() => Promise.resolve()), pause: jest.fn(() => Promise.resolve()) };
    const limited = new TikTokClient({ baseUrl: fake.baseUrl, rateLimiter: limiter, rateLimitKey: APP_ID });
    fake.reply(tiktokError(40100, 'Too many requests.'));
    fake.reply({ status: 503, raw: '' });

    await expect(limited.getUserInfo(TOKEN)).rejects.toBeInstanceOf(RateLimitedError);
    await expect(limited.getUserInfo(TOKEN)).rejects.toBeInstanceOf(RetryableError);
    expect(limiter.acquire).toHaveBeenCalledTimes(2);
  });

  it('pauses the shared budget when TikTok throttles (40100, HTTP 429), for as long as the retry waits; not for other failures', async () => {
    const paused: [string, number][] = [];
    const limiter: RequestRateLimiter = {
      acquire: () => Promise.resolve(),
      pause: async (key, ms) => void paused.push([key, ms]),
    };
    const limited = new TikTokClient({ baseUrl: fake.baseUrl, rateLimiter: limiter, rateLimitKey: APP_ID });
    fake.reply(tiktokError(40100, 'Too many requests.'));
    fake.reply({ status: 429, raw: '' });
    fake.reply({ status: 503, raw: '' });

    const throttled = (await failure(limited.getUserInfo(TOKEN))) as RateLimitedError;
    const tooMany = (await failure(limited.getUserInfo(TOKEN))) as RateLimitedError;
    await expect(limited.getUserInfo(TOKEN)).rejects.toBeInstanceOf(RetryableError);
    expect(paused).toEqual([
      [APP_ID, throttled.retryAfterMs],
      [APP_ID, tooMany.retryAfterMs],
    ]);
  });

  it('still reports the throttling when the shared limiter cannot be paused', async () => {
    const limiter: RequestRateLimiter = {
      acquire: () => Promise.resolve(),
      pause: () => Promise.reject(new Error('redis is down')),
    };
    const limited = new TikTokClient({ baseUrl: fake.baseUrl, rateLimiter: limiter, rateLimitKey: APP_ID });
    fake.reply(tiktokError(40100, 'Too many requests.'));
    await expect(limited.getUserInfo(TOKEN)).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('turns a limiter failure into a retryable error and sends nothing', async () => {
    const broken: RequestRateLimiter = {
      acquire: () => Promise.reject(new Error('redis is down')),
      pause: async () => undefined,
    };
    const passing: RequestRateLimiter = {
      pause: async () => undefined,
      acquire: () => Promise.reject(new RateLimitedError('budget exhausted', 60_000)),
    };

    const error = await failure(
      new TikTokClient({ baseUrl: fake.baseUrl, rateLimiter: broken, rateLimitKey: APP_ID }).getUserInfo(
        TOKEN,
      ),
    );
    expect(error.constructor).toBe(RetryableError);
    expect(error.message).toContain('rate limiter');

    const throttled = await failure(
      new TikTokClient({ baseUrl: fake.baseUrl, rateLimiter: passing }).getUserInfo(TOKEN),
    );
    expect(throttled).toBeInstanceOf(RateLimitedError);
    expect((throttled as RateLimitedError).retryAfterMs).toBe(60_000);
    expect(fake.requests).toHaveLength(0);
  });
});

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
