import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { Client } from 'pg';
import { createOrmOptions, type DatabaseOptions } from '../database/database.options';
import { migrateDatabase } from '../database/migrate';

/** A database created for one test file: migrated, isolated, and dropped by `destroy()`. */
export interface TestDatabase {
  options: DatabaseOptions;
  dialect: 'sqlite' | 'postgresql';
  /** Environment variables that point an app at this database. */
  env: Record<string, string>;
  destroy(): Promise<void>;
}

/**
 * Test-only: the one place the suites read `DATABASE_URL`. Unset → a fresh SQLite file; set → a
 * fresh PostgreSQL database created next to the one the URL names (and dropped afterwards).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const baseUrl = process.env['DATABASE_URL'];
  const dataDir = mkdtempSync(join(tmpdir(), 'conduit-test-'));
  const sqlitePath = join(dataDir, 'conduit.sqlite');
  if (!baseUrl) {
    const options: DatabaseOptions = { sqlitePath };
    await migrate(options);
    return {
      options,
      dialect: 'sqlite',
      env: { CONDUIT_DATA_DIR: dataDir, DATABASE_URL: '' },
      destroy: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `conduit_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient(baseUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const options: DatabaseOptions = { url: url.toString(), sqlitePath };
  await migrate(options);
  return {
    options,
    dialect: 'postgresql',
    env: { CONDUIT_DATA_DIR: dataDir, DATABASE_URL: url.toString() },
    destroy: async () => {
      await withAdminClient(baseUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function migrate(options: DatabaseOptions): Promise<void> {
  const orm = await MikroORM.init(createOrmOptions(options));
  try {
    await migrateDatabase(orm);
  } finally {
    await orm.close(true);
  }
}

/** Runs `work` on a client of the server `url` names, closing it afterwards. */
export async function withAdminClient(
  url: string,
  work: (client: Client) => Promise<unknown>,
): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
