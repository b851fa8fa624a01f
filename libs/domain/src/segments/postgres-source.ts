import { SegmentSourceError } from '@conduit/segment-store';
import { Client, type ClientConfig } from 'pg';
import Cursor from 'pg-cursor';
import type { DataSourceHostPolicy } from './host-policy';

/** A PostgreSQL data-source URL, checked: only the parts Conduit understands, nothing that reads files. */
export interface PostgresTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  sslmode: SslMode;
  applicationName?: string;
}

const SSL_MODES = ['disable', 'require', 'no-verify', 'verify-full'] as const;
type SslMode = (typeof SSL_MODES)[number];

/**
 * Query parameters a URL may carry. libpq-style `sslcert`/`sslkey`/`sslrootcert` name files on
 * Conduit's own machine (the driver would read them), and `host=`/`options=` could redirect the
 * connection or change its settings: all refused.
 */
const PARAMETERS = new Set(['sslmode', 'application_name']);

/** The URL is not one Conduit accepts; the message says which part and why. */
export class DataSourceUrlError extends Error {}

/** The role may read the database server's files (or is a superuser): refused. */
export class PrivilegedRoleError extends Error {}

/** Connecting failed; `cause` is for the server log only (it tells what listens at the address). */
export class ConnectFailedError extends Error {}

export function parsePostgresUrl(url: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DataSourceUrlError('must be a PostgreSQL URL such as postgres://user:password@host:5432/db');
  }
  if (!['postgres:', 'postgresql:'].includes(parsed.protocol) || !parsed.hostname) {
    throw new DataSourceUrlError('must be a PostgreSQL URL such as postgres://user:password@host:5432/db');
  }
  const database = safeDecode(parsed.pathname.slice(1));
  const user = safeDecode(parsed.username);
  if (!database || database.includes('/')) {
    throw new DataSourceUrlError('must name the database after the host, e.g. postgres://user@host:5432/crm');
  }
  if (!user)
    throw new DataSourceUrlError('must name the role to connect as, e.g. postgres://reader@host/crm');
  for (const name of parsed.searchParams.keys()) {
    if (!PARAMETERS.has(name)) {
      throw new DataSourceUrlError(
        `must not carry the parameter "${name.slice(0, 40)}" (accepted: ${[...PARAMETERS].join(', ')})`,
      );
    }
  }
  const sslmode = parsed.searchParams.get('sslmode') ?? 'disable';
  if (!(SSL_MODES as readonly string[]).includes(sslmode)) {
    throw new DataSourceUrlError(`sslmode must be one of ${SSL_MODES.join(', ')}`);
  }
  const password = parsed.password ? safeDecode(parsed.password) : undefined;
  const applicationName = parsed.searchParams.get('application_name') ?? undefined;
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    database,
    user,
    ...(password ? { password } : {}),
    sslmode: sslmode as SslMode,
    ...(applicationName ? { applicationName } : {}),
  };
}

/** What may be shown of a data source: host, port and database, never the role or password. */
export function displayPostgres(target: PostgresTarget): string {
  return `${target.host}:${target.port}/${target.database}`;
}

/**
 * Connects to a data source the policy allows (to the very address it checked), then refuses roles
 * that could read the server's files: a query runs with the customer's credentials, and a superuser's
 * `pg_read_file('/etc/passwd')` is a SELECT like any other.
 */
export async function connectPostgres(
  target: PostgresTarget,
  policy: DataSourceHostPolicy,
  timeouts: { connectMs: number },
): Promise<Client> {
  const address = await policy.check(target.host);
  const config: ClientConfig = {
    host: address,
    port: target.port,
    database: target.database,
    user: target.user,
    password: target.password,
    ssl: sslOf(target),
    connectionTimeoutMillis: timeouts.connectMs,
    application_name: target.applicationName ?? 'conduit',
  };
  const client = new Client(config);
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new ConnectFailedError('could not connect', { cause: error });
  }
  try {
    await refusePrivilegedRole(client);
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

async function refusePrivilegedRole(client: Client): Promise<void> {
  const { rows } = await client.query<{ role: string; superuser: boolean; server_files: boolean }>(
    // No FROM: always exactly one row.
    `SELECT current_user AS role,
            (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
            pg_has_role(current_user, 'pg_read_server_files', 'USAGE')
              OR pg_has_role(current_user, 'pg_write_server_files', 'USAGE')
              OR pg_has_role(current_user, 'pg_execute_server_program', 'USAGE') AS server_files`,
  );
  const role = rows[0];
  if (role.superuser || role.server_files) {
    throw new PrivilegedRoleError(
      // A role name is at most 63 bytes (NAMEDATALEN): quoted whole.
      `The role "${role.role}" is ${role.superuser ? 'a superuser' : 'allowed to read or write the server’s files'}: ` +
        'a segment query could read files of the database server, so Conduit refuses it. ' +
        'Connect with a role that can only SELECT the tables your segments read (see the README, "Security").',
    );
  }
}

/** The driver's TLS settings for the URL's sslmode. */
export function sslOf(target: PostgresTarget): ClientConfig['ssl'] {
  switch (target.sslmode) {
    case 'disable':
      return false;
    case 'require':
    case 'no-verify':
      return { rejectUnauthorized: false };
    case 'verify-full':
      // We connect to the checked address: the certificate is still verified against the host name.
      return { rejectUnauthorized: true, servername: target.host };
  }
}

export interface SqlRunOptions {
  /** The query is cancelled after this long. */
  timeoutMs: number;
  /** More rows than this fail the run (materialization is bounded). */
  rowLimit: number;
}

const BATCH = 1000;
/** How long past its statement timeout a silent server is waited for. */
const STALL_GRACE_MS = 10_000;

/**
 * Streams a query's rows with a cursor inside a READ ONLY transaction (the database, not a text scan,
 * enforces that nothing is written), with a statement timeout and a row limit. Closes the client.
 */
export async function* readPostgres(
  client: Client,
  query: string,
  options: SqlRunOptions,
): AsyncIterable<Record<string, unknown>> {
  let cursor: Cursor | undefined;
  // The server's statement_timeout bounds the query; this bounds a server that stops answering (pg's
  // own query_timeout is never cleared for a cursor, so it would outlive the read).
  const silent = setTimeout(
    () => void client.end().catch(() => undefined),
    options.timeoutMs + STALL_GRACE_MS,
  );
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(options.timeoutMs))}`);
    cursor = client.query(new Cursor(query));
    let count = 0;
    for (;;) {
      let rows: Record<string, unknown>[];
      try {
        rows = await cursor.read(BATCH);
      } catch (error) {
        throw new SegmentSourceError(`The query failed: ${describeQueryError(error)}.`);
      }
      if (rows.length === 0) return;
      count += rows.length;
      if (count > options.rowLimit) throw tooManyRows(options.rowLimit);
      yield* rows;
    }
  } finally {
    clearTimeout(silent);
    await cursor?.close().catch(() => undefined);
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

export function tooManyRows(limit: number): SegmentSourceError {
  return new SegmentSourceError(
    `The query returned more than ${limit} rows (SEGMENT_SQL_ROW_LIMIT); narrow it or raise the limit.`,
  );
}

/** The database's own message about the query (the customer's SQL on the customer's data), bounded. */
export function describeQueryError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/postgres(ql)?:\/\/\S+/gi, '[data source]').slice(0, 300);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new DataSourceUrlError('has an invalid percent-encoding in its user, password or database');
  }
}
