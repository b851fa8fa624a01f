import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JobRunner } from '@conduit/domain';
import type { TestDatabase } from '@conduit/domain/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Database from 'libsql';
import { CliModule } from '../src/cli/cli.module';
import { buildCli } from '../src/cli/cli.program';
import { DEMO_CRM_FILE } from '../src/cli/demo-crm';
import { DEMO_COMPANY_NAME, DEMO_DATA_SOURCE_NAME, DemoService } from '../src/cli/demo.service';
import { bearer, bootApi, type ApiHarness } from './api-harness';

jest.setTimeout(60_000);

describe(`demo company (${process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite'})`, () => {
  let db: TestDatabase;
  let cli: INestApplicationContext;
  let api: ApiHarness;
  let keyFile: string;

  beforeAll(async () => {
    api = await bootApi();
    db = api.db;
    cli = await NestFactory.createApplicationContext(await CliModule.forRoot(), { logger: false });
    keyFile = join(db.env['CONDUIT_DATA_DIR'], 'demo-api-key');
  });

  afterAll(async () => {
    await cli.close();
    await api.close();
  });

  it('creates the demo company and a key that lists it through the API', async () => {
    const demo = await cli.get(DemoService).ensure(keyFile);
    expect(demo.created).toBe(true);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(demo.apiKey);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const me = await api.http.get('/companies/me').set(bearer(demo.apiKey)).expect(200);
    expect(me.body).toMatchObject({ id: demo.companyId, name: DEMO_COMPANY_NAME });
  });

  it('prints the same key on the next start', async () => {
    const first = await cli.get(DemoService).ensure(keyFile);
    const second = await cli.get(DemoService).ensure(keyFile);
    expect(second).toEqual({ ...first, created: false });
  });

  it('replaces a key that no longer works, keeping the same demo company', async () => {
    const before = await cli.get(DemoService).ensure(keyFile);
    writeFileSync(keyFile, 'cdt_revoked-or-garbage\n');
    const after = await cli.get(DemoService).ensure(keyFile);
    expect(after.created).toBe(true);
    expect(after.companyId).toBe(before.companyId);
    await api.http.get('/companies/me').set(bearer(after.apiKey)).expect(200);
  });

  describe('demo data source', () => {
    it('is a synthetic CRM in the company’s own folder, registered once and written once', async () => {
      const first = await cli.get(DemoService).ensure(keyFile);
      expect(first.dataSourceId).toMatch(/^dsr_[0-9A-Z]{26}$/);
      expect(first.dataSourceFile).toBe(
        join(db.env['CONDUIT_DATA_DIR'], 'data-sources', first.companyId, DEMO_CRM_FILE),
      );
      const written = statSync(first.dataSourceFile).mtimeMs;
      const second = await cli.get(DemoService).ensure(keyFile);
      expect(second.dataSourceId).toBe(first.dataSourceId);
      expect(statSync(first.dataSourceFile).mtimeMs).toBe(written);
      const listed = await api.http.get('/data-sources').set(bearer(first.apiKey)).expect(200);
      expect(listed.body.data).toEqual([
        expect.objectContaining({ id: first.dataSourceId, name: DEMO_DATA_SOURCE_NAME, kind: 'SQLITE' }),
      ]);
    });

    it('holds what real CRMs hold: E.164 and local phones, malformed values, two values in a cell', async () => {
      const { dataSourceFile } = await cli.get(DemoService).ensure(keyFile);
      const crm = new Database(dataSourceFile, { readonly: true });
      try {
        const count = (where: string) =>
          (crm.prepare(`SELECT count(*) AS n FROM customers WHERE ${where}`).get() as { n: number }).n;
        expect(count('1')).toBeGreaterThanOrEqual(2000);
        expect(count('opted_in')).toBeGreaterThan(1000); // TikTok's minimum audience, from the README query
        expect(count("phone GLOB '+[0-9]*' AND phone NOT LIKE '%,%'")).toBeGreaterThan(100);
        expect(count("phone LIKE '(%' OR phone LIKE '0%'")).toBeGreaterThan(100);
        expect(count("phone LIKE '%,%'")).toBeGreaterThan(10);
        expect(count("email LIKE '%;%'")).toBeGreaterThan(10);
        expect(count("email NOT LIKE '%@%.%' OR email LIKE '%@@%'")).toBeGreaterThan(10);
        expect(count('maid IS NOT NULL')).toBeGreaterThan(1000);
        expect(count("country IN ('US', 'CA', 'GB', 'FR')")).toBe(count('1'));
        expect((crm.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n).toBeGreaterThan(0);
      } finally {
        crm.close();
      }
    });

    it('runs the README’s SQL segment to READY with rows', async () => {
      const demo = await cli.get(DemoService).ensure(keyFile);
      const auth = bearer(demo.apiKey);
      const collaboration = await api.http
        .post('/collaborations')
        .set(auth)
        .send({ name: 'Spring' })
        .expect(201);
      const created = await api.http
        .post(`/collaborations/${collaboration.body.id}/segments`)
        .set(auth)
        .send({
          name: 'Spring buyers',
          source: {
            type: 'sql',
            dataSourceId: demo.dataSourceId,
            query: 'SELECT email, phone FROM customers WHERE opted_in',
          },
          keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
        });
      expect([created.status, created.body]).toEqual([201, expect.anything()]);
      await api.app.get(JobRunner).idle();
      const segment = await api.http
        .get(`/collaborations/${collaboration.body.id}/segments/${created.body.id}`)
        .set(auth)
        .expect(200);
      expect(segment.body).toMatchObject({ status: 'READY', rowCount: expect.any(Number) });
      expect(segment.body.rowCount).toBeGreaterThan(1000);
    });
  });
});

describe('operator commands: --json on every one', () => {
  let api: ApiHarness;
  let output: string[];
  let errors: string[];

  beforeAll(async () => {
    api = await bootApi();
  });

  afterAll(async () => {
    await api.close();
  });

  beforeEach(() => {
    output = [];
    errors = [];
    jest.spyOn(console, 'log').mockImplementation((line: unknown) => void output.push(String(line)));
    jest.spyOn(console, 'error').mockImplementation((line: unknown) => void errors.push(String(line)));
  });

  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = undefined;
  });

  /** Runs one command in process, as `npm run conduit -- …args` would. */
  async function run(...args: string[]): Promise<Record<string, unknown>> {
    await buildCli()
      .exitOverride()
      .parseAsync(['node', 'conduit', ...args]);
    expect(output).toHaveLength(1);
    return JSON.parse(output[0] as string) as Record<string, unknown>;
  }

  it('offers --json on every command', () => {
    const commands = buildCli().commands;
    expect(commands.length).toBeGreaterThanOrEqual(8);
    for (const command of commands) {
      expect([command.name(), command.options.map((option) => option.long)]).toEqual([
        command.name(),
        expect.arrayContaining(['--json']),
      ]);
    }
  });

  it('keys:generate --json: the entry and its key id, nothing else on stdout', async () => {
    const result = await run('keys:generate', '--id', 'k2027', '--json');
    expect(result).toEqual({ keyId: 'k2027', entry: expect.stringMatching(/^k2027:[A-Za-z0-9+/]{43}=$/) });
  });

  it('db:migrate --json and db:status --json: what was applied, what is pending', async () => {
    expect(await run('db:migrate', '--json')).toEqual({ applied: [] });
    output = [];
    expect(await run('db:status', '--json')).toEqual({ pending: [], upToDate: true });
    expect(process.exitCode ?? 0).toBe(0);
  });

  it('demo:ensure --json: company, key and demo data source', async () => {
    const result = await run('demo:ensure', '--json');
    expect(result).toEqual({
      companyId: expect.stringMatching(/^cmp_/),
      apiKey: expect.stringMatching(/^cdt_/),
      created: true,
      keyFile: join(api.db.env['CONDUIT_DATA_DIR'], 'demo-api-key'),
      dataSourceId: expect.stringMatching(/^dsr_/),
      dataSourceFile: expect.stringContaining(DEMO_CRM_FILE),
    });
  });

  it('company:create, api-key:create, scheduler:status, credentials:reencrypt --json', async () => {
    const company = await run('company:create', 'Initech', '--json');
    expect(company).toMatchObject({ companyId: expect.stringMatching(/^cmp_/), name: 'Initech' });
    output = [];
    expect(await run('api-key:create', company['companyId'] as string, '--json')).toMatchObject({
      apiKeyId: expect.stringMatching(/^key_/),
    });
    output = [];
    expect(await run('scheduler:status', '--json')).toEqual({ alive: [] });
    output = [];
    expect(await run('credentials:reencrypt', '--json')).toEqual({
      reencrypted: 0,
      currentKeyId: expect.any(String),
    });
  });

  it('scheduler:status --host: a host that did not beat exits 1 and says why on stderr, stdout still JSON', async () => {
    expect(await run('scheduler:status', '--host', 'nohost', '--json')).toEqual({ alive: [] });
    expect(process.exitCode).toBe(1);
    expect(errors).toEqual(['No scheduler instance on host "nohost" beat in the last 120 s.']);
    output = [];
    errors = [];
    process.exitCode = undefined;
    await buildCli()
      .exitOverride()
      .parseAsync(['node', 'conduit', 'scheduler:status', '--host', 'nohost', '--within', '30']);
    expect(output).toEqual(['No scheduler instance is alive.']);
    expect(errors).toEqual(['No scheduler instance on host "nohost" beat in the last 30 s.']);
    expect(process.exitCode).toBe(1);
  });

  it('demo:ensure --help names the demo data source it registers', () => {
    const demo = buildCli().commands.find((command) => command.name() === 'demo:ensure');
    expect(demo?.description()).toMatch(/demo data source/);
  });
});
