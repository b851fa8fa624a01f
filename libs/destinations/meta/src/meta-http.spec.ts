import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RateLimitedError, type RequestRateLimiter } from '@conduit/destinations-core';
import { compileWire, WIRE_SUCCESS_ANSWER_SCHEMA } from '@conduit/destinations-meta-wire';
import { appSecretProof, MetaHttp, regainAccessMs, scrub } from './meta-http';

const headers = (values: Record<string, string>) => new Headers(values);

describe('regainAccessMs', () => {
  it('reads the longest wait of X-Business-Use-Case-Usage (minutes)', () => {
    const usage = {
      '42': [
        { type: 'custom_audience', call_count: 100, estimated_time_to_regain_access: 3 },
        { type: 'ads_management', call_count: 10, estimated_time_to_regain_access: 0 },
      ],
    };
    expect(regainAccessMs(headers({ 'x-business-use-case-usage': JSON.stringify(usage) }))).toBe(180_000);
  });

  it('reads a full X-Ad-Account-Usage’s reset_time_duration (seconds), and nothing from one not full', () => {
    expect(
      regainAccessMs(headers({ 'x-ad-account-usage': '{"acc_id_util_pct":100,"reset_time_duration":120}' })),
    ).toBe(120_000);
    expect(
      regainAccessMs(headers({ 'x-ad-account-usage': '{"acc_id_util_pct":9.67,"reset_time_duration":100}' })),
    ).toBeUndefined();
  });

  it('says nothing without headers, or with headers that are not Meta’s JSON', () => {
    expect(regainAccessMs(headers({}))).toBeUndefined();
    expect(regainAccessMs(headers({ 'x-business-use-case-usage': 'not json' }))).toBeUndefined();
    expect(regainAccessMs(headers({ 'x-business-use-case-usage': '{"42":"full"}' }))).toBeUndefined();
  });
});

describe('scrub', () => {
  it('removes the given secrets, and anything shaped like a token or a credential parameter', () => {
    const text = scrub(
      'bad token EAABsecretsecretsecretsecret123 in ?access_token=abc&appsecret_proof=def and s3cret',
      ['s3cret'],
    );
    expect(text).toBe(
      'bad token [redacted] in ?access_token=[redacted]&appsecret_proof=[redacted] and [redacted]',
    );
  });
});

describe('appSecretProof', () => {
  it('is the hex HMAC-SHA256 of the token keyed by the app secret', () => {
    expect(appSecretProof('secret', 'token')).toBe(
      createHmac('sha256', 'secret').update('token').digest('hex'),
    );
  });
});

describe('MetaHttp and the shared budget', () => {
  /** What the next answer is: a status, a body and headers. */
  let next: { status: number; body: unknown; headers?: Record<string, string> };
  let server: Server;
  let baseUrl: string;
  const acquired: string[] = [];
  const paused: [string, number][] = [];
  const limiter: RequestRateLimiter = {
    acquire: async (key) => void acquired.push(key),
    pause: async (key, ms) => void paused.push([key, ms]),
  };
  // Graph's plain `{"success": true}`: these specs are about what happens around the answer.
  const ANY = compileWire(WIRE_SUCCESS_ANSWER_SCHEMA);
  const graphError = (code: number, subcode?: number) => ({
    error: { message: 'throttled', type: 'OAuthException', code, error_subcode: subcode, fbtrace_id: 'T' },
  });

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      response.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
      response.end(JSON.stringify(next.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    acquired.length = 0;
    paused.length = 0;
  });

  const http = (maxPauseMs = 300_000) =>
    new MetaHttp({
      baseUrl,
      graphVersion: 'v25.0',
      appSecret: 'app-secret',
      rateLimiter: limiter,
      rateLimitKey: 'app-1',
      maxPauseMs,
      timeoutMs: 5_000,
    });
  const call = (adAccountId?: string, maxPauseMs?: number) =>
    http(maxPauseMs).send(ANY, {
      method: 'POST',
      path: 'aud-1/users',
      endpoint: 'POST {audience_id}/users',
      accessToken: 'EAAtoken',
      adAccountId,
      secrets: ['EAAtoken'],
    });

  it("takes a slot of the ad account's budget, then of the app's, for a call about an ad account", async () => {
    next = { status: 200, body: { success: true } };
    await call('act_7');
    await call();
    expect(acquired).toEqual(['app-1:act_7', 'app-1', 'app-1']);
    expect(paused).toEqual([]);
  });

  it("pauses only that ad account's budget on 80003, as long as Meta's usage headers say", async () => {
    next = {
      status: 400,
      body: graphError(80003, 2446079),
      headers: {
        'x-business-use-case-usage': JSON.stringify({
          '7': [{ type: 'custom_audience', call_count: 100, estimated_time_to_regain_access: 4 }],
        }),
      },
    };
    const failure = await call('act_7').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RateLimitedError);
    expect(paused).toEqual([['app-1:act_7', 240_000]]);
    expect((failure as RateLimitedError).retryAfterMs).toBe(240_000);
    // Never longer than the retry policy's longest wait: the export tries again by then anyway.
    paused.length = 0;
    await call('act_7', 30_000).catch(() => undefined);
    expect(paused).toEqual([['app-1:act_7', 30_000]]);
  });

  it("pauses the whole app's budget on 4 (the app's own limit), and no budget on 17 (a person's)", async () => {
    next = { status: 400, body: graphError(4) };
    const app = (await call('act_7').catch((error: unknown) => error)) as RateLimitedError;
    expect(paused).toEqual([['app-1', app.retryAfterMs]]);
    paused.length = 0;
    next = { status: 400, body: graphError(17, 2446079) };
    await expect(call('act_7')).rejects.toBeInstanceOf(RateLimitedError);
    expect(paused).toEqual([]);
  });

  it("holds the ad account's next calls when a successful answer says its budget is spent", async () => {
    next = {
      status: 200,
      body: { success: true },
      headers: { 'x-ad-account-usage': '{"acc_id_util_pct":100,"reset_time_duration":90}' },
    };
    await call('act_7');
    expect(paused).toEqual([['app-1:act_7', 90_000]]);
  });

  it('still reports the throttling when the limiter cannot be paused', async () => {
    const broken = new MetaHttp({
      baseUrl,
      graphVersion: 'v25.0',
      appSecret: 'app-secret',
      rateLimiter: {
        acquire: async () => undefined,
        pause: () => Promise.reject(new Error('redis is down')),
      },
      rateLimitKey: 'app-1',
      timeoutMs: 5_000,
    });
    next = { status: 400, body: graphError(80003) };
    await expect(
      broken.send(ANY, {
        method: 'GET',
        path: 'act_7',
        endpoint: 'GET act_{id}',
        adAccountId: 'act_7',
        secrets: [],
      }),
    ).rejects.toBeInstanceOf(RateLimitedError);
  });
});
