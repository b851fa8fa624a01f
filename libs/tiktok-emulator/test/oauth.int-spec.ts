import { DEFAULT_EMULATOR_OPTIONS, startTikTokEmulator, TikTokCode, type RunningEmulator } from '../src';
import { ManualClock } from './manual-clock';
import { TikTokHttp } from './tiktok-http';

const app = DEFAULT_EMULATOR_OPTIONS.apps[0];
const redirectUri = app.redirectUris[0];
const advertiserIds = DEFAULT_EMULATOR_OPTIONS.advertisers.map((advertiser) => advertiser.advertiserId);

describe('TikTok emulator: OAuth', () => {
  let running: RunningEmulator;
  let tiktok: TikTokHttp;
  // Code lifetimes are crossed by moving this clock, never by waiting.
  const clock = new ManualClock();

  beforeAll(async () => {
    // Generous limits: this suite is about OAuth (rate limiting has its own).
    running = await startTikTokEmulator({ clock, rateLimit: { perSecond: 1000, perMinute: 100_000 } });
    tiktok = new TikTokHttp(running.url);
  });

  afterAll(() => running.close());

  async function exchange(code: string, secret = app.secret) {
    return tiktok.post('/oauth2/access_token/', { app_id: app.appId, secret, auth_code: code });
  }

  async function consentCode(): Promise<string> {
    return (await running.confirmConsent({ state: 'state-1' })).searchParams.get('auth_code') as string;
  }

  it('shows a consent page with the permissions and the test advertisers', async () => {
    const page = await fetch(
      `${running.url}/portal/auth?${new URLSearchParams({ app_id: app.appId, state: 'xyz', redirect_uri: redirectUri })}`,
    );
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('Audience Management');
    for (const advertiser of DEFAULT_EMULATOR_OPTIONS.advertisers) expect(html).toContain(advertiser.name);
    expect(html).toContain('id="confirm"');
    expect(html).toContain('value="xyz"');
  });

  it('refuses an unregistered redirect URI and an unknown app', async () => {
    const wrongRedirect = await fetch(
      `${running.url}/portal/auth?${new URLSearchParams({ app_id: app.appId, state: 's', redirect_uri: 'https://evil.example/cb' })}`,
    );
    expect(wrongRedirect.status).toBe(400);
    expect(await wrongRedirect.text()).toContain('is not registered');
    const unknownApp = await fetch(
      `${running.url}/portal/auth?${new URLSearchParams({ app_id: '1', state: 's', redirect_uri: redirectUri })}`,
    );
    expect(unknownApp.status).toBe(400);
    const confirmWrongRedirect = await fetch(`${running.url}/portal/auth/confirm`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        app_id: app.appId,
        state: 's',
        redirect_uri: 'https://evil.example/cb',
      }).toString(),
      redirect: 'manual',
    });
    expect(confirmWrongRedirect.status).toBe(400);
  });

  it('redirects with auth_code, code and state, and exchanges the code once for a long-term token', async () => {
    const callback = await running.confirmConsent({ state: 'opaque-state' });
    expect(`${callback.origin}${callback.pathname}`).toBe(redirectUri);
    const code = callback.searchParams.get('auth_code') as string;
    expect(code).toBeTruthy();
    expect(callback.searchParams.get('code')).toBe(code);
    expect(callback.searchParams.get('state')).toBe('opaque-state');

    const issued = await exchange(code);
    expect(issued).toMatchObject({
      code: 0,
      message: 'OK',
      data: { advertiser_ids: advertiserIds, scope: expect.any(Array) },
    });
    expect(issued.request_id).toMatch(/^\d{14}[0-9A-F]{20}$/);
    expect(typeof issued.data.access_token).toBe('string');

    const reused = await exchange(code);
    expect(reused).toMatchObject({
      code: TikTokCode.AUTH_CODE_INVALID,
      message: 'auth_code has already been used.',
      data: {},
    });
  });

  it('refuses a wrong secret and an unknown code', async () => {
    const code = await consentCode();
    expect(await exchange(code, 'wrong-secret')).toMatchObject({ code: TikTokCode.APP_CREDENTIALS_INVALID });
    expect(await exchange('not-a-code')).toMatchObject({
      code: TikTokCode.AUTH_CODE_INVALID,
      message: 'auth_code is invalid.',
    });
    // The code refused for a wrong secret was not consumed.
    expect(await exchange(code)).toMatchObject({ code: 0 });
  });

  it('exchanges an auth_code until the last millisecond of its hour, and refuses it after', async () => {
    expect(running.emulator.options.authCodeTtlMs).toBe(60 * 60 * 1000);
    const inTime = await consentCode();
    const tooLate = await consentCode();
    clock.advance(running.emulator.options.authCodeTtlMs);
    expect(await exchange(inTime)).toMatchObject({ code: 0 });
    clock.advance(1);
    expect(await exchange(tooLate)).toMatchObject({
      code: TikTokCode.AUTH_CODE_INVALID,
      message: 'auth_code has expired.',
      data: {},
    });
  });

  it('lists the advertisers, answers health calls, and stops answering once the token is revoked', async () => {
    const code = await consentCode();
    const token = (await exchange(code)).data.access_token as string;
    const client = new TikTokHttp(running.url, token);

    const advertisers = await client.get('/oauth2/advertiser/get/', {
      app_id: app.appId,
      secret: app.secret,
    });
    expect(advertisers.data.list).toEqual(
      DEFAULT_EMULATOR_OPTIONS.advertisers.map((a) => ({
        advertiser_id: a.advertiserId,
        advertiser_name: a.name,
      })),
    );
    expect(await client.get('/oauth2/advertiser/get/', { app_id: app.appId, secret: 'nope' })).toMatchObject({
      code: TikTokCode.APP_CREDENTIALS_INVALID,
    });

    expect(await client.get('/user/info/')).toMatchObject({
      code: 0,
      data: { display_name: expect.any(String) },
    });
    const info = await client.get('/advertiser/info/', { advertiser_ids: [advertiserIds[0]] });
    expect(info.data.list).toEqual([
      expect.objectContaining({ advertiser_id: advertiserIds[0], status: 'STATUS_ENABLE' }),
    ]);
    expect(await client.get('/advertiser/info/', { advertiser_ids: ['999'] })).toMatchObject({
      code: TikTokCode.NO_PERMISSION,
    });

    expect(
      await tiktok.post('/oauth2/revoke_token/', {
        app_id: app.appId,
        secret: app.secret,
        access_token: token,
      }),
    ).toMatchObject({ code: 0 });
    expect(await client.get('/user/info/')).toMatchObject({ code: TikTokCode.ACCESS_TOKEN_INVALID });
  });

  it('answers a missing or unknown token with 40104 / 40105', async () => {
    expect(await new TikTokHttp(running.url).get('/user/info/')).toMatchObject({
      code: TikTokCode.ACCESS_TOKEN_EMPTY,
    });
    expect(await new TikTokHttp(running.url, 'forged').get('/user/info/')).toMatchObject({
      code: TikTokCode.ACCESS_TOKEN_INVALID,
    });
  });

  it('lets an operator revoke every token of an advertiser (the advertiser removing the app)', async () => {
    const code = await consentCode();
    const client = new TikTokHttp(running.url, (await exchange(code)).data.access_token as string);
    expect(await client.admin('POST', '/tokens/revoke', { advertiser_id: advertiserIds[1] })).toEqual({
      revoked: expect.any(Number),
    });
    expect(await client.get('/user/info/')).toMatchObject({ code: TikTokCode.ACCESS_TOKEN_INVALID });
  });
});
