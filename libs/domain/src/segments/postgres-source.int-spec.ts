import { Client } from 'pg';
import { createReaderRole, createTestDatabase, type ReaderRole, type TestDatabase } from '../testing';
import { DataSourceHostPolicy, HostNotAllowedError } from './host-policy';
import {
  ConnectFailedError,
  DataSourceUrlError,
  PrivilegedRoleError,
  connectPostgres,
  parsePostgresUrl,
  readPostgres,
} from './postgres-source';

describe('parsePostgresUrl', () => {
  it('reads host, port, database, role, password and sslmode', () => {
    expect(
      parsePostgresUrl('postgresql://reader:s%40cret@db.example.com:6543/crm?sslmode=verify-full'),
    ).toEqual({
      host: 'db.example.com',
      port: 6543,
      database: 'crm',
      user: 'reader',
      password: 's@cret',
      sslmode: 'verify-full',
    });
  });

  it.each([
    ['postgres://reader@db/crm?sslrootcert=/nonexistent', /parameter "sslrootcert"/],
    ['postgres://reader@db/crm?sslkey=/etc/shadow', /parameter "sslkey"/],
    ['postgres://reader@db/crm?host=/var/run/postgresql', /parameter "host"/],
    ['postgres://reader@db/crm?options=-c%20default_transaction_read_only%3Doff', /parameter "options"/],
    ['postgres://reader@db/crm?sslmode=prefer', /sslmode must be one of/],
    ['mysql://reader@db/crm', /PostgreSQL URL/],
    ['postgres://reader@db', /name the database/],
    ['postgres://db/crm', /name the role/],
    ['not a url', /PostgreSQL URL/],
  ])('refuses %s', (url, reason) => {
    expect(() => parsePostgresUrl(url)).toThrow(DataSourceUrlError);
    expect(() => parsePostgresUrl(url)).toThrow(reason);
  });
});

const withPostgres = process.env['DATABASE_URL'] ? describe : describe.skip;
if (!process.env['DATABASE_URL']) {
  console.warn('PostgreSQL data-source specs SKIPPED: set DATABASE_URL to run them');
}

withPostgres('PostgreSQL data sources (the guards, against a real server)', () => {
  let db: TestDatabase;
  let reader: ReaderRole;
  const loopback = new DataSourceHostPolicy(['127.0.0.1', 'localhost', '::1']);
  const timeouts = { connectMs: 5000 };
  const options = { timeoutMs: 10_000, rowLimit: 1_000_000 };

  beforeAll(async () => {
    db = await createTestDatabase();
    const client = new Client({ connectionString: db.env['DATABASE_URL'] });
    await client.connect();
    await client.query(
      "CREATE TABLE customers AS SELECT 'user' || i || '@example.com' AS email FROM generate_series(1, 10) i",
    );
    await client.end();
    reader = await createReaderRole(db.env['DATABASE_URL'], ['customers']);
  });

  afterAll(async () => {
    await reader?.drop();
    await db?.destroy();
  });

  const rowsOf = async (client: Client, query: string) => {
    const rows: Record<string, unknown>[] = [];
    for await (const row of readPostgres(client, query, options)) rows.push(row);
    return rows;
  };

  it('refuses a superuser, saying why and what to create instead', async () => {
    const connecting = connectPostgres(parsePostgresUrl(db.env['DATABASE_URL']), loopback, timeouts);
    await expect(connecting).rejects.toThrow(PrivilegedRoleError);
    await expect(
      connectPostgres(parsePostgresUrl(db.env['DATABASE_URL']), loopback, timeouts),
    ).rejects.toThrow(/is a superuser: a segment query could read files of the database server.*SELECT/);
  });

  it('connects as a least-privilege role and reads in a READ ONLY transaction', async () => {
    const target = parsePostgresUrl(reader.url);
    expect(
      await rowsOf(
        await connectPostgres(target, loopback, timeouts),
        'SELECT count(*)::int AS n FROM customers',
      ),
    ).toEqual([{ n: 10 }]);
    // Even with a role that could write, the transaction could not: the database refuses.
    const owner = new Client({ connectionString: db.env['DATABASE_URL'] });
    await owner.connect();
    await owner.query(`GRANT DELETE ON customers TO "${reader.name}"`);
    await owner.end();
    await expect(
      rowsOf(await connectPostgres(target, loopback, timeouts), 'DELETE FROM customers RETURNING email'),
    ).rejects.toThrow(/read-only transaction/);
    await expect(
      rowsOf(await connectPostgres(target, loopback, timeouts), "SELECT pg_read_file('/etc/passwd')"),
    ).rejects.toThrow(/permission denied/);
    expect(
      await rowsOf(
        await connectPostgres(target, loopback, timeouts),
        'SELECT count(*)::int AS n FROM customers',
      ),
    ).toEqual([{ n: 10 }]);
  });

  it('reaches an internal host only when the operator allows it', async () => {
    await expect(
      connectPostgres(parsePostgresUrl(reader.url), new DataSourceHostPolicy([]), timeouts),
    ).rejects.toThrow(HostNotAllowedError);
  });

  it('reports a closed port, or a server that is not PostgreSQL, as one failure (details kept as the cause)', async () => {
    for (const port of [1, 6379]) {
      const target = { ...parsePostgresUrl(reader.url), port };
      const failure = await connectPostgres(target, loopback, { connectMs: 2000 }).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ConnectFailedError);
      expect((failure as Error).message).toBe('could not connect');
    }
  });
});
