import {
  Authorization,
  AuthorizationService,
  CredentialCipher,
  generateEncryptionKeySpec,
  UnitOfWork,
} from '@conduit/domain';
import { createTestDatabase, type SeededCompany } from '@conduit/domain/testing';
import type { RunningEmulator } from '@conduit/tiktok-emulator';
import { EntityManager } from '@mikro-orm/core';
import { bearer, bootApi, MovableClock, type ApiHarness } from './api-harness';
import {
  ADVERTISERS,
  APP,
  CALLBACK,
  connectTikTok,
  PUBLIC_URL,
  startEmulator,
  tiktokEnv,
} from './tiktok-world';

const RETURN_PAGE = `${PUBLIC_URL}/oauth/result`;

/** What the browser lands on after the callback: the return URL's query. */
function outcomeOf(location: string | undefined): Record<string, string> {
  expect(location).toBeDefined();
  const url = new URL(location as string);
  expect(`${url.origin}${url.pathname}`).toBe(RETURN_PAGE);
  return Object.fromEntries(url.searchParams);
}

describe(`authorizations: OAuth with TikTok (emulator) (${process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite'})`, () => {
  let tiktok: RunningEmulator;
  let api: ApiHarness;
  const clock = new MovableClock();
  let acme: SeededCompany;
  let globex: SeededCompany;
  /** Every secret the suite saw: tokens, codes, the app secret. None may reach a response or a log. */
  const secrets = new Set<string>([APP.secret]);

  beforeAll(async () => {
    tiktok = await startEmulator();
    api = await bootApi({ env: tiktokEnv(tiktok), clock });
    acme = await api.seedCompany('Acme');
    globex = await api.seedCompany('Globex');
  });

  afterAll(async () => {
    await api?.close();
    await tiktok?.close();
  });

  afterEach(() => {
    clock.offsetMs = 0;
  });

  async function create(company: SeededCompany, name: string) {
    const response = await api.http
      .post('/authorizations')
      .set(bearer(company.apiKey))
      .send({ name, provider: 'tiktok' })
      .expect(201);
    return response.body as { id: string; authorizeUrl: string; status: string };
  }

  /** The browser at TikTok: opens the consent page, clicks Confirm, gets the callback URL back. */
  async function consent(authorizeUrl: string): Promise<URL> {
    const page = await fetch(authorizeUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(APP.name);
    const url = new URL(authorizeUrl);
    const callback = await tiktok.confirmConsent({
      state: url.searchParams.get('state') as string,
      redirectUri: url.searchParams.get('redirect_uri') as string,
    });
    const code = callback.searchParams.get('auth_code');
    if (code) secrets.add(code);
    return callback;
  }

  /** The browser back at Conduit: follows the callback, returns the outcome it is redirected with. */
  async function callback(url: URL): Promise<Record<string, string>> {
    expect(`${url.origin}${url.pathname}`).toBe(CALLBACK);
    const response = await api.http.get(`${url.pathname}${url.search}`).expect(303);
    return outcomeOf(response.headers['location']);
  }

  async function get(company: SeededCompany, id: string) {
    return (await api.http.get(`/authorizations/${id}`).set(bearer(company.apiKey)).expect(200)).body;
  }

  async function storedCredentials(id: string): Promise<{ accessToken: string }> {
    const credentials = await api.app
      .get(UnitOfWork)
      .run(() => api.app.get(AuthorizationService).credentialsFor(acme.companyId, id));
    secrets.add(credentials['accessToken']);
    return credentials as { accessToken: string };
  }

  it("sends TikTok the redirect URI its app registered (TIKTOK_REDIRECT_URI) instead of the API's callback route", async () => {
    const proxied = 'https://edge.conduit.test/oauth/callback/tiktok';
    const behindProxy = await bootApi({ env: tiktokEnv(tiktok, { TIKTOK_REDIRECT_URI: proxied }) });
    try {
      const company = await behindProxy.seedCompany('Proxied');
      const created = await behindProxy.http
        .post('/authorizations')
        .set(bearer(company.apiKey))
        .send({ name: 'TikTok — behind a proxy', provider: 'tiktok' })
        .expect(201);
      const authorizeUrl = new URL(created.body.authorizeUrl as string);
      expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(proxied);
    } finally {
      await behindProxy.close();
    }
  });

  it('connects an account end to end: create → consent page → Confirm → callback → AUTHENTICATED', async () => {
    const created = await create(acme, 'TikTok — Acme US');
    expect(created).toMatchObject({ status: 'PENDING', provider: 'tiktok', accounts: [], lastError: null });
    expect(created.id).toMatch(/^aut_[0-9A-Z]{26}$/);
    const authorizeUrl = new URL(created.authorizeUrl);
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${tiktok.url}/portal/auth`);
    expect(authorizeUrl.searchParams.get('app_id')).toBe(APP.appId);
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(CALLBACK);

    const outcome = await callback(await consent(created.authorizeUrl));
    expect(outcome).toEqual({ authorizationId: created.id, status: 'AUTHENTICATED' });

    const authorization = await get(acme, created.id);
    expect(authorization).toMatchObject({
      id: created.id,
      name: 'TikTok — Acme US',
      status: 'AUTHENTICATED',
      accounts: ADVERTISERS.map(({ advertiserId, name }) => ({ id: advertiserId, name })),
      createdBy: acme.apiKeyId,
      lastError: null,
    });
    expect(authorization.authenticatedAt).toEqual(expect.any(String));
    expect(authorization).not.toHaveProperty('authorizeUrl');
    const { accessToken } = await storedCredentials(created.id);
    expect(JSON.stringify(authorization)).not.toContain(accessToken);

    // The default return page tells the person in the browser.
    const page = await api.http.get(`/oauth/result?authorizationId=${created.id}&status=AUTHENTICATED`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Account connected');
  });

  it('stores the token only encrypted: the raw row holds no token, and a row copied elsewhere does not decrypt', async () => {
    const created = await create(acme, 'Raw row check');
    await callback(await consent(created.authorizeUrl));
    const { accessToken } = await storedCredentials(created.id);
    const em = api.app.get(EntityManager).fork();
    const rows = await em.getConnection().execute(`select * from authorizations where id = ?`, [created.id]);
    expect(rows).toHaveLength(1);
    const raw = JSON.stringify(rows[0]);
    expect(raw).not.toContain(accessToken);
    expect(raw).not.toContain(Buffer.from(accessToken).toString('base64'));
    const stored = rows[0]['encrypted_credentials'] as string;
    expect(stored).toMatch(/^v1:test:/);
    // The ciphertext is bound to its row: pasted onto another authorization it does not decrypt.
    expect(() => api.app.get(CredentialCipher).decrypt(stored, 'aut_SOMEOTHERROW')).toThrow();
  });

  it('binds credentials to their row: the right row decrypts, the same ciphertext pasted on another row does not', async () => {
    const original = await create(acme, 'Bound row');
    await callback(await consent(original.authorizeUrl));
    const other = await create(acme, 'Other row');
    await callback(await consent(other.authorizeUrl));
    const em = api.app.get(EntityManager).fork();
    const [row] = await em
      .getConnection()
      .execute(`select encrypted_credentials from authorizations where id = ?`, [original.id]);
    // An attacker with write access to the table copies one account's token onto another row.
    await em.nativeUpdate(
      Authorization,
      { id: other.id },
      { encryptedCredentials: row['encrypted_credentials'] },
    );
    await expect(storedCredentials(original.id)).resolves.toMatchObject({ accessToken: expect.any(String) });
    await expect(storedCredentials(other.id)).rejects.toThrow(/belongs to another record/);
  });

  it('rejects a replayed callback (the state is single use) without marking the healthy authorization', async () => {
    const created = await create(acme, 'Replay');
    const url = await consent(created.authorizeUrl);
    expect(await callback(url)).toMatchObject({ status: 'AUTHENTICATED' });
    const replay = await callback(url);
    expect(replay).toMatchObject({ authorizationId: created.id, error: 'STATE_ALREADY_USED' });
    expect(replay.message).toMatch(/already used/);
    // The replay is anyone's (the callback is unauthenticated): it tells the browser, it records nothing.
    clock.offsetMs = 10 * 60 * 1000 + 1000;
    expect(await callback(url)).toMatchObject({ error: 'STATE_EXPIRED' });
    const after = await get(acme, created.id);
    expect(after.status).toBe('AUTHENTICATED');
    expect(after.lastError).toBeNull();
  });

  it('answers a replay of a connected account with its status: a page saying it is already connected', async () => {
    const created = await create(acme, 'Replay page');
    const url = await consent(created.authorizeUrl);
    expect(await callback(url)).toMatchObject({ status: 'AUTHENTICATED' });
    const replay = await callback(url);
    expect(replay).toEqual({
      authorizationId: created.id,
      status: 'AUTHENTICATED',
      error: 'STATE_ALREADY_USED',
      message: expect.stringMatching(/already used/),
    });
    const page = await api.http.get(`/oauth/result?${new URLSearchParams(replay)}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Account already connected');
    expect(page.text).not.toMatch(/<p[^>]*>[^<]*POST /); // the API call only in the technical details
    expect((await get(acme, created.id)).lastError).toBeNull();
  });

  it('never marks a connected account when the same callback arrives twice at once', async () => {
    for (let round = 0; round < 5; round += 1) {
      const created = await create(acme, `Double submit ${round}`);
      const url = await consent(created.authorizeUrl);
      const outcomes = await Promise.all([callback(url), callback(url)]);
      // One completes; the other finds the state taken (the first may still be exchanging the code).
      expect(outcomes.filter((outcome) => outcome['error'] === 'STATE_ALREADY_USED')).toHaveLength(1);
      expect(outcomes.filter((outcome) => !outcome['error'])).toEqual([
        { authorizationId: created.id, status: 'AUTHENTICATED' },
      ]);
      expect(await get(acme, created.id)).toMatchObject({ status: 'AUTHENTICATED', lastError: null });
    }
  });

  it('rejects a superseded state (re-authorize issued a newer one), leaving the flow in progress alone', async () => {
    const created = await create(acme, 'Superseded');
    const first = await consent(created.authorizeUrl);
    const { authorizeUrl } = (
      await api.http.post(`/authorizations/${created.id}/reauthorize`).set(bearer(acme.apiKey)).expect(200)
    ).body;
    expect(await callback(first)).toMatchObject({ error: 'STATE_ALREADY_USED' });
    expect(await get(acme, created.id)).toMatchObject({ status: 'PENDING', accounts: [], lastError: null });
    // The newer URL still completes.
    expect(await callback(await consent(authorizeUrl))).toMatchObject({ status: 'AUTHENTICATED' });
  });

  it('rejects an expired state (10 minutes) and records why', async () => {
    const created = await create(acme, 'Expired');
    const url = await consent(created.authorizeUrl);
    clock.offsetMs = 10 * 60 * 1000 + 1000;
    const outcome = await callback(url);
    expect(outcome).toMatchObject({ authorizationId: created.id, status: 'PENDING', error: 'STATE_EXPIRED' });
    const after = await get(acme, created.id);
    expect(after.status).toBe('PENDING');
    expect(after.lastError.code).toBe('STATE_EXPIRED');
    expect(after.lastError.message).toMatch(/expired at .* POST \/authorizations\/aut_\w+\/reauthorize/);
  });

  it("never lets company A's state complete company B's authorization", async () => {
    const mine = await create(acme, 'A state');
    const theirs = await create(globex, 'B state');
    const url = await consent(mine.authorizeUrl);
    // Re-point A's signed state at B's authorization and company: the signature no longer matches.
    const [body, signature] = (url.searchParams.get('state') as string).split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    const forged = Buffer.from(JSON.stringify({ ...claims, a: theirs.id, c: globex.companyId })).toString(
      'base64url',
    );
    const tampered = new URL(url);
    tampered.searchParams.set('state', `${forged}.${signature}`);
    expect(await callback(tampered)).toEqual({
      error: 'STATE_INVALID',
      message: expect.stringMatching(/not issued by this Conduit/),
    });
    expect(await get(globex, theirs.id)).toMatchObject({ status: 'PENDING', accounts: [] });
    // A's untampered callback completes A's authorization only.
    expect(await callback(url)).toMatchObject({ authorizationId: mine.id, status: 'AUTHENTICATED' });
    expect((await get(globex, theirs.id)).status).toBe('PENDING');
    // And B cannot see it.
    await api.http.get(`/authorizations/${mine.id}`).set(bearer(globex.apiKey)).expect(404);
  });

  it('rejects a missing, garbage or unsigned state without touching any authorization', async () => {
    const noState = await api.http.get('/oauth/callback/tiktok?auth_code=abc').expect(303);
    expect(outcomeOf(noState.headers['location'])).toMatchObject({ error: 'STATE_MISSING' });
    const garbage = await api.http.get('/oauth/callback/tiktok?auth_code=abc&state=hello').expect(303);
    expect(outcomeOf(garbage.headers['location'])).toMatchObject({ error: 'STATE_INVALID' });
    const page = await api.http.get(
      `/oauth/result?error=STATE_INVALID&message=${encodeURIComponent('<script>x</script>')}`,
    );
    expect(page.status).toBe(400);
    expect(page.text).not.toContain('<script>');
  });

  it('renders a plain, self-contained return page, never an empty "()" for missing parameters', async () => {
    const empty = await api.http.get('/oauth/result').expect(400);
    expect(empty.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(empty.text).toContain('The account was not connected');
    expect(empty.text).toContain('The connection did not complete.');
    expect(empty.text).not.toContain('()');
    expect(empty.text).not.toContain('Technical details'); // nothing to detail
    expect(empty.text).toMatch(/<style>[^<]*body \{/);
    expect(empty.text).not.toMatch(/<script|<link|\ssrc=|url\(/i);
    const expired = await api.http
      .get('/oauth/result?authorizationId=aut_1&status=PENDING&error=STATE_EXPIRED&message=')
      .expect(400);
    expect(expired.text).toContain('This link expired before access was granted.');
    expect(expired.text).not.toContain('()');
  });

  it('reports a reused auth_code (TikTok 40110) as a readable error on the authorization', async () => {
    const first = await create(acme, 'Code reuse 1');
    const used = await consent(first.authorizeUrl);
    await callback(used);
    const second = await create(acme, 'Code reuse 2');
    const url = new URL(used);
    url.searchParams.set('state', new URL(second.authorizeUrl).searchParams.get('state') as string);
    const outcome = await callback(url);
    expect(outcome).toMatchObject({
      authorizationId: second.id,
      status: 'ERROR',
      error: 'PROVIDER_REJECTED',
    });
    expect(outcome.message).toMatch(/authorization code.*40110|40110.*authorization code/s);
    expect(await get(acme, second.id)).toMatchObject({
      status: 'ERROR',
      lastError: { code: 'PROVIDER_REJECTED', message: outcome.message },
    });
  });

  it('reports TikTok down (HTTP 5xx) during the exchange, then connects on a retry', async () => {
    const created = await create(acme, 'Provider down');
    const url = await consent(created.authorizeUrl);
    tiktok.emulator.scheduleFault({ path: '/oauth2/access_token/', outcome: 'http5xx', times: 1 });
    const outcome = await callback(url);
    expect(outcome).toMatchObject({ authorizationId: created.id, error: 'PROVIDER_UNAVAILABLE' });
    expect(outcome.message).toMatch(/TikTok.*reauthorize/s);
    expect((await get(acme, created.id)).status).toBe('ERROR');

    const again = await api.http
      .post(`/authorizations/${created.id}/reauthorize`)
      .set(bearer(acme.apiKey))
      .expect(200);
    expect(again.body.status).toBe('PENDING');
    expect(await callback(await consent(again.body.authorizeUrl))).toMatchObject({ status: 'AUTHENTICATED' });
    expect(await get(acme, created.id)).toMatchObject({ status: 'AUTHENTICATED', lastError: null });
  });

  it('records a refused consent (error=access_denied) and consumes the state', async () => {
    const created = await create(acme, 'Denied');
    const state = new URL(created.authorizeUrl).searchParams.get('state') as string;
    const url = new URL(CALLBACK);
    url.searchParams.set('error', 'access_denied');
    url.searchParams.set('error_description', 'The user declined');
    url.searchParams.set('state', state);
    const denied = await callback(url);
    expect(denied).toMatchObject({ authorizationId: created.id, status: 'ERROR', error: 'CONSENT_DENIED' });
    // The browser is told in plain words; the API call is only in the technical details.
    const page = await api.http.get(`/oauth/result?${new URLSearchParams(denied)}`).expect(400);
    expect(page.text).toContain('Access was not granted.');
    expect(page.text).toContain(`POST /authorizations/${created.id}/reauthorize returns a new authorize URL`);
    expect(page.text.indexOf('POST /authorizations')).toBeGreaterThan(page.text.indexOf('Technical details'));
    expect((await get(acme, created.id)).lastError.message).toMatch(/did not grant access.*declined/);
    const late = new URL(CALLBACK);
    late.searchParams.set('auth_code', 'whatever');
    late.searchParams.set('state', state);
    expect(await callback(late)).toMatchObject({ error: 'STATE_ALREADY_USED' });
  });

  it('lists, filters, renames and deletes (revoking the token at TikTok)', async () => {
    const created = await create(acme, 'To delete');
    await callback(await consent(created.authorizeUrl));
    const { accessToken } = await storedCredentials(created.id);

    const list = await api.http
      .get('/authorizations?status=AUTHENTICATED&provider=tiktok&limit=200')
      .set(bearer(acme.apiKey))
      .expect(200);
    expect(list.body.data.map((entry: { id: string }) => entry.id)).toContain(created.id);
    expect(list.body.data.every((entry: { status: string }) => entry.status === 'AUTHENTICATED')).toBe(true);
    const bad = await api.http.get('/authorizations?status=GOOD').set(bearer(acme.apiKey)).expect(400);
    expect(bad.body.details).toEqual([expect.objectContaining({ field: 'status' })]);

    const renamed = await api.http
      .patch(`/authorizations/${created.id}`)
      .set(bearer(acme.apiKey))
      .send({ name: '  Renamed  ' })
      .expect(200);
    expect(renamed.body.name).toBe('Renamed');
    const taken = await api.http
      .patch(`/authorizations/${created.id}`)
      .set(bearer(acme.apiKey))
      .send({ name: 'TikTok — Acme US' })
      .expect(409);
    expect(taken.body).toMatchObject({ code: 'AUTHORIZATION_NAME_TAKEN' });
    expect(taken.body.details).toEqual([expect.objectContaining({ field: 'name', rule: 'unique' })]);

    const deleted = await api.http
      .delete(`/authorizations/${created.id}`)
      .set(bearer(acme.apiKey))
      .expect(200);
    expect(deleted.body).toEqual({
      id: created.id,
      deleted: true,
      revokedAtProvider: true,
      detachedDestinations: [],
    });
    await api.http.get(`/authorizations/${created.id}`).set(bearer(acme.apiKey)).expect(404);
    // TikTok no longer accepts the token.
    const check = await fetch(`${tiktok.apiBaseUrl}/user/info/`, {
      headers: { 'Access-Token': accessToken },
    });
    expect(((await check.json()) as { code: number }).code).not.toBe(0);
  });

  it("hides company A's authorizations from company B: get, rename, reauthorize, delete are 404", async () => {
    const created = await create(acme, 'Private');
    const path = `/authorizations/${created.id}`;
    for (const response of [
      await api.http.get(path).set(bearer(globex.apiKey)),
      await api.http.patch(path).set(bearer(globex.apiKey)).send({ name: 'Mine now' }),
      await api.http.post(`${path}/reauthorize`).set(bearer(globex.apiKey)),
      await api.http.delete(path).set(bearer(globex.apiKey)),
    ]) {
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('AUTHORIZATION_NOT_FOUND');
    }
    const list = await api.http.get('/authorizations').set(bearer(globex.apiKey)).expect(200);
    expect(list.body.data.map((entry: { id: string }) => entry.id)).not.toContain(created.id);
    expect((await get(acme, created.id)).name).toBe('Private');
  });

  it('validates input: name, unknown provider', async () => {
    const missing = await api.http.post('/authorizations').set(bearer(acme.apiKey)).send({}).expect(400);
    expect(
      [...new Set(missing.body.details.map((detail: { field: string }) => detail.field))].sort(),
    ).toEqual(['name', 'provider']);
    const unknown = await api.http
      .post('/authorizations')
      .set(bearer(acme.apiKey))
      .send({ name: 'x', provider: 'myspace' })
      .expect(400);
    expect(unknown.body.details).toEqual([
      expect.objectContaining({ field: 'provider', message: 'must be one of: tiktok' }),
    ]);
  });

  it('puts no token, code or app secret in any response body or log line', () => {
    const logs = api.logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).toContain('/oauth/callback/tiktok');
    expect(secrets.size).toBeGreaterThan(5);
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });
});

describe('authorizations: deployment problems', () => {
  let tiktok: RunningEmulator;

  beforeAll(async () => {
    tiktok = await startEmulator();
  });

  afterAll(() => tiktok.close());

  it('refuses to start an authorization for a provider this Conduit has not configured', async () => {
    const api = await bootApi({ env: { TIKTOK_APP_ID: '', TIKTOK_APP_SECRET: '' } });
    try {
      const company = await api.seedCompany('Acme');
      const response = await api.http
        .post('/authorizations')
        .set(bearer(company.apiKey))
        .send({ name: 'TikTok', provider: 'tiktok' })
        .expect(422);
      expect(response.body).toMatchObject({ code: 'PROVIDER_NOT_CONFIGURED' });
      expect(response.body.message).toMatch(/TIKTOK_APP_ID and TIKTOK_APP_SECRET/);
      const list = await api.http.get('/authorizations').set(bearer(company.apiKey)).expect(200);
      expect(list.body.data).toEqual([]);
    } finally {
      await api.close();
    }
  });

  it('reports a wrong app secret (TikTok 40101) on the authorization without quoting the secret', async () => {
    const wrongSecret = 'not-the-emulator-secret';
    const api = await bootApi({ env: tiktokEnv(tiktok, { TIKTOK_APP_SECRET: wrongSecret }) });
    try {
      const company = await api.seedCompany('Acme');
      const created = await api.http
        .post('/authorizations')
        .set(bearer(company.apiKey))
        .send({ name: 'TikTok', provider: 'tiktok' })
        .expect(201);
      const url = new URL(created.body.authorizeUrl);
      const back = await tiktok.confirmConsent({
        state: url.searchParams.get('state') as string,
        redirectUri: CALLBACK,
      });
      const response = await api.http.get(`${back.pathname}${back.search}`).expect(303);
      const outcome = outcomeOf(response.headers['location']);
      expect(outcome).toMatchObject({ error: 'PROVIDER_REJECTED' });
      expect(outcome.message).toMatch(/developer app credentials.*40101|40101.*developer app credentials/s);
      const authorization = await api.http
        .get(`/authorizations/${created.body.id}`)
        .set(bearer(company.apiKey))
        .expect(200);
      expect(authorization.body).toMatchObject({ status: 'ERROR', lastError: { code: 'PROVIDER_REJECTED' } });
      const everything = `${api.logs.join('\n')} ${JSON.stringify(authorization.body)} ${response.headers['location']}`;
      expect(everything).not.toContain(wrongSecret);
      expect(everything).not.toContain(back.searchParams.get('auth_code'));
    } finally {
      await api.close();
    }
  });

  it('rotates the encryption key: old rows still decrypt, credentials:reencrypt moves them to the new key', async () => {
    const db = await createTestDatabase();
    const oldKey = generateEncryptionKeySpec('old');
    const newKey = generateEncryptionKeySpec('new');
    try {
      const before = await bootApi({ db, env: tiktokEnv(tiktok, { CONDUIT_ENCRYPTION_KEYS: oldKey }) });
      const company = await before.seedCompany('Acme');
      const authorizationId = await connectTikTok(before, tiktok, company, 'TikTok');
      await before.close();

      const after = await bootApi({
        db,
        env: tiktokEnv(tiktok, { CONDUIT_ENCRYPTION_KEYS: `${newKey},${oldKey}` }),
      });
      try {
        const keyOf = async () => {
          const rows = await after.app
            .get(EntityManager)
            .fork()
            .find(Authorization, { id: authorizationId }, { fields: ['encryptedCredentials'] });
          return (rows[0].encryptedCredentials as string).split(':')[1];
        };
        const service = after.app.get(AuthorizationService);
        const read = () =>
          after.app.get(UnitOfWork).run(() => service.credentialsFor(company.companyId, authorizationId));
        const credentials = await read();
        expect(await keyOf()).toBe('old');
        expect(await after.app.get(UnitOfWork).run(() => service.reencryptAll())).toBe(1);
        expect(await keyOf()).toBe('new');
        expect(await read()).toEqual(credentials);
        expect(await after.app.get(UnitOfWork).run(() => service.reencryptAll())).toBe(0);
      } finally {
        await after.close();
      }
    } finally {
      await db.destroy();
    }
  });
});
