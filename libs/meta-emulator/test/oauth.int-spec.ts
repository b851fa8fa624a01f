import { createHmac } from 'node:crypto';
import {
  compileWire,
  WIRE_ACCESS_TOKEN_ANSWER_SCHEMA,
  WIRE_DEBUG_TOKEN_ANSWER_SCHEMA,
  WIRE_GRAPH_ERROR_SCHEMA,
} from '@conduit/destinations-meta-wire';
import { startMetaEmulator, type RunningMetaEmulator } from '../src';
import { ACCOUNT, APP, GENEROUS, REDIRECT_URI } from './emulator-fixture';
import { GraphHttp } from './graph-http';
import { ManualClock } from './manual-clock';

const isTokenAnswer = compileWire(WIRE_ACCESS_TOKEN_ANSWER_SCHEMA);
const isGraphError = compileWire(WIRE_GRAPH_ERROR_SCHEMA);
const HOUR = 3_600_000;

describe('Meta emulator: Facebook Login', () => {
  let running: RunningMetaEmulator;
  let graph: GraphHttp;
  // Code and token lifetimes are crossed by moving this clock, never by waiting.
  const clock = new ManualClock();

  beforeAll(async () => {
    running = await startMetaEmulator({ ...GENEROUS, clock });
    graph = new GraphHttp(running.url);
  });

  afterAll(() => running.close());

  const dialog = (params: Record<string, string>) =>
    fetch(`${running.dialogUrl}?${new URLSearchParams(params)}`, { redirect: 'manual' });

  async function code(scope = 'ads_management,ads_read'): Promise<string> {
    return (await running.answerDialog({ state: 's', scope })).searchParams.get('code') as string;
  }

  const exchange = (params: Record<string, unknown>, method: 'GET' | 'POST' = 'GET') =>
    method === 'GET'
      ? graph.get('/oauth/access_token', { client_id: APP.appId, client_secret: APP.secret, ...params })
      : graph.post('/oauth/access_token', { client_id: APP.appId, client_secret: APP.secret, ...params });

  it('shows a consent page with the app, the scopes asked for and the ad accounts, with Continue and Cancel', async () => {
    const page = await dialog({
      client_id: APP.appId,
      redirect_uri: REDIRECT_URI,
      state: 'csrf-<1>',
      scope: 'ads_management,ads_read',
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('ads_management');
    expect(html).toContain(`act_${ACCOUNT}`);
    expect(html).toContain('id="approve"');
    expect(html).toContain('id="deny"');
    // The state is echoed in the form, escaped.
    expect(html).toContain('value="csrf-&lt;1&gt;"');
  });

  it('refuses an unknown app, an unregistered or missing redirect URI and unknown scopes', async () => {
    const unknownApp = await dialog({ client_id: '1', redirect_uri: REDIRECT_URI });
    expect(unknownApp.status).toBe(400);
    expect(await unknownApp.text()).toContain('Invalid App ID');
    const blocked = await dialog({ client_id: APP.appId, redirect_uri: `${REDIRECT_URI}/` });
    expect(blocked.status).toBe(400);
    expect(await blocked.text()).toContain('URL Blocked');
    expect((await dialog({ client_id: APP.appId })).status).toBe(400);
    const scopes = await dialog({
      client_id: APP.appId,
      redirect_uri: REDIRECT_URI,
      scope: 'ads_management,steal_all',
    });
    expect(await scopes.text()).toContain('Invalid Scopes: steal_all');
  });

  it('redirects a denial with error=access_denied, error_reason=user_denied and the state', async () => {
    const callback = await running.answerDialog({ state: 'xyz', decision: 'deny' });
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(Object.fromEntries(callback.searchParams)).toEqual({
      error: 'access_denied',
      error_code: '200',
      error_description: 'Permissions error',
      error_reason: 'user_denied',
      state: 'xyz',
    });
  });

  it('redirects an approval with code, the state and #_=_, and exchanges the code once (GET) for a short token', async () => {
    const callback = await running.answerDialog({ state: 'opaque' });
    expect(callback.searchParams.get('state')).toBe('opaque');
    expect(callback.hash).toBe('#_=_');
    const issued = await exchange({ redirect_uri: REDIRECT_URI, code: callback.searchParams.get('code') });
    expect(issued.status).toBe(200);
    expect(isTokenAnswer(issued.body)).toBe(true);
    expect(issued.body).toEqual({
      access_token: expect.stringMatching(/^EAAB/),
      token_type: 'bearer',
      expires_in: 7200,
    });
    const again = await exchange({ redirect_uri: REDIRECT_URI, code: callback.searchParams.get('code') });
    expect(again.status).toBe(400);
    expect(isGraphError(again.body)).toBe(true);
    expect(again.body.error).toMatchObject({ code: 100, error_subcode: 36009, type: 'OAuthException' });
  });

  it('exchanges a code by POST as well (form-encoded, as Airbyte does)', async () => {
    const issued = await exchange({ redirect_uri: REDIRECT_URI, code: await code() }, 'POST');
    expect(issued.status).toBe(200);
    expect(issued.body.access_token).toMatch(/^EAAB/);
  });

  it('refuses a redirect_uri that is not byte-identical to the dialog’s with 100/36008', async () => {
    const answer = await exchange({ redirect_uri: `${REDIRECT_URI}/`, code: await code() });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 100,
      error_subcode: 36008,
      message: expect.stringContaining('redirect_uri is identical'),
      fbtrace_id: expect.any(String),
    });
  });

  it('refuses a wrong app secret and a missing parameter with 100', async () => {
    const wrongSecret = await exchange({
      client_secret: 'nope',
      redirect_uri: REDIRECT_URI,
      code: await code(),
    });
    expect(wrongSecret.body.error).toMatchObject({ code: 100, message: 'Error validating client secret.' });
    const missing = await exchange({ redirect_uri: REDIRECT_URI });
    expect(missing.body.error).toMatchObject({ code: 100, message: '(#100) The parameter code is required' });
  });

  it('lets a code expire after ten minutes (moving the clock)', async () => {
    const fresh = await code();
    clock.advance(10 * 60_000);
    const answer = await exchange({ redirect_uri: REDIRECT_URI, code: fresh });
    expect(answer.body.error).toMatchObject({
      code: 100,
      error_subcode: 36007,
      message: 'This authorization code has expired.',
    });
  });

  it('swaps a short token for a long-lived one of about 60 days; an expired token cannot be swapped', async () => {
    const short = (await exchange({ redirect_uri: REDIRECT_URI, code: await code() })).body
      .access_token as string;
    const swap = (token: string) => exchange({ grant_type: 'fb_exchange_token', fb_exchange_token: token });
    const long = await swap(short);
    expect(long.body).toEqual({
      access_token: expect.stringMatching(/^EAAB/),
      token_type: 'bearer',
      expires_in: 5_184_000,
    });
    expect(long.body.access_token).not.toBe(short);
    clock.advance(2 * HOUR);
    const late = await swap(short);
    expect(late.status).toBe(400);
    expect(late.body.error).toMatchObject({ code: 190, error_subcode: 463, type: 'OAuthException' });
    // The long-lived token still works, through either transport.
    const me = new GraphHttp(running.url, long.body.access_token, 'v25.0', 'bearer');
    expect((await me.get('/me')).body).toEqual({ id: '10000000000000001', name: 'Emulated Facebook User' });
  });

  it('answers 190/463 once a long-lived token’s 60 days have passed, and debug_token says so', async () => {
    const short = (await exchange({ redirect_uri: REDIRECT_URI, code: await code() })).body
      .access_token as string;
    const long = (await exchange({ grant_type: 'fb_exchange_token', fb_exchange_token: short })).body
      .access_token as string;
    const user = new GraphHttp(running.url, long);
    const debug = () =>
      graph.get('/debug_token', { input_token: long, access_token: `${APP.appId}|${APP.secret}` });
    const alive = await debug();
    expect(compileWire(WIRE_DEBUG_TOKEN_ANSWER_SCHEMA)(alive.body)).toBe(true);
    expect(alive.body.data).toMatchObject({
      app_id: APP.appId,
      type: 'USER',
      is_valid: true,
      scopes: ['ads_management', 'ads_read'],
      user_id: '10000000000000001',
      expires_at: Math.floor(clock.now().getTime() / 1000) + 5_184_000,
      issued_at: Math.floor(clock.now().getTime() / 1000),
    });
    clock.advance(60 * 24 * HOUR - 1000);
    expect((await user.get('/me/adaccounts')).status).toBe(200);
    clock.advance(1000);
    const expired = await user.get('/me/adaccounts');
    expect(expired.status).toBe(400);
    expect(expired.body.error).toMatchObject({
      code: 190,
      error_subcode: 463,
      message: expect.stringMatching(/^Error validating access token: Session has expired on /),
    });
    expect((await debug()).body.data).toMatchObject({ is_valid: false, error: { code: 190, subcode: 463 } });
  });

  it('revokes or expires a token through the control API: 190/458, 190/460, 190/463', async () => {
    const tokens = await Promise.all(
      [1, 2, 3].map(
        async () =>
          (await exchange({ redirect_uri: REDIRECT_URI, code: await code() })).body.access_token as string,
      ),
    );
    const [deauthorized, passwordChanged, expired] = tokens;
    expect(await graph.admin('POST', '/tokens/revoke', { access_token: deauthorized })).toEqual({
      revoked: 1,
    });
    expect(
      await graph.admin('POST', '/tokens/revoke', {
        access_token: passwordChanged,
        reason: 'password_changed',
      }),
    ).toEqual({ revoked: 1 });
    expect(await graph.admin('POST', '/tokens/expire', { access_token: expired })).toEqual({ expired: 1 });
    const subcodeOf = async (token: string) =>
      (await new GraphHttp(running.url, token).get('/me')).body.error.error_subcode;
    expect(await subcodeOf(deauthorized)).toBe(458);
    expect(await subcodeOf(passwordChanged)).toBe(460);
    expect(await subcodeOf(expired)).toBe(463);
    expect(await graph.admin('POST', '/tokens/revoke', { reason: 'bored', access_token: expired })).toEqual({
      error: expect.stringContaining('reason must be one of'),
    });
    // The control API lists tokens by fingerprint only.
    const listed = JSON.stringify(await graph.admin('GET', '/tokens'));
    for (const token of tokens) expect(listed).not.toContain(token);
  });

  it('lets the person remove the app (DELETE /me/permissions): every token of theirs then answers 190/458', async () => {
    const [first, second] = await Promise.all(
      [1, 2].map(
        async () =>
          (await exchange({ redirect_uri: REDIRECT_URI, code: await code() })).body.access_token as string,
      ),
    );
    const removed = await new GraphHttp(running.url, first).delete('/me/permissions');
    expect(removed.body).toEqual({ success: true });
    for (const token of [first, second])
      expect((await new GraphHttp(running.url, token).get('/me')).body.error).toMatchObject({
        code: 190,
        error_subcode: 458,
      });
  });

  it('answers an unknown token with 190 (no subcode), a missing one with 104, and needs ads_management to write', async () => {
    const unknown = await new GraphHttp(running.url, 'EAABnot-a-token').get('/me');
    expect(unknown.body.error).toMatchObject({ code: 190, type: 'OAuthException' });
    expect(unknown.body.error.error_subcode).toBeUndefined();
    expect((await graph.get('/me')).body.error.code).toBe(104);
    const readOnly = (await exchange({ redirect_uri: REDIRECT_URI, code: await code('ads_read') })).body
      .access_token;
    const reader = new GraphHttp(running.url, readOnly);
    expect((await reader.get('/me/adaccounts')).status).toBe(200);
    const write = await reader.post(`/act_${ACCOUNT}/customaudiences`, {
      name: 'x',
      subtype: 'CUSTOM',
      customer_file_source: 'USER_PROVIDED_ONLY',
    });
    expect(write.body.error).toMatchObject({ code: 294, type: 'GraphMethodException' });
  });
});

describe('Meta emulator: appsecret_proof', () => {
  it('checks a proof when sent and requires one when the app says so', async () => {
    const running = await startMetaEmulator({ ...GENEROUS, requireAppSecretProof: true });
    try {
      const callback = await running.answerDialog({ state: 's' });
      const graph = new GraphHttp(running.url);
      const token = (
        await graph.get('/oauth/access_token', {
          client_id: APP.appId,
          client_secret: APP.secret,
          redirect_uri: REDIRECT_URI,
          code: callback.searchParams.get('code'),
        })
      ).body.access_token as string;
      const user = new GraphHttp(running.url, token);
      expect((await user.get('/me')).body.error.message).toBe(
        '(#100) API calls from the server require an appsecret_proof argument',
      );
      expect((await user.get('/me', { appsecret_proof: '0'.repeat(64) })).body.error.message).toBe(
        '(#100) Invalid appsecret_proof provided in the API argument',
      );
      const proof = createHmac('sha256', APP.secret).update(token).digest('hex');
      expect((await user.get('/me', { appsecret_proof: proof })).status).toBe(200);
    } finally {
      await running.close();
    }
  });
});
