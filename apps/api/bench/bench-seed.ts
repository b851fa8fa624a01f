import { Client } from 'pg';

// Seeds a bench's database fast, in SQL, not through the API: copies of one real destination and one
// real export (made through the API, so every column holds what Conduit writes), with ids of their own.
// The copies' exports spread over the copied destinations.

/** The PostgreSQL server to use: DATABASE_URL, else the local default when it answers; undefined if none. */
export async function postgresServerUrl(): Promise<string | undefined> {
  const url = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (!url.startsWith('postgres')) return undefined;
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return url;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface SeedPlan {
  /** One of the two. */
  sqlitePath?: string;
  postgresUrl?: string;
  destinationId: string;
  exportId: string;
  /** Copies to add. */
  destinations: number;
  exports: number;
}

/** Ids as Conduit's are shaped (a prefix and 26 Crockford base-32 characters, digits here). */
type IdOf = (prefix: string, counter: string) => string;

function copySql(
  table: string,
  columns: string[],
  sourceId: string,
  idOf: IdOf,
  series: { from: string; counter: string },
  overrides: Record<string, string>,
): string {
  const quoted = columns.map((column) => `"${column}"`).join(', ');
  const values = columns.map((column) =>
    column === 'id'
      ? idOf(table === 'destinations' ? 'dst' : 'exp', series.counter)
      : (overrides[column] ?? `s."${column}"`),
  );
  return `INSERT INTO "${table}" (${quoted}) SELECT ${values.join(', ')} FROM "${table}" s, ${series.from} WHERE s."id" = ${sourceId}`;
}

export async function seedCopies(plan: SeedPlan): Promise<void> {
  if (plan.sqlitePath) return seedSqlite(plan.sqlitePath, plan);
  if (plan.postgresUrl) return seedPostgres(plan.postgresUrl, plan);
  throw new Error('seedCopies: no database');
}

interface SqliteDatabase {
  prepare(sql: string): {
    all(...values: unknown[]): Record<string, unknown>[];
    run(...values: unknown[]): unknown;
  };
  exec(sql: string): void;
  close(): void;
}

function seedSqlite(path: string, plan: SeedPlan): void {
  // libsql (MikroORM's SQLite driver) speaks better-sqlite3's synchronous API.
  const Database = require('libsql') as new (path: string) => SqliteDatabase;
  const db = new Database(path);
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    const columnsOf = (table: string) =>
      db
        .prepare(`PRAGMA table_info("${table}")`)
        .all()
        .map((row) => String(row['name']));
    const idOf: IdOf = (prefix, counter) => `'${prefix}_' || printf('%026d', ${counter})`;
    const series = (name: string) => ({
      from: `(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) SELECT i FROM n) ${name}`,
      counter: `${name}.i`,
    });
    db.exec('BEGIN');
    const destinations = copySql('destinations', columnsOf('destinations'), '?', idOf, series('n'), {
      name: `s."name" || ' ' || n.i`,
    });
    db.prepare(destinations).run(plan.destinations, plan.destinationId);
    const exports = copySql('exports', columnsOf('exports'), '?', idOf, series('n'), {
      destination_id:
        plan.destinations > 0 ? idOf('dst', `1 + n.i % ${plan.destinations}`) : 's."destination_id"',
    });
    db.prepare(exports).run(plan.exports, plan.exportId);
    db.exec('COMMIT');
  } finally {
    db.close();
  }
}

async function seedPostgres(url: string, plan: SeedPlan): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const columnsOf = async (table: string) =>
      (
        await client.query<{ column_name: string }>(
          'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position',
          [table],
        )
      ).rows.map((row) => row.column_name);
    const idOf: IdOf = (prefix, counter) => `'${prefix}_' || lpad((${counter})::text, 26, '0')`;
    const series = { from: 'generate_series(1, $1::int) AS n(i)', counter: 'n.i' };
    await client.query('BEGIN');
    const destinations = copySql('destinations', await columnsOf('destinations'), '$2', idOf, series, {
      name: `s."name" || ' ' || n.i`,
    });
    await client.query(destinations, [plan.destinations, plan.destinationId]);
    const exports = copySql('exports', await columnsOf('exports'), '$2', idOf, series, {
      destination_id:
        plan.destinations > 0 ? idOf('dst', `1 + n.i % ${plan.destinations}`) : 's."destination_id"',
    });
    await client.query(exports, [plan.exports, plan.exportId]);
    await client.query('COMMIT');
    // What autovacuum would have done by the time a table holds this much.
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}
