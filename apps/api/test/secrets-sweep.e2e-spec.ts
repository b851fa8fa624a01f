import { hkdfSync, randomBytes } from 'node:crypto';
import {
  AuthorizationService,
  generateEncryptionKeySpec,
  JobRunner,
  parseEncryptionKeys,
  UnitOfWork,
} from '@conduit/domain';
import type { SeededCompany } from '@conduit/domain/testing';
import type { RunningEmulator } from '@conduit/tiktok-emulator';
import { EntityManager } from '@mikro-orm/core';
import { Client } from 'pg';
import { actingAs, bearer, bootApi, type ApiHarness } from './api-harness';
import {
  binaryForms,
  recordResponses,
  secretsIn,
  storedRows,
  type RecordedResponse,
  type Secret,
} from './secret-scan';
import { DEMO_CSV, DEMO_SQLITE_PATH, writeDemoSqlite } from './tenant-world';
import { ADVERTISERS, APP, CALLBACK, startEmulator, tiktokEnv } from './tiktok-world';
import { startTikTokWiretap, type TikTokWiretap } from './tiktok-wiretap';

// The whole flow, two OAuth round trips with failures in between, four materializations.
jest.setTimeout(60_000);

const database = process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite';
/** The PostgreSQL server the data source lives on (the one the suites use, or the local default). */
const POSTGRES_SERVER = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A least-privilege role with a password, and a table it may read, on the local PostgreSQL server:
 * what an operator registers as a data source. Trust authentication ignores the password, which is
 * all the sweep needs: Conduit holds it, and must never show it.
 */
async function createDataSourceRole(password: string) {
  const suffix = randomBytes(5).toString('hex');
  const role = `sweep_reader_${suffix}`;
  const table = `sweep_customers_${suffix}`;
  const admin = async (sql: string[]) => {
    const client = new Client({ connectionString: POSTGRES_SERVER });
    await client.connect();
    try {
      for (const statement of sql) await client.query(statement);
    } finally {
      await client.end();
    }
  };
  const server = new URL(POSTGRES_SERVER);
  const databaseName = decodeURIComponent(server.pathname.slice(1));
  await admin([
    `CREATE TABLE "${table}" (email text, country text)`,
    `INSERT INTO "${table}" VALUES ('ada@example.com', 'FR'), ('bob@example.com', 'DE')`,
    `CREATE ROLE "${role}" LOGIN PASSWORD '${password}'`,
    `GRANT CONNECT ON DATABASE "${databaseName}" TO "${role}"`,
    `GRANT USAGE ON SCHEMA public TO "${role}"`,
    `GRANT SELECT ON "${table}" TO "${role}"`,
  ]);
  const url = new URL(POSTGRES_SERVER);
  url.username = role;
  url.password = password;
  return {
    url: url.toString(),
    table,
    drop: () => admin([`DROP TABLE IF EXISTS "${table}"`, `DROP OWNED BY "${role}"`, `DROP ROLE "${role}"`]),
  };
}

