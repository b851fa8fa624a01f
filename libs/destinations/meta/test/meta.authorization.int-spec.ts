import { InvalidCredentialsError } from '@conduit/destinations-core';
import type { MetaProvider } from '../src';
import { AD_ACCOUNT, AD_ACCOUNT_WITHOUT_TERMS, APP, startMetaWorld, type MetaWorld } from './meta-fixture';
import { exportsOn } from './meta-segments';

describe('MetaProvider against the Meta emulator: Facebook Login', () => {
  let world: MetaWorld;
  let meta: MetaProvider;
  let on: ReturnType<typeof exportsOn>;

  beforeAll(async () => {
    world = await startMetaWorld();
    meta = world.provider;
    on = exportsOn(world);
  }, 60_000);

  afterAll(() => world.close());

  it('sends the person to the dialog with the app, the redirect URI, the state and ads_management', () => {
    const url = new URL(
      meta.authorization.buildAuthorizeUrl({ state: 'st4te', redirectUri: APP.redirectUris[0] }),
    );
    expect(`${url.origin}${url.pathname}`).toBe(world.running.dialogUrl);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: APP.appId,
      redirect_uri: APP.redirectUris[0],
      state: 'st4te',
      response_type: 'code',
      scope: 'ads_management',
    });
    expect(meta.authorization.callbackCodeParameter).toBe('code');
  });

  it('defaults to Facebook’s dialog of the configured Graph version', () => {
    const url = world
      .providerWith({ dialogUrl: undefined, graphVersion: 'v24.0' })
      .authorization.buildAuthorizeUrl({ state: 's', redirectUri: 'https://conduit.example/cb' });
    expect(url).toMatch(/^https:\/\/www\.facebook\.com\/v24\.0\/dialog\/oauth\?/);
  });

  it('swaps the code for a long-lived token and lists the ad accounts as act_ ids', async () => {
    const tokens = await world.inspect<{ tokens: { kind: string }[] }>('/tokens');
    // The code exchange's short token, then the long-lived one the credentials hold.
    expect(tokens.tokens.map((token) => token.kind)).toContain('long');
    const { accounts } = await meta.authorization.checkHealth({ accessToken: world.accessToken });
    expect(accounts).toEqual([
      { id: AD_ACCOUNT, name: 'Emulated Ad Account One' },
      { id: AD_ACCOUNT_WITHOUT_TERMS, name: 'Emulated Ad Account Two (terms not accepted)' },
    ]);
  });

  it('signs every call with appsecret_proof and calls the configured Graph version', async () => {
    const before = world.running.emulator.requests.length;
    // The emulator requires the proof (fixture): a call without it, or with a wrong one, answers 100.
    await meta.authorization.listAccounts({ accessToken: world.accessToken });
    expect(on.requestsSince(before)).toEqual([expect.objectContaining({ code: null, version: 'v25.0' })]);
    const older = world.providerWith({ graphVersion: 'v24.0' });
    await older.authorization.listAccounts({ accessToken: world.accessToken });
    expect(world.running.emulator.requests.at(-1)).toMatchObject({ code: null, version: 'v24.0' });
  });

  it('says to reconnect when the token expired (190/463), and after the app was removed (revoke: 190/458)', async () => {
    const expiring = await world.logIn();
    world.running.emulator.expireTokens(expiring);
    const expired = await meta.authorization.checkHealth({ accessToken: expiring }).catch((error) => error);
    expect(expired).toBeInstanceOf(InvalidCredentialsError);
    expect(expired).toMatchObject({ providerCode: '190/463' });
    expect(expired.message).toMatch(/expired.*reconnect the Meta Ads authorization/s);
    expect(expired.message).not.toContain(expiring);

    const removed = await world.logIn();
    // Revoking removes the app for the person: every token of theirs dies, so use a second world.
    const other = await startMetaWorld();
    try {
      await other.provider.authorization.revoke({ accessToken: other.accessToken });
      const refused = await other.provider.authorization
        .checkHealth({ accessToken: other.accessToken })
        .catch((error) => error);
      expect(refused).toBeInstanceOf(InvalidCredentialsError);
      expect(refused).toMatchObject({ providerCode: '190/458' });
      expect(refused.message).toMatch(/removed the app.*reconnect/s);
      // Revoking a dead token again is not an error: there is nothing left to revoke.
      await expect(
        other.provider.authorization.revoke({ accessToken: other.accessToken }),
      ).resolves.toBeUndefined();
    } finally {
      await other.close();
    }
    await expect(meta.authorization.checkHealth({ accessToken: removed })).resolves.toBeDefined();
  });
});
