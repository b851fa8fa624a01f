import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The figures a reliability suite (chaos, faults, pressure, scheduler) measured, for CI's summary
 * table: printed on one line, and kept in `tmp/figures/<suite>.<database>.json` at the repository's
 * root, which `.ci/run` reads back once every pass is done.
 */
export type Figures = Record<string, string | number>;

const root = resolve(__dirname, '..', '..', '..', '..');

/** The database the suites run on: PostgreSQL when DATABASE_URL is set, SQLite otherwise. */
export const figuresDatabase = (): 'PostgreSQL' | 'SQLite' =>
  process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite';

export function recordFigures(suite: string, figures: Figures, database: string = figuresDatabase()): void {
  const folder = join(root, 'tmp', 'figures');
  mkdirSync(folder, { recursive: true });
  const file = `${suite.replace(/[^a-z0-9-]+/gi, '-').toLowerCase()}.${database.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.json`;
  writeFileSync(join(folder, file), `${JSON.stringify({ suite, database, figures }, null, 2)}\n`);
  process.stdout.write(
    `${suite} (${database}): ${Object.entries(figures)
      .map(([name, value]) => `${name} ${value}`)
      .join(', ')}\n`,
  );
}
