import { Client } from 'pg';
import { createReaderRole, createTestDatabase, type ReaderRole, type TestDatabase } from '../testing';
import { DataSourceHostPolicy, HostNotAllowedError } from './host-policy';
import {
  ConnectFailedError,
  DataSourceUrlError,
  PrivilegedRoleError,
  connectPostgres,
  displayPostgres,
  parsePostgresUrl,
  readPostgres,
  sslOf,
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

  it('defaults the port and sslmode, and keeps the application name', () => {
    expect(parsePostgresUrl('postgres://reader@db/crm?application_name=crm-sync')).toEqual({
      host: 'db',
      port: 5432,
      database: 'crm',
      user: 'reader',
      sslmode: 'disable',
      applicationName: 'crm-sync',
    });
  });

  it('shows host, port and database, never the role or password', () => {
    expect(displayPostgres(parsePostgresUrl('postgres://reader:secret@db.example.com/crm'))).toBe(
      'db.example.com:5432/crm',
    );
  });

  it('names the refused parameter (cut to 40 characters) and the accepted ones', () => {
    expect(() => parsePostgresUrl(`postgres://reader@db/crm?${'p'.repeat(50)}=1`)).toThrow(
      new DataSourceUrlError(
        `must not carry the parameter "${'p'.repeat(40)}" (accepted: sslmode, application_name)`,
      ),
    );
    expect(() => parsePostgresUrl('postgres://reader@db/crm?sslmode=prefer')).toThrow(
      new DataSourceUrlError('sslmode must be one of disable, require, no-verify, verify-full'),
    );
  });

  it.each([
    ['xpostgres://reader@db/crm', /PostgreSQL URL/],
    ['postgresqlx://reader@db/crm', /PostgreSQL URL/],
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

describe('sslOf (the TLS settings for each sslmode)', () => {
  const target = parsePostgresUrl('postgres://reader@db.example.com/crm');
  it.each([
    ['disable', false],
    ['require', { rejectUnauthorized: false }],
    ['no-verify', { rejectUnauthorized: false }],
    // Connected to the checked address, verified against the host name.
    ['verify-full', { rejectUnauthorized: true, servername: 'db.example.com' }],
  ] as const)('%s', (sslmode, ssl) => {
    expect(sslOf({ ...target, sslmode })).toEqual(ssl);
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

  it('refuses a role allowed to read the server’s files, naming it', async () => {
    const fileReader = await createReaderRole(db.env['DATABASE_URL'], ['customers']);
    try {
      const admin = new Client({ connectionString: db.env['DATABASE_URL'] });
      await admin.connect();
      await admin.query(`GRANT pg_read_server_files TO "${fileReader.name}"`);
      await admin.end();
      await expect(connectPostgres(parsePostgresUrl(fileReader.url), loopback, timeouts)).rejects.toThrow(
        new PrivilegedRoleError(
          `The role "${fileReader.name}" is allowed to read or write the server’s files: ` +
            'a segment query could read files of the database server, so Conduit refuses it. ' +
            'Connect with a role that can only SELECT the tables your segments read (see the README, "Security").',
        ),
      );
    } finally {
      await fileReader.drop();
    }
  });

  it('names the connection "conduit" unless the URL names it', async () => {
    const nameOf = async (url: string) =>
      rowsOf(
        await connectPostgres(parsePostgresUrl(url), loopback, timeouts),
        "SELECT current_setting('application_name') AS name",
      );
    expect(await nameOf(reader.url)).toEqual([{ name: 'conduit' }]);
    const named = new URL(reader.url);
    named.searchParams.set('application_name', 'crm-sync');
    expect(await nameOf(named.toString())).toEqual([{ name: 'crm-sync' }]);
  });

  it('survives the server closing the connection (the error is not thrown at the process)', async () => {
    const client = await connectPostgres(parsePostgresUrl(reader.url), loopback, timeouts);
    const ended = new Promise((resolve) => client.once('end', resolve));
    const admin = new Client({ connectionString: db.env['DATABASE_URL'] });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [
      (client as unknown as { processID: number }).processID,
    ]);
    await admin.end();
    await ended;
  });

  it('connects without TLS under sslmode=disable, and fails under require on a server without it', async () => {
    const target = parsePostgresUrl(reader.url);
    const plain = await connectPostgres({ ...target, sslmode: 'disable' }, loopback, timeouts);
    await plain.end();
    await expect(connectPostgres({ ...target, sslmode: 'require' }, loopback, timeouts)).rejects.toThrow(
      ConnectFailedError,
    );
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
      expect((failure as Error).cause).toBeDefined();
    }
  });
});