describe(`secrets sweep: the whole flow at debug logging (${database})`, () => {
  let tiktok: RunningEmulator;
  let wiretap: TikTokWiretap;
  let api: ApiHarness;
  let responses: RecordedResponse[];
  let acme: SeededCompany;
  let globex: SeededCompany;
  let authorizationId: string;
  let dataSource: Awaited<ReturnType<typeof createDataSourceRole>>;
  const encryptionKeys = `${generateEncryptionKeySpec('current')},${generateEncryptionKeySpec('previous')}`;
  const dataSourcePassword = `Pw-${randomBytes(12).toString('base64url')}`;
  /** API keys as `[full key, the part no listing shows]`; the shown prefix is not secret. */
  const apiKeys: string[] = [];
  /** Auth codes the browser carried back from TikTok's consent page. */
  const authCodes = new Set<string>();
  /** Consents that ended AUTHENTICATED: TikTok issued one access token for each. */
  let connections = 0;

  beforeAll(async () => {
    tiktok = await startEmulator();
    wiretap = await startTikTokWiretap(tiktok);
    dataSource = await createDataSourceRole(dataSourcePassword);
    api = await bootApi({
      env: {
        ...tiktokEnv(tiktok, { TIKTOK_API_BASE_URL: wiretap.apiBaseUrl }),
        CONDUIT_ENCRYPTION_KEYS: encryptionKeys,
        DATA_SOURCE_ALLOWED_HOSTS: '127.0.0.1,localhost',
      },
    });
    responses = recordResponses(api.app.getHttpServer());
    acme = await api.seedCompany('Acme');
    globex = await api.seedCompany('Globex');
    apiKeys.push(acme.apiKey, globex.apiKey);
  });

  afterAll(async () => {
    await api?.close();
    await wiretap?.close();
    await tiktok?.close();
    await dataSource?.drop();
  });

  const as = (company: SeededCompany) => actingAs(api, company);
  const settle = () => api.app.get(JobRunner).idle();

  /** The person at TikTok clicks Confirm; returns the callback URL (its auth_code kept as a secret). */
  async function consent(authorizeUrl: string): Promise<URL> {
    const callback = await tiktok.confirmConsent({
      state: new URL(authorizeUrl).searchParams.get('state') as string,
      redirectUri: CALLBACK,
    });
    authCodes.add(callback.searchParams.get('auth_code') as string);
    return callback;
  }

  /** The browser follows the callback; returns the outcome Conduit redirects it to. */
  async function callback(url: URL): Promise<Record<string, string>> {
    const response = await api.http.get(`${url.pathname}${url.search}`).expect(303);
    const outcome = Object.fromEntries(new URL(response.headers['location'] as string).searchParams);
    // A failure names the authorization's status too (a replay may meet a connected account).
    if (outcome['status'] === 'AUTHENTICATED' && !outcome['error']) connections++;
    return outcome;
  }

  async function reauthorize(): Promise<string> {
    const response = await as(acme).post(`/authorizations/${authorizationId}/reauthorize`).expect(200);
    return response.body.authorizeUrl;
  }

  it('creates, uses and revokes API keys; a revoked or malformed key is refused', async () => {
    await as(acme).patch('/companies/me', { name: 'Acme Inc' }).expect(200);
    const airflow = await as(acme).post('/api-keys', { name: 'Airflow' }).expect(201);
    const temporary = await as(acme).post('/api-keys', { name: 'temporary' }).expect(201);
    apiKeys.push(airflow.body.secret, temporary.body.secret);
    await api.http.get('/companies/me').set(bearer(airflow.body.secret)).expect(200);
    await as(acme).post(`/api-keys/${temporary.body.id}/revoke`).expect(200);
    await api.http.get('/api-keys').set(bearer(temporary.body.secret)).expect(401);
    await api.http.get('/api-keys').set('Authorization', `Basic ${airflow.body.secret}`).expect(401);
    await api.http
      .get('/api-keys')
      .set('Authorization', `Bearer ${airflow.body.secret} trailing`)
      .expect(401);
    const listed = await as(acme).get('/api-keys').expect(200);
    expect(listed.body.data).toHaveLength(3);
  });

  it('connects TikTok through the emulator, creates, shares and resolves a destination', async () => {
    const created = await as(acme)
      .post('/authorizations', { name: 'Acme TikTok', provider: 'tiktok' })
      .expect(201);
    authorizationId = created.body.id;
    expect(await callback(await consent(created.body.authorizeUrl))).toMatchObject({
      status: 'AUTHENTICATED',
    });
    const collaboration = await as(acme)
      .post('/collaborations', { name: 'Acme x Globex', memberCompanyIds: [globex.companyId] })
      .expect(201);
    const destination = await as(acme)
      .post('/destinations', {
        name: 'TikTok spring',
        provider: 'tiktok',
        authorizationId,
        config: {
          advertiserId: ADVERTISERS[0].advertiserId,
          audienceName: 'Spring sale buyers',
          action: 'Create',
        },
        editableFields: ['audienceName'],
      })
      .expect(201);
    const path = `/destinations/${destination.body.id}`;
    await as(acme)
      .post(`${path}/shares`, { collaborationId: collaboration.body.id, companyId: globex.companyId })
      .expect(201);
    await as(globex)
      .post(`${path}/resolve`, {
        collaborationId: collaboration.body.id,
        overrides: { audienceName: 'Globex buyers list' },
      })
      .expect(200);
    await as(acme).get(`${path}/history`).expect(200);
    await as(acme).get(`${path}/shares`).expect(200);
    await as(acme).patch(path, { name: 'TikTok spring (renamed)' }).expect(200);
  });

  it('records failed consents on the authorization: TikTok down, a used code, a revoked token', async () => {
    // TikTok answers 5xx to the code exchange.
    const downUrl = await consent(await reauthorize());
    tiktok.emulator.scheduleFault({ path: '/oauth2/access_token/', outcome: 'http5xx', times: 1 });
    expect(await callback(downUrl)).toMatchObject({ error: 'PROVIDER_UNAVAILABLE' });

    // A fresh consent whose code Conduit exchanges, then a replay of that used code under a new state.
    const fresh = await consent(await reauthorize());
    expect(await callback(fresh)).toMatchObject({ status: 'AUTHENTICATED' });
    const replay = new URL(fresh);
    replay.searchParams.set('state', new URL(await reauthorize()).searchParams.get('state') as string);
    expect(await callback(replay)).toMatchObject({ error: 'PROVIDER_REJECTED' });

    // Reauthorized, then the advertiser revokes the token in TikTok: the health check records it.
    expect(await callback(await consent(await reauthorize()))).toMatchObject({ status: 'AUTHENTICATED' });
    tiktok.emulator.revokeTokens({ advertiserId: ADVERTISERS[0].advertiserId });
    await api.app.get(UnitOfWork).run(() => api.app.get(AuthorizationService).checkDue(0, 100));
    const revoked = await as(acme).get(`/authorizations/${authorizationId}`).expect(200);
    expect(revoked.body).toMatchObject({ status: 'REVOKED', lastError: { code: expect.any(String) } });
  });

  it('deletes an authorization, revoking its token at TikTok', async () => {
    const created = await as(acme)
      .post('/authorizations', { name: 'Short-lived', provider: 'tiktok' })
      .expect(201);
    expect(await callback(await consent(created.body.authorizeUrl))).toMatchObject({
      status: 'AUTHENTICATED',
    });
    const deleted = await as(acme).delete(`/authorizations/${created.body.id}`).expect(200);
    expect(deleted.body).toMatchObject({ deleted: true, revokedAtProvider: true });
  });

  it('registers SQLite and PostgreSQL data sources (one unreachable) and runs segments, failing ones too', async () => {
    const collaborationId = (await as(acme).get('/collaborations').expect(200)).body.data[0].id as string;
    const segments = `/collaborations/${collaborationId}/segments`;
    writeDemoSqlite(api, acme.companyId);
    const sqlite = await as(acme)
      .post('/data-sources', { name: 'Demo CRM', kind: 'SQLITE', path: DEMO_SQLITE_PATH })
      .expect(201);
    const postgres = await as(acme)
      .post('/data-sources', { name: 'Warehouse', kind: 'POSTGRESQL', url: dataSource.url })
      .expect(201);
    const unreachable = new URL(dataSource.url);
    unreachable.port = '1';
    const refused = await as(acme).post('/data-sources', {
      name: 'Nowhere',
      kind: 'POSTGRESQL',
      url: unreachable.toString(),
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);

    const keyColumns = [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }];
    const sql = (name: string, dataSourceId: string, query: string) =>
      as(acme)
        .post(segments, { name, source: { type: 'sql', dataSourceId, query }, keyColumns })
        .expect(201);
    const fromPostgres = await sql(
      'Warehouse customers',
      postgres.body.id,
      `SELECT email, country FROM "${dataSource.table}"`,
    );
    const brokenQuery = await sql('Broken query', postgres.body.id, 'SELECT email FROM no_such_table');
    const fromSqlite = await sql('Demo customers', sqlite.body.id, 'SELECT email, country FROM customers');
    const upload = await as(acme)
      .post(segments, { name: 'Uploaded', source: { type: 'upload' }, keyColumns })
      .expect(201);
    const badUpload = await as(acme)
      .post(segments, { name: 'Bad upload', source: { type: 'upload' }, keyColumns })
      .expect(201);
    const put = (id: string, csv: string) =>
      api.http
        .put(`${segments}/${id}/upload`)
        .set(bearer(acme.apiKey))
        .attach('file', Buffer.from(csv), 'segment.csv')
        .expect(202);
    await put(upload.body.id, DEMO_CSV);
    await put(badUpload.body.id, 'email,country\n"unterminated,FR\n');
    await settle();
    await as(acme).post(`${segments}/${fromPostgres.body.id}/refresh`).expect(202);
    await settle();

    const status = async (id: string) => (await as(acme).get(`${segments}/${id}`).expect(200)).body;
    for (const id of [fromPostgres.body.id, fromSqlite.body.id, upload.body.id]) {
      expect(await status(id)).toMatchObject({ status: 'READY', rowCount: 2 });
      await as(acme).get(`${segments}/${id}/rows?limit=2`).expect(200);
    }
    for (const id of [brokenQuery.body.id, badUpload.body.id]) {
      expect(await status(id)).toMatchObject({ status: 'FAILED', errorMessage: expect.any(String) });
    }
  });

  it('shows no secret in any log line, response (body or headers) or stored row', async () => {
    // The wiretap saw the app secret and every code go to TikTok, and one token come back per consent.
    expect(wiretap.credentials).toContain(APP.secret);
    expect([...authCodes].filter((code) => !wiretap.credentials.has(code))).toEqual([]);
    const accessTokens = [...wiretap.credentials].filter(
      (value) => value !== APP.secret && !authCodes.has(value),
    );
    expect(accessTokens).toHaveLength(connections);
    expect(apiKeys).toHaveLength(4);

    // The encryption keys, as configured and as bytes; the OAuth state key derived from each (HKDF, as
    // oauth-state.ts does): a state's signature must not reveal it either.
    const keyMaterial = parseEncryptionKeys(encryptionKeys).keys.flatMap(({ id, key }) => [
      ...binaryForms(`encryption key ${id}`, key),
      ...binaryForms(
        `OAuth state key of ${id}`,
        Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'conduit/oauth-state', 32)),
      ),
    ]);
    const listedPrefixes = (await as(acme).get('/api-keys').expect(200)).body.data
      .concat((await as(globex).get('/api-keys').expect(200)).body.data)
      .map((key: { prefix: string }) => key.prefix) as string[];
    const secrets: Secret[] = [
      { label: 'CONDUIT_ENCRYPTION_KEYS', value: encryptionKeys },
      ...keyMaterial,
      { label: 'TikTok app secret', value: APP.secret },
      { label: 'data-source password', value: dataSourcePassword },
      ...apiKeys.flatMap((key, index) => {
        const prefix = listedPrefixes.find((candidate) => key.startsWith(candidate)) as string;
        return [
          { label: `API key ${index + 1}`, value: key },
          { label: `API key ${index + 1} (secret part)`, value: key.slice(prefix.length) },
        ];
      }),
      ...[...authCodes].map((value, index) => ({ label: `TikTok auth code ${index + 1}`, value })),
      ...accessTokens.map((value, index) => ({ label: `TikTok access token ${index + 1}`, value })),
    ];

    const hits: string[] = [];
    const lines = api.logs
      .join('')
      .split('\n')
      .filter((line) => line.length > 0);
    lines.forEach((line, index) =>
      secretsIn(line, secrets).forEach((label) => hits.push(`log line ${index + 1}: ${label}`)),
    );
    for (const response of responses) {
      // A new key's secret is shown once, in the answer that created it (README, "API at a glance"): only there.
      const created =
        response.request === 'POST /api-keys' && response.status === 201
          ? (JSON.parse(response.body) as { secret: string }).secret
          : undefined;
      const shown = secrets.filter((secret) => !created || !created.includes(secret.value));
      for (const label of secretsIn(`${response.headers}\n${response.body}`, shown)) {
        hits.push(`${response.request} → ${response.status}: ${label}`);
      }
    }
    const em = api.app.get(EntityManager).fork();
    const rows = await storedRows(em);
    for (const { table, row } of rows) {
      secretsIn(row, secrets).forEach((label) => hits.push(`table ${table}: ${label}`));
    }
    // The failures left their messages where the sweep reads them: the revoked authorization, the
    // failed SQL query and the broken upload.
    const errors = rows.filter(({ row }) => /"(last_error_message|error_message)":"[^"]/.test(row));
    expect(errors.map(({ table }) => table)).toEqual(['authorizations', 'segments', 'segments']);

    process.stdout.write(
      `secrets sweep (${database}): ${secrets.length} secret values; ${lines.length} log lines, ` +
        `${responses.length} responses (bodies and headers), ${rows.length} rows in ${new Set(rows.map((r) => r.table)).size} tables ` +
        `scanned (${errors.length} with a stored error); ${wiretap.calls} TikTok calls tapped; ${hits.length} hits\n`,
    );
    expect(hits).toEqual([]);
  });
});
