import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { companySqliteFolder, JobRunner } from '@conduit/domain';
import { createReaderRole, type SeededCompany } from '@conduit/domain/testing';
import Database from 'libsql';
import { bearer, bootApi, type ApiHarness } from './api-harness';

jest.setTimeout(60_000);

const postgres = process.env['DATABASE_URL'];
const COULD_NOT_CONNECT =
  /^Conduit could not connect to the data source\. Check the host, port, database, role and password/;

/**
 * The data-source attacks of the security review, over HTTP: a tenant must reach only its own files,
 * only hosts the operator allows, never as a superuser, never learn what listens on an internal port,
 * and never stall the API with a slow query.
 */
describe(`data sources: isolation and hardening (${postgres ? 'PostgreSQL' : 'SQLite'})`, () => {
  let api: ApiHarness;
  let acme: SeededCompany;
  let globex: SeededCompany;
  let dataDir: string;

  beforeAll(async () => {
    api = await bootApi({ env: { SEGMENT_SQL_TIMEOUT_SECONDS: '3' } });
    dataDir = api.db.env['CONDUIT_DATA_DIR'];
    [acme, globex] = [await api.seedCompany('Acme'), await api.seedCompany('Globex')];
    for (const company of [acme, globex]) {
      const folder = companySqliteFolder(dataDir, company.companyId);
      mkdirSync(folder, { recursive: true });
      const db = new Database(join(folder, 'crm.sqlite'));
      db.exec("CREATE TABLE customers (email TEXT); INSERT INTO customers VALUES ('jane@example.com')");
      db.close();
    }
    symlinkSync(
      join(dataDir, 'conduit.sqlite'),
      join(companySqliteFolder(dataDir, globex.companyId), 'link.sqlite'),
    );
  });

  afterAll(async () => {
    await api?.close();
  });

  const register = (company: SeededCompany, body: object) =>
    api.http
      .post('/data-sources')
      .set(bearer(company.apiKey))
      .send({ name: 'Source', ...body });

  describe('SQLite: only files of the company’s own folder', () => {
    it.each([
      ['the platform database', 'conduit.sqlite'],
      ['the platform database through ..', '../../conduit.sqlite'],
      ['another company’s file', 'OTHER/crm.sqlite'],
      ['an absolute path', '/etc/passwd'],
      ['a link inside the folder pointing outside it', 'link.sqlite'],
    ])('refuses %s', async (_what, path) => {
      const response = await register(globex, {
        kind: 'SQLITE',
        path: path.replace('OTHER', `../${acme.companyId}`),
      }).expect(400);
      expect(response.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [expect.objectContaining({ field: 'path', rule: 'sqliteFile' })],
      });
      expect(response.body.message).toMatch(/your company's data-source folder/);
    });

    it('registers its own file, lists it, and deletes it; other companies never see it', async () => {
      const created = await register(acme, { kind: 'SQLITE', path: 'crm.sqlite' }).expect(201);
      expect(created.body).toMatchObject({ kind: 'SQLITE', location: 'crm.sqlite' });
      const mine = await api.http.get('/data-sources').set(bearer(acme.apiKey)).expect(200);
      expect(mine.body.data.map((source: { id: string }) => source.id)).toContain(created.body.id);
      const theirs = await api.http.get('/data-sources').set(bearer(globex.apiKey)).expect(200);
      expect(theirs.body.data.map((source: { id: string }) => source.id)).not.toContain(created.body.id);
      await api.http.delete(`/data-sources/${created.body.id}`).set(bearer(globex.apiKey)).expect(404);
      await api.http.delete(`/data-sources/${created.body.id}`).set(bearer(acme.apiKey)).expect(204);
      await api.http.delete(`/data-sources/${created.body.id}`).set(bearer(acme.apiKey)).expect(404);
    });
  });

  describe('PostgreSQL: only allowed hosts, one message for every failed connection', () => {
    it('refuses an internal host the operator has not allowed, before connecting', async () => {
      const response = await register(acme, {
        kind: 'POSTGRESQL',
        url: 'postgres://reader@127.0.0.1:6379/crm',
      }).expect(422);
      expect(response.body).toMatchObject({ code: 'DATA_SOURCE_HOST_NOT_ALLOWED' });
      expect(response.body.message).toMatch(/DATA_SOURCE_ALLOWED_HOSTS/);
      const metadata = await register(acme, {
        kind: 'POSTGRESQL',
        url: 'postgres://r@169.254.169.254:80/x',
      }).expect(422);
      expect(metadata.body.code).toBe('DATA_SOURCE_HOST_NOT_ALLOWED');
    });

    it('refuses URL parameters that read server files, naming the parameter', async () => {
      const response = await register(acme, {
        kind: 'POSTGRESQL',
        url: 'postgres://reader@db.example.com/crm?sslrootcert=/nonexistent',
      }).expect(400);
      expect(response.body.details).toEqual([expect.objectContaining({ field: 'url', rule: 'postgresUrl' })]);
      expect(response.body.message).toMatch(/parameter "sslrootcert"/);
    });
  });

  describe('with loopback allowed by the operator', () => {
    let open: ApiHarness;
    beforeAll(async () => {
      open = await bootApi({ db: api.db, env: { DATA_SOURCE_ALLOWED_HOSTS: '127.0.0.1,localhost,::1' } });
    });
    afterAll(async () => {
      await open?.close();
    });

    it('answers a closed port, Redis, MariaDB and an unknown role with the same words (details only in the server log)', async () => {
      const urls = [
        'postgres://reader@127.0.0.1:1/crm',
        'postgres://reader@127.0.0.1:6379/crm',
        'postgres://reader@127.0.0.1:3306/crm',
        'postgres://no_such_role_here@127.0.0.1:5432/no_such_database',
      ];
      const messages = new Set<string>();
      for (const url of urls) {
        const response = await open.http
          .post('/data-sources')
          .set(bearer(acme.apiKey))
          .send({ name: 'Probe', kind: 'POSTGRESQL', url })
          .expect(422);
        expect(response.body.code).toBe('DATA_SOURCE_UNREACHABLE');
        expect(response.body.message).toMatch(COULD_NOT_CONNECT);
        messages.add(JSON.stringify(response.body.details) + response.body.message);
      }
      expect(messages.size).toBe(1);
      const body = JSON.stringify(messages);
      expect(body).not.toMatch(/ECONNREFUSED|timeout|copyData|does not exist|role/);
      expect(open.logs.join('\n')).toMatch(/Data source connection to 127\.0\.0\.1:\d+\/\w+ failed/);
    });

    (postgres ? it : it.skip)('refuses a superuser role and accepts a least-privilege one', async () => {
      const url = open.db.env['DATABASE_URL'];
      const refused = await open.http
        .post('/data-sources')
        .set(bearer(acme.apiKey))
        .send({ name: 'Superuser', kind: 'POSTGRESQL', url })
        .expect(422);
      expect(refused.body).toMatchObject({ code: 'DATA_SOURCE_ROLE_PRIVILEGED' });
      expect(refused.body.message).toMatch(/superuser.*could read files of the database server/);
      const reader = await createReaderRole(url, []);
      try {
        await open.http
          .post('/data-sources')
          .set(bearer(acme.apiKey))
          .send({ name: 'Reader', kind: 'POSTGRESQL', url: reader.url })
          .expect(201);
      } finally {
        await reader.drop();
      }
    });
  });

  it("keeps a job slot for other companies: two slow segments of one company never delay another's", async () => {
    const runaway =
      'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 60000000) SELECT count(*) AS email FROM c';
    const sqlSegment = async (company: SeededCompany, query: string) => {
      const source = await register(company, { kind: 'SQLITE', path: 'crm.sqlite' }).expect(201);
      const collaborationId = (
        await api.http
          .post('/collaborations')
          .set(bearer(company.apiKey))
          .send({ name: 'Fairness' })
          .expect(201)
      ).body.id;
      const created = await api.http
        .post(`/collaborations/${collaborationId}/segments`)
        .set(bearer(company.apiKey))
        .send({
          name: 'Segment',
          source: { type: 'sql', dataSourceId: source.body.id, query },
          keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
        })
        .expect(201);
      return async () =>
        (
          await api.http
            .get(`/collaborations/${collaborationId}/segments/${created.body.id}`)
            .set(bearer(company.apiKey))
            .expect(200)
        ).body.status as string;
    };
    const slow = [await sqlSegment(acme, runaway), await sqlSegment(acme, runaway)];
    const small = await sqlSegment(globex, 'SELECT email FROM customers');
    const started = Date.now();
    while ((await small()) !== 'READY' && Date.now() - started < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const waitedMs = Date.now() - started;
    // Globex's segment was ready while Acme's runaway queries were still running or waiting their turn.
    expect(await small()).toBe('READY');
    expect(await Promise.all(slow.map((status) => status()))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(PENDING|RUNNING)$/)]),
    );
    process.stdout.write(
      `data sources: another company's 1-row segment was READY after ${waitedMs} ms behind two runaway ones\n`,
    );
    await api.app.get(JobRunner).idle();
  });

  it('runs a SQLite query off the event loop: /health answers while a runaway query burns, which is then stopped', async () => {
    const source = await register(acme, { kind: 'SQLITE', path: 'crm.sqlite' }).expect(201);
    const collaborationId = (
      await api.http.post('/collaborations').set(bearer(acme.apiKey)).send({ name: 'Solo' }).expect(201)
    ).body.id;
    const segment = await api.http
      .post(`/collaborations/${collaborationId}/segments`)
      .set(bearer(acme.apiKey))
      .send({
        name: 'Runaway',
        source: {
          type: 'sql',
          dataSourceId: source.body.id,
          query:
            'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 60000000) SELECT count(*) AS email FROM c',
        },
        keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
      })
      .expect(201);
    const slowest = { ms: 0 };
    for (let probe = 0; probe < 10; probe++) {
      const started = Date.now();
      await api.http.get('/health').expect(200);
      slowest.ms = Math.max(slowest.ms, Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await api.app.get(JobRunner).idle();
    const failed = await api.http
      .get(`/collaborations/${collaborationId}/segments/${segment.body.id}`)
      .set(bearer(acme.apiKey))
      .expect(200);
    expect(failed.body).toMatchObject({ status: 'FAILED' });
    expect(failed.body.errorMessage).toMatch(/ran longer than 3000 ms and was stopped/);
    process.stdout.write(
      `data sources: /health slowest answer ${slowest.ms} ms during a runaway SQLite query\n`,
    );
    expect(slowest.ms).toBeLessThan(1000);
  });
});
