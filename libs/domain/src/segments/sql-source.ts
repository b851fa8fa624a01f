import { existsSync } from 'node:fs';
import Database from 'libsql';
import { SegmentSourceError } from '@conduit/segment-store';
import { Client } from 'pg';
import Cursor from 'pg-cursor';
import { DataSourceKind } from './segment.entity';

export interface SqlRunOptions {
  /** The query is cancelled after this long. */
  timeoutMs: number;
  /** More rows than this fail the run (materialization is bounded). */
  rowLimit: number;
}

const BATCH = 1000;

/**
 * Refuses anything but one SELECT (or WITH … SELECT) statement. The database enforces read-only too
 * (a READ ONLY transaction on PostgreSQL, `query_only` on SQLite): this check gives a clear message.
 */
export function checkReadOnlyQuery(query: string): string | undefined {
  const text = query
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .trim()
    .replace(/;\s*$/, '');
  if (!/^(select|with)\b/i.test(text)) return 'must be a single SELECT (or WITH … SELECT) statement';
  if (text.includes(';')) return 'must be a single statement (no ";" between statements)';
  return undefined;
}

/** Streams a query's rows with a cursor, a statement timeout and a row limit. */
export function readSql(
  kind: DataSourceKind,
  location: string,
  query: string,
  options: SqlRunOptions,
): AsyncIterable<Record<string, unknown>> {
  return kind === DataSourceKind.POSTGRESQL
    ? readPostgres(location, query, options)
    : readSqlite(location, query, options);
}

async function* readPostgres(
  url: string,
  query: string,
  options: SqlRunOptions,
): AsyncIterable<Record<string, unknown>> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new SegmentSourceError(`Could not connect to the data source: ${describe(error)}.`);
  }
  let cursor: Cursor | undefined;
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
        throw new SegmentSourceError(`The query failed: ${describe(error)}.`);
      }
      if (rows.length === 0) return;
      count += rows.length;
      if (count > options.rowLimit) throw tooMany(options.rowLimit);
      yield* rows;
    }
  } finally {
    await cursor?.close().catch(() => undefined);
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

/**
 * SQLite (the embedded demo): pages of the query with LIMIT/OFFSET, each page a complete statement.
 * (libSQL keeps a read lock while a statement iterator is left unfinished, e.g. when a run fails
 * midway; whole pages never leave one behind.) Add ORDER BY to the query for a stable page order.
 */
async function* readSqlite(
  path: string,
  query: string,
  options: SqlRunOptions,
): AsyncIterable<Record<string, unknown>> {
  if (!existsSync(path)) throw new SegmentSourceError('The SQLite data source file does not exist any more.');
  const db = new Database(path, {});
  try {
    db.exec('PRAGMA query_only = ON');
    let page: ReturnType<InstanceType<typeof Database>['prepare']>;
    try {
      page = db.prepare(`SELECT * FROM (${query.trim().replace(/;\s*$/, '')}) LIMIT ? OFFSET ?`);
    } catch (error) {
      throw new SegmentSourceError(`The query failed: ${describe(error)}.`);
    }
    const deadline = Date.now() + options.timeoutMs;
    for (let offset = 0; ; offset += BATCH) {
      if (Date.now() > deadline) {
        throw new SegmentSourceError(`The query ran longer than ${options.timeoutMs} ms and was stopped.`);
      }
      let rows: Record<string, unknown>[];
      try {
        rows = page.all([BATCH, offset]) as Record<string, unknown>[];
      } catch (error) {
        throw new SegmentSourceError(`The query failed: ${describe(error)}.`);
      }
      if (offset + rows.length > options.rowLimit) throw tooMany(options.rowLimit);
      yield* rows;
      if (rows.length < BATCH) return;
      // The driver is synchronous: let the event loop breathe between pages.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    db.close();
  }
}

function tooMany(limit: number): SegmentSourceError {
  return new SegmentSourceError(
    `The query returned more than ${limit} rows (SEGMENT_SQL_ROW_LIMIT); narrow it or raise the limit.`,
  );
}

/** The driver's message, without a connection string (which may hold a password). */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/postgres(ql)?:\/\/\S+/gi, '[data source]').slice(0, 300);
}
