import {
  compileWire,
  USAGE_HEADERS,
  WIRE_BUSINESS_USE_CASE_USAGE_SCHEMA,
  type WireBusinessUseCaseUsage,
} from '@conduit/destinations-meta-wire';
import { DEFAULT_THROTTLE, HUGE_BODY_BYTES, NO_FAULTS, startMetaEmulator } from '../src';
import { ACCOUNT, createAudience, logIn, startAuthorized } from './emulator-fixture';
import { GraphHttp, sha256, sha256Values } from './graph-http';
import { ManualClock } from './manual-clock';

const usage = (headers: Headers): WireBusinessUseCaseUsage => {
  const parsed: unknown = JSON.parse(headers.get(USAGE_HEADERS.businessUseCase) ?? 'null');
  if (!compileWire(WIRE_BUSINESS_USE_CASE_USAGE_SCHEMA)(parsed)) throw new Error('bad usage header');
  return parsed;
};

// The clock stands still between moves: every call lands in the same instant unless the spec moves it.
describe('Meta emulator: custom-audience throttling', () => {
  it('answers 80003/2446079 past the account’s calls per hour, with the usage header, then lets calls through once the window has moved', async () => {
    const clock = new ManualClock();
    const { running, graph } = await startAuthorized({
      clock,
      throttle: { ...DEFAULT_THROTTLE, customAudienceCalls: 4, perAudienceCalls: 1, windowMs: 3_600_000 },
    });
    try {
      const audience = await createAudience(graph, 'throttled'); // call 1; the limit is now 4 + 1 × 1 audience
      const read = () => graph.get(`/${audience}`, { fields: 'id' });
      const statuses = [];
      for (let call = 0; call < 5; call++) statuses.push((await read()).status);
      expect(statuses).toEqual([200, 200, 200, 200, 400]);
      clock.advance(30 * 60_000);
      const throttled = await read();
      expect(throttled.body.error).toMatchObject({
        code: 80003,
        error_subcode: 2446079,
        is_transient: true,
        message: expect.stringContaining('too many calls to this ad-account'),
      });
      expect(usage(throttled.headers)[ACCOUNT]).toEqual([
        expect.objectContaining({
          type: 'custom_audience',
          call_count: 100,
          estimated_time_to_regain_access: 30,
        }),
      ]);
      clock.advance(30 * 60_000);
      const again = await read();
      expect(again.status).toBe(200);
      // Five calls of the window have left it: one counted of five allowed.
      expect(usage(again.headers)[ACCOUNT][0]).toMatchObject({
        call_count: 20,
        estimated_time_to_regain_access: 0,
      });
      expect(JSON.parse(again.headers.get(USAGE_HEADERS.adAccount) ?? '{}')).toEqual({
        acc_id_util_pct: 20,
        reset_time_duration: 3600,
        ads_api_access_tier: 'standard_access',
      });
      expect(JSON.parse(again.headers.get(USAGE_HEADERS.app) ?? '{}')).toMatchObject({
        call_count: expect.any(Number),
      });
    } finally {
      await running.close();
    }
  });

  it('throttles per ad account, answers code 4 past the app’s limit, and can answer 429 instead of 400', async () => {
    const clock = new ManualClock();
    const { running, graph } = await startAuthorized({
      clock,
      throttle: {
        ...DEFAULT_THROTTLE,
        customAudienceCalls: 1,
        perAudienceCalls: 0,
        appCalls: 6,
        httpStatus: 429,
      },
    });
    try {
      // The code exchange and the long-lived exchange counted 2 app calls.
      expect((await graph.get(`/act_${ACCOUNT}/customaudiences`)).status).toBe(200);
      const throttled = await graph.get(`/act_${ACCOUNT}/customaudiences`);
      expect(throttled.status).toBe(429);
      expect(throttled.body.error.code).toBe(80003);
      await graph.admin('POST', '/ad-accounts/1200000000000002/terms', { accepted: true });
      expect((await graph.get('/act_1200000000000002/customaudiences')).status).toBe(200);
      expect((await graph.get('/me')).status).toBe(200);
      const app = await graph.get('/me');
      expect(app.status).toBe(429);
      expect(app.body.error).toMatchObject({ code: 4, message: '(#4) Application request limit reached' });
      expect(await graph.admin('POST', '/throttle', { appCalls: 100 })).toMatchObject({ appCalls: 100 });
      expect(await graph.admin('POST', '/throttle', { appCalls: -1 })).toEqual({ error: expect.any(String) });
      expect((await graph.get('/me')).status).toBe(200);
    } finally {
      await running.close();
    }
  });
});

