import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SegmentSourceError } from '@conduit/segment-store';
import { describeQueryError, tooManyRows, type SqlRunOptions } from './postgres-source';

/** The file is not one this company may register; the message says why and what is allowed. */
export class SqliteFileError extends Error {}

/**
 * Where a company's SQLite data sources live: `<data dir>/data-sources/<company id>/`, placed there by
 * the operator. A company reaches only files inside its own folder: never the platform's database,
 * another company's folder, or anything a symbolic link or `..` points to outside it.
 */
export function companySqliteFolder(dataDir: string, companyId: string): string {
  return join(resolve(dataDir), 'data-sources', companyId);
}

/**
 * Resolves `path` (relative to the company's folder) to the real file it names, or explains the
 * refusal. Called at registration and again before every run: a file swapped for a link after it was
 * registered is refused then too.
 */
export function resolveCompanySqliteFile(dataDir: string, companyId: string, path: string): string {
  const folder = companySqliteFolder(dataDir, companyId);
  const where = `your company's data-source folder (data-sources/${companyId}/ under the data directory)`;
  if (path.includes('\0') || isAbsolute(path)) {
    throw new SqliteFileError(`must be a file name relative to ${where}`);
  }
  const candidate = resolve(folder, path);
  if (!isInside(folder, candidate)) throw new SqliteFileError(`must stay inside ${where}`);
  let realFolder: string;
  let realFile: string;
  try {
    realFolder = realpathSync(folder);
    realFile = realpathSync(candidate);
  } catch {
    throw new SqliteFileError(`must be an existing SQLite file in ${where}`);
  }
  if (!isInside(realFolder, realFile) || isPlatformDatabase(dataDir, realFile)) {
    throw new SqliteFileError(`must be a file of ${where}, not a link to a file outside it`);
  }
  if (!statSync(realFile).isFile() || !hasSqliteHeader(realFile)) {
    throw new SqliteFileError(`must be an existing SQLite database file in ${where}`);
  }
  return realFile;
}

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

function isPlatformDatabase(dataDir: string, realFile: string): boolean {
  try {
    return realpathSync(join(resolve(dataDir), 'conduit.sqlite')) === realFile;
  } catch {
    return false;
  }
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0'); // ASCII: the same bytes in any encoding

function hasSqliteHeader(file: string): boolean {
  const header = Buffer.alloc(SQLITE_MAGIC.length);
  const fd = openSync(file, 'r');
  try {
    return readSync(fd, header, 0, header.length, 0) === header.length && header.equals(SQLITE_MAGIC);
  } finally {
    closeSync(fd);
  }
}

const BATCH = 1000;
/** A query process that grows past this is stopped (a row of huge values, a runaway sort). */
const CHILD_HEAP_MB = 512;

type ChildMessage =
  | { type: 'rows'; rows: Record<string, unknown>[]; done: boolean }
  | { type: 'error'; message: string };

/**
 * Streams a query's rows from a SQLite file in a separate process, so the synchronous driver never
 * blocks the API's event loop, and a query past its timeout is stopped for real (the process is
 * killed, not asked between pages). The connection is read-only (`mode=ro`) with `query_only` on:
 * the database, not a text scan, refuses writes. The process gets no environment (no secrets).
 */
export async function* readSqlite(
  file: string,
  query: string,
  options: SqlRunOptions,
): AsyncIterable<Record<string, unknown>> {
  const child = spawn(
    process.execPath,
    [`--max-old-space-size=${CHILD_HEAP_MB}`, '-e', `(${sqliteQueryProcess.toString()})()`],
    { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], serialization: 'advanced', env: {} },
  );
  const inbox: ChildMessage[] = [];
  let wake: (() => void) | undefined;
  let ended: Error | undefined;
  const stop = (reason: Error) => {
    ended ??= reason;
    wake?.();
  };
  child.on('message', (message: ChildMessage) => {
    inbox.push(message);
    wake?.();
  });
  child.on('error', (error) => stop(new SegmentSourceError(`The query could not start: ${error.message}.`)));
  child.on('exit', (code, signal) =>
    stop(
      new SegmentSourceError(
        signal === 'SIGABRT' || code === 134
          ? 'The query was stopped: it used more memory than a query may (select fewer or smaller columns).'
          : 'The query stopped unexpectedly.',
      ),
    ),
  );
  const timer = setTimeout(() => {
    stop(new SegmentSourceError(`The query ran longer than ${options.timeoutMs} ms and was stopped.`));
    child.kill('SIGKILL');
  }, options.timeoutMs);
  try {
    child.send({
      libsql: require.resolve('libsql'),
      uri: `${pathToFileURL(file).href}?mode=ro`,
      query: query.trim().replace(/;\s*$/, ''),
      batch: BATCH,
    });
    let count = 0;
    for (;;) {
      while (inbox.length === 0 && !ended) await new Promise<void>((done) => (wake = done));
      const message = inbox.shift();
      if (!message) throw ended as Error;
      if (message.type === 'error') {
        throw new SegmentSourceError(`The query failed: ${describeQueryError(message.message)}.`);
      }
      count += message.rows.length;
      if (count > options.rowLimit) throw tooManyRows(options.rowLimit);
      yield* message.rows;
      if (message.done) return;
      child.send('more');
    }
  } finally {
    clearTimeout(timer);
    child.removeAllListeners('exit');
    // Gone before the reader moves on: the file is released (and its lock with it) once we return.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
  }
}

/**
 * The query process's program, run with `node -e` (so it needs no file of its own at run time): it
 * opens the database, then sends the rows a batch at a time, waiting for "more" after each batch so the
 * reader's pace bounds memory. Self-contained: it sees nothing of this module but its source.
 */
function sqliteQueryProcess(): void {
  let more: (() => void) | undefined;
  const send = (message: unknown) =>
    new Promise<void>((done, fail) =>
      (process.send as NonNullable<typeof process.send>)(message, undefined, {}, (error) =>
        error ? fail(error) : done(),
      ),
    );
  const run = async (job: { libsql: string; uri: string; query: string; batch: number }) => {
    try {
      const Database = require(job.libsql);
      const db = new Database(job.uri);
      db.exec('PRAGMA query_only = ON');
      let rows: unknown[] = [];
      for (const row of db.prepare(job.query).iterate()) {
        rows.push(row);
        if (rows.length < job.batch) continue;
        await send({ type: 'rows', rows, done: false });
        rows = [];
        await new Promise<void>((resume) => (more = resume));
      }
      await send({ type: 'rows', rows, done: true });
    } catch (error) {
      await send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    }
    process.disconnect?.();
  };
  process.on('message', (message: unknown) => {
    if (message === 'more') more?.();
    else void run(message as Parameters<typeof run>[0]);
  });
}
