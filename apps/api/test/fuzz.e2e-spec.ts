import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { buildFuzzWorld, type FuzzWorld } from './fuzz/fuzz-world';
import { runFuzz, summarize } from './fuzz/fuzz-run';
import { fuzzOperations, type FuzzOperation } from './fuzz/operations';
import { HealthProbe, listenOnLoopback, RawHttpClient, type RawRequest } from './fuzz/raw-http';
import { runHostileUploads } from './fuzz/upload-run';
import { fuzzRequest } from './fuzz/requests';

/** Fixed unless FUZZ_SEED says otherwise: a failure seen in CI replays on any machine. */
const SEED = Number(process.env['FUZZ_SEED'] ?? 20_251_124);
const REQUESTS = 10_000;
const UPLOADS = 1_000;
const UPLOAD_SEGMENTS = 50;
const HEALTH_BUDGET_MS = 1_000;
const database = process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite';

jest.setTimeout(240_000);

/** The figure lines, written straight out (Jest would bury a console.log under its stack trace). */
function report(line: string): void {
  process.stdout.write(`${line}\n`);
}

describe(`fuzz (${database}, seed ${SEED})`, () => {
  let world: FuzzWorld;
  let client: RawHttpClient;
  let probeClient: RawHttpClient;
  let operations: FuzzOperation[];

  beforeAll(async () => {
    report(`fuzz: seed ${SEED} (set FUZZ_SEED to replay another)`);
    world = await buildFuzzWorld();
    const port = await listenOnLoopback(world.api.app);
    client = new RawHttpClient(port);
    probeClient = new RawHttpClient(port);
    operations = fuzzOperations(world.document);
  });

  // Every answer the fuzzer and the health probe receive, hostile requests included, must be one the
  // committed OpenAPI document describes (status, documented headers, body schema).
  afterEach(() => {
    const none = { count: 0, first: [] };
    expect({ fuzzer: client.contractViolations(), probe: probeClient.contractViolations() }).toEqual({
      fuzzer: none,
      probe: none,
    });
  });

  afterAll(async () => {
    client?.close();
    probeClient?.close();
    await world?.close();
  });

  const auth = () => ({ authorization: `Bearer ${world.acme.apiKey}` });
  const json = (
    method: string,
    url: string,
    body: string,
    headers: Record<string, string> = {},
  ): RawRequest => ({
    method,
    url,
    headers: { ...auth(), 'content-type': 'application/json', ...headers },
    body: Buffer.from(body),
  });
  const destinationId = () => world.ids.pick('destinationId', 0) as string;
  const segmentUpload = () =>
    `/collaborations/${world.collaborationId}/segments/${world.ids.pick('segmentId', 0) as string}/upload`;

  describe('the hostile requests of issue #10 (finding 9), each a 4xx naming the problem', () => {
    const cases: [string, () => RawRequest, number, string, string][] = [
      [
        'an unknown Content-Encoding',
        () => json('POST', '/collaborations', '{"name":"x"}', { 'content-encoding': 'compress' }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'Content-Encoding',
      ],
      [
        'a gzip Content-Encoding on a plain body',
        () => json('POST', '/collaborations', '{"name":"x"}', { 'content-encoding': 'gzip' }),
        400,
        'VALIDATION_FAILED',
        'Content-Encoding',
      ],
      [
        'charset=bogus',
        () =>
          json('POST', '/collaborations', '{"name":"x"}', {
            'content-type': 'application/json; charset=bogus',
          }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'Content-Type',
      ],
      [
        'a NUL character in a string field',
        () => json('POST', '/collaborations', '{"name":"a\\u0000b"}'),
        400,
        'VALIDATION_FAILED',
        'name',
      ],
      [
        'a NUL character in a nested field',
        () =>
          json(
            'POST',
            `/destinations/${destinationId()}/resolve`,
            '{"overrides":{"audienceName":"x\\u0000"}}',
          ),
        400,
        'VALIDATION_FAILED',
        'overrides.audienceName',
      ],
      [
        'JSON nested 10,000 deep',
        () => json('POST', '/collaborations', `{"name":${'['.repeat(10_000)}${']'.repeat(10_000)}}`),
        400,
        'VALIDATION_FAILED',
        'name.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0',
      ],
      [
        '"overrides": null',
        () => json('POST', `/destinations/${destinationId()}/resolve`, '{"overrides":null}'),
        400,
        'VALIDATION_FAILED',
        'overrides',
      ],
      [
        'a __proto__ key',
        () => json('POST', '/collaborations', '{"__proto__":{"admin":true},"name":"x"}'),
        400,
        'VALIDATION_FAILED',
        '__proto__',
      ],
      [
        'a gzip bomb',
        () => ({
          ...json('POST', '/collaborations', ''),
          headers: { ...auth(), 'content-type': 'application/json', 'content-encoding': 'gzip' },
          body: gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)),
        }),
        413,
        'PAYLOAD_TOO_LARGE',
        '',
      ],
      [
        'a NUL character in a query value',
        () => ({ method: 'GET', url: '/collaborations?cursor=%00', headers: auth() }),
        400,
        'VALIDATION_FAILED',
        'query.cursor',
      ],
      [
        'a NUL character in a path id',
        () => ({ method: 'GET', url: '/destinations/dst_%00', headers: auth() }),
        400,
        'VALIDATION_FAILED',
        'path',
      ],
      [
        'a repeated query parameter',
        () => ({ method: 'GET', url: '/collaborations?limit=1&limit=2', headers: auth() }),
        400,
        'VALIDATION_FAILED',
        'limit',
      ],
      [
        'a bracketed query parameter',
        () => ({ method: 'GET', url: '/collaborations?cursor[a]=b', headers: auth() }),
        400,
        'VALIDATION_FAILED',
        'cursor[a]',
      ],
      [
        'an Idempotency-Key with spaces',
        () => ({
          method: 'POST',
          url: `/collaborations/${world.collaborationId}/segments/x/refresh`,
          headers: { ...auth(), 'idempotency-key': 'a b' },
        }),
        400,
        'VALIDATION_FAILED',
        'Idempotency-Key',
      ],
    ];

    it.each(cases)('%s', async (_name, build, status, code, field) => {
      const answer = await client.send(build());
      expect({ status: answer.status, code: JSON.parse(answer.body).code }).toEqual({ status, code });
      if (field) expect(JSON.parse(answer.body).details).toContainEqual(expect.objectContaining({ field }));
    });

    it('answers a multipart body without its closing boundary with a 400 naming it', async () => {
      const body = Buffer.from(
        '--b0undary\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nemail\na@example.com\n',
      );
      const answer = await client.send({
        method: 'PUT',
        url: segmentUpload(),
        headers: { ...auth(), 'content-type': 'multipart/form-data; boundary=b0undary' },
        body,
      });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ field: 'body', rule: 'multipart' }],
      });
      expect(JSON.parse(answer.body).message).toContain('closing boundary');
    });

    // Node's HTTP server answers it itself, before the API sees the request: the contract documents
    // this 431 on every operation, without a body or X-Request-Id.
    it('answers a huge header with a 431', async () => {
      const answer = await client.send({
        method: 'GET',
        url: '/collaborations',
        headers: { ...auth(), 'idempotency-key': 'k'.repeat(20_000) },
      });
      expect(answer.status).toBe(431);
    });

    // Data-source URLs are another engineer's (issue #10): kept here so the suite fails until fixed.
    it('answers a data-source URL naming a missing sslrootcert with a 4xx', async () => {
      const answer = await client.send(
        json(
          'POST',
          '/data-sources',
          JSON.stringify({
            name: 'Bad TLS',
            kind: 'POSTGRESQL',
            url: 'postgres://reader@127.0.0.1:5432/crm?sslrootcert=/nonexistent',
          }),
        ),
      );
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
    });
  });

  it(`answers ${REQUESTS} generated requests over every operation below 500, /health within 1 s`, async () => {
    const credentials = { apiKey: world.acme.apiKey, otherApiKey: world.globex.apiKey };
    const context = { document: world.document, ids: world.ids };
    const requests = () =>
      fc.oneof(
        ...operations.map((operation) =>
          fuzzRequest(operation, context, credentials).map((request) => ({ label: operation.name, request })),
        ),
      );
    const started = Date.now();
    const { result, probe, slowestMs } = await HealthProbe.around(probeClient, () =>
      runFuzz({ client, arbitrary: requests, count: REQUESTS, seed: SEED, concurrency: 8, ids: world.ids }),
    );
    report(
      `fuzz: ${result.sent} requests over ${operations.length} operations in ${Date.now() - started} ms, ` +
        `${result.failures.length} answers >= 500, health p100 ${Math.round(slowestMs)} ms ` +
        `(${probe.latencies.length} probes); statuses ${JSON.stringify(result.statuses)}`,
    );
    expect(result.sent).toBe(REQUESTS);
    expect(summarize(result.failures)).toBe('');
    expect(probe.failures).toEqual([]);
    expect(slowestMs).toBeLessThan(HEALTH_BUDGET_MS);
  });

  it(`ends ${UPLOADS} hostile CSV uploads READY or FAILED, none answered 500`, async () => {
    const segmentIds = await createUploadSegments(UPLOAD_SEGMENTS);
    const started = Date.now();
    const { result, probe, slowestMs } = await HealthProbe.around(probeClient, () =>
      runHostileUploads({
        app: world.api.app,
        client,
        authorization: auth().authorization,
        segmentsPath: `/collaborations/${world.collaborationId}/segments`,
        segmentIds,
        count: UPLOADS,
        // Apart from the requests' seed, so changing one run does not reshuffle the other.
        seed: SEED + 1_000_000,
      }),
    );
    report(
      `fuzz: ${UPLOADS} hostile CSV uploads to ${segmentIds.length} segments in ${Date.now() - started} ms, ` +
        `${result.failures.length} answers >= 500, ${result.stuck.length} segments stuck, ` +
        `health p100 ${Math.round(slowestMs)} ms; statuses ${JSON.stringify(result.statuses)}`,
    );
    expect(summarize(result.failures)).toBe('');
    expect(result.stuck).toEqual([]);
    expect(probe.failures).toEqual([]);
    expect(slowestMs).toBeLessThan(HEALTH_BUDGET_MS);
  });

  async function createUploadSegments(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let index = 0; index < count; index++) {
      // Every other segment flattens multi-value cells: the other path through the CSV reader.
      const flattening = index % 2 === 1 ? { flatten: true, multiValueDelimiter: '|' } : {};
      const answer = await client.send(
        json(
          'POST',
          `/collaborations/${world.collaborationId}/segments`,
          JSON.stringify({
            name: `Hostile upload ${index}`,
            source: { type: 'upload' },
            keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
            ...flattening,
          }),
        ),
      );
      expect(answer.status).toBe(201);
      ids.push(JSON.parse(answer.body).id);
    }
    return ids;
  }
});