describe('Meta emulator: fault injection', () => {
  const payload = (value: string) => ({ payload: { schema: ['EMAIL'], data: [[value]] } });

  it('answers a scheduled code once on one route, then carries calls out again', async () => {
    const { running, graph } = await startAuthorized();
    try {
      const audience = await createAudience(graph);
      await graph.admin('POST', '/faults/next', {
        route: 'POST /{audience_id}/users',
        outcome: 'code',
        code: 190,
        subcode: 463,
      });
      expect((await graph.get(`/${audience}`)).status).toBe(200); // another route: untouched
      const faulty = await graph.post(`/${audience}/users`, payload(sha256('a')));
      expect(faulty.body.error).toMatchObject({ code: 190, error_subcode: 463, type: 'OAuthException' });
      expect((await graph.post(`/${audience}/users`, payload(sha256('a')))).status).toBe(200);
      await graph.admin('POST', '/faults/next', { outcome: 'code', code: 2650, subcode: 1870145, times: 2 });
      expect((await graph.get('/me')).body.error).toMatchObject({ code: 2650, error_subcode: 1870145 });
      expect((await graph.get('/me')).body.error.code).toBe(2650);
      expect((await graph.get('/me')).status).toBe(200);
      expect(await graph.admin('POST', '/faults/next', { outcome: 'code' })).toEqual({
        error: expect.stringContaining('needs a positive integer code'),
      });
      expect(await graph.admin('POST', '/faults/next', { outcome: 'explode' })).toEqual({
        error: expect.stringContaining('outcome must be one of'),
      });
    } finally {
      await running.close();
    }
  });

  it('injects transient errors (code 2, HTTP 500), gateway 503s, dropped connections and throttle bursts', async () => {
    const { running, graph } = await startAuthorized();
    try {
      await graph.admin('POST', '/faults', { transientRate: 1 });
      const transient = await graph.get('/me');
      expect(transient.status).toBe(500);
      expect(transient.body.error).toMatchObject({ code: 2, is_transient: true });
      await graph.admin('POST', '/faults', { transientRate: 0, http5xxRate: 1 });
      const gateway = await graph.get('/me');
      expect([gateway.status, gateway.body]).toEqual([503, 'Service Unavailable']);
      await graph.admin('POST', '/faults', { http5xxRate: 0, dropRate: 1 });
      await expect(graph.get('/me')).rejects.toThrow();
      await graph.admin('POST', '/faults', { dropRate: 0, throttleBurst: 2 });
      expect((await graph.get(`/act_${ACCOUNT}/customaudiences`)).body.error.code).toBe(80003);
      expect((await graph.get('/me')).body.error.code).toBe(80003);
      expect((await graph.get('/me')).status).toBe(200);
      expect(await graph.admin('POST', '/faults', { nonsense: 1 })).toEqual({
        error: expect.stringMatching(/Unknown or invalid fault setting "nonsense"/),
      });
      expect(await graph.admin('POST', '/faults', { transientRate: 2 })).toEqual({
        error: expect.any(String),
      });
    } finally {
      await running.close();
    }
  });

  it('carries a call out and loses or cuts its answer (the inspection shows the work was done)', async () => {
    const { running, graph } = await startAuthorized();
    try {
      const audience = await createAudience(graph);
      await graph.admin('POST', '/faults/next', {
        route: 'POST /{audience_id}/users',
        outcome: 'lostAnswer',
      });
      await expect(graph.post(`/${audience}/users`, payload(sha256('lost')))).rejects.toThrow();
      await graph.admin('POST', '/faults/next', { route: 'POST /{audience_id}/users', outcome: 'cutBody' });
      // Half a JSON document, then the connection ends: reading the answer fails.
      await expect(graph.post(`/${audience}/users`, payload(sha256('cut')))).rejects.toThrow();
      expect((await graph.admin('GET', `/audiences/${audience}`)).identifiers.EMAIL).toEqual(
        [sha256('lost'), sha256('cut')].sort(),
      );
      const log = (await graph.admin('GET', '/requests')).requests.filter(
        (entry: { fault?: string }) => entry.fault !== undefined,
      );
      expect(
        log.map((entry: { fault: string; httpStatus: number }) => [entry.fault, entry.httpStatus]),
      ).toEqual([
        ['lostAnswer', 0],
        ['cutBody', 200],
      ]);
    } finally {
      await running.close();
    }
  });

  it('answers malformed bodies: an HTML page, "Service Unavailable" with 200, a huge body, missing fields', async () => {
    const { running, graph } = await startAuthorized();
    try {
      const audience = await createAudience(graph);
      await graph.admin('POST', '/faults/next', { outcome: 'notJson' });
      const html = await graph.get('/me');
      expect(html.status).toBe(200);
      expect(html.body).toContain('<!DOCTYPE html>');
      await graph.admin('POST', '/faults/next', { outcome: 'serviceUnavailable200' });
      expect(await graph.get('/me')).toMatchObject({ status: 200, body: 'Service Unavailable' });
      await graph.admin('POST', '/faults/next', { outcome: 'hugeBody' });
      const huge = await fetch(`${graph.url}/v25.0/me?access_token=${graph.token}`);
      expect(Number(huge.headers.get('content-length'))).toBe(HUGE_BODY_BYTES);
      await huge.body?.cancel();
      await graph.admin('POST', '/faults/next', {
        route: 'POST /{audience_id}/users',
        outcome: 'missingFields',
      });
      const missing = await graph.post(`/${audience}/users`, payload(sha256('m')));
      expect(missing.status).toBe(200);
      expect(missing.body).toEqual({
        audience_id: audience,
        num_invalid_entries: 0,
        invalid_entry_samples: {},
      });
    } finally {
      await running.close();
    }
  });

  it('holds calls for the configured latency and logs it', async () => {
    const { running, graph } = await startAuthorized({ faults: { ...NO_FAULTS, latencyMs: 25 } });
    try {
      const started = Date.now();
      await graph.get('/me');
      expect(Date.now() - started).toBeGreaterThanOrEqual(20);
      expect((await graph.admin('GET', '/requests')).requests.at(-1)).toMatchObject({
        route: 'GET /me',
        delayedMs: 25,
      });
    } finally {
      await running.close();
    }
  });

  it('injects the same faults for the same seed and calls', async () => {
    async function outcomes(seed: number): Promise<number[]> {
      const running = await startMetaEmulator({ seed });
      const graph = new GraphHttp(running.url, await logIn(running));
      await graph.admin('POST', '/faults', { transientRate: 0.5, seed });
      const statuses: number[] = [];
      for (let call = 0; call < 20; call++) statuses.push((await graph.get('/me')).status);
      await running.close();
      return statuses;
    }
    const first = await outcomes(7);
    expect(first).toEqual(await outcomes(7));
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(first).not.toEqual(await outcomes(8));
  });

  it('refuses a body over the limit with 100, never a crash', async () => {
    const { running, graph } = await startAuthorized({ maxBodyBytes: 64 * 1024 });
    try {
      const audience = await createAudience(graph);
      const big = await graph.post(`/${audience}/users`, {
        payload: { schema: ['EMAIL'], data: sha256Values(2000).map((value) => [value]) },
      });
      expect(big.status).toBe(400);
      expect(big.body.error).toMatchObject({
        code: 100,
        message: expect.stringContaining('larger than the 65536 bytes'),
      });
      const multipart = await graph.post(
        `/${audience}/users`,
        { payload: { schema: ['EMAIL'], data: sha256Values(2000).map((value) => [value]) } },
        'multipart',
      );
      expect(multipart.body.error).toMatchObject({ code: 100 });
      expect((await graph.get('/me')).status).toBe(200);
    } finally {
      await running.close();
    }
  });
});
