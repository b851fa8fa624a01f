import { writeFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TestDatabase } from '@conduit/domain/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CliModule } from '../src/cli/cli.module';
import { DEMO_COMPANY_NAME, DemoService } from '../src/cli/demo.service';
import { bearer, bootApi, type ApiHarness } from './api-harness';

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
});
