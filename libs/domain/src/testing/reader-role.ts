import { randomBytes } from 'node:crypto';
import { withAdminClient } from './test-database';

export interface ReaderRole {
  /** The database's URL, connecting as the reader role. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * The least-privilege role the README tells operators to create for a data source: it may log in and
 * SELECT the given tables, nothing else. Roles belong to the whole server: `drop()` removes it again.
 */
export async function createReaderRole(databaseUrl: string, tables: readonly string[]): Promise<ReaderRole> {
  const name = `conduit_reader_${randomBytes(5).toString('hex')}`;
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  await withAdminClient(databaseUrl, async (client) => {
    await client.query(`CREATE ROLE "${name}" LOGIN PASSWORD 'reader-${randomBytes(6).toString('hex')}'`);
    await client.query(`GRANT CONNECT ON DATABASE "${database}" TO "${name}"`);
    await client.query(`GRANT USAGE ON SCHEMA public TO "${name}"`);
    for (const table of tables) await client.query(`GRANT SELECT ON "${table}" TO "${name}"`);
  });
  const url = new URL(databaseUrl);
  url.username = name;
  return {
    url: url.toString(),
    name,
    drop: () =>
      withAdminClient(databaseUrl, async (client) => {
        await client.query(`DROP OWNED BY "${name}"`);
        await client.query(`DROP ROLE "${name}"`);
      }),
  };
}
