import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { companySqliteFolder, readSqlite, resolveCompanySqliteFile, SqliteFileError } from './sqlite-source';

const ACME = 'cmp_01ACME000000000000000000';
const GLOBEX = 'cmp_01GLOBEX00000000000000000';

describe('SQLite data sources', () => {
  let dataDir: string;
  let acmeFolder: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'conduit-sqlite-source-'));
    acmeFolder = companySqliteFolder(dataDir, ACME);
    mkdirSync(acmeFolder, { recursive: true });
    mkdirSync(companySqliteFolder(dataDir, GLOBEX), { recursive: true });
    database(join(dataDir, 'conduit.sqlite'), 'CREATE TABLE api_keys (secret_hash TEXT)');
    database(join(acmeFolder, 'crm.sqlite'), 'CREATE TABLE customers (email TEXT)', 2500);
    database(
      join(companySqliteFolder(dataDir, GLOBEX), 'crm.sqlite'),
      'CREATE TABLE customers (email TEXT)',
      3,
    );
    writeFileSync(join(acmeFolder, 'notes.txt'), 'not a database');
    writeFileSync(join(acmeFolder, 'notes-long.txt'), 'a text file longer than a SQLite header');
    // The magic string without its final NUL byte: 15 bytes, one short of a header.
    writeFileSync(join(acmeFolder, 'short.sqlite'), 'SQLite format 3');
    symlinkSync(join(dataDir, 'conduit.sqlite'), join(acmeFolder, 'platform.sqlite'));
    symlinkSync(companySqliteFolder(dataDir, GLOBEX), join(acmeFolder, 'globex'));
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  function database(path: string, schema: string, rows = 0): void {
    const db = new Database(path);
    db.exec(schema);
    if (rows > 0) {
      const insert = db.prepare('INSERT INTO customers VALUES (?)');
      for (let i = 0; i < rows; i++) insert.run(`user${i}@example.com`);
    }
    db.close();
  }

  describe('resolveCompanySqliteFile', () => {
    it("resolves a file of the company's own folder to its real path", () => {
      expect(resolveCompanySqliteFile(dataDir, ACME, 'crm.sqlite')).toMatch(
        /data-sources\/cmp_01ACME\w+\/crm\.sqlite$/,
      );
    });

    it.each([
      ['conduit.sqlite', /existing SQLite file/],
      ['../../conduit.sqlite', /inside your company's data-source folder/],
      [`../${GLOBEX}/crm.sqlite`, /inside your company's data-source folder/],
      ['/etc/passwd', /relative to your company's data-source folder/],
      ['platform.sqlite', /not a link to a file outside it/],
      ['globex/crm.sqlite', /not a link to a file outside it/],
      ['notes.txt', /SQLite database file/],
      ['notes-long.txt', /SQLite database file/],
      ['short.sqlite', /SQLite database file/],
      ['..', /must stay inside your company's data-source folder/],
      ['missing.sqlite', /existing SQLite file/],
      ['.', /must stay inside your company's data-source folder/],
      ['crm.sqlite\0', /relative to/],
    ])('refuses %j', (path, reason) => {
      expect(() => resolveCompanySqliteFile(dataDir, ACME, path)).toThrow(SqliteFileError);
      expect(() => resolveCompanySqliteFile(dataDir, ACME, path)).toThrow(reason);
    });

    it("refuses the platform's database even when the company folder is itself a link to the data directory", () => {
      const linked = 'cmp_01LINKED000000000000000000';
      symlinkSync(dataDir, companySqliteFolder(dataDir, linked));
      expect(() => resolveCompanySqliteFile(dataDir, linked, 'conduit.sqlite')).toThrow(
        /must be a file of your company's data-source folder .*, not a link to a file outside it/,
      );
    });

    it('resolves a company file when the data directory holds no platform database', () => {
      const bare = mkdtempSync(join(tmpdir(), 'conduit-sqlite-bare-'));
      try {
        mkdirSync(companySqliteFolder(bare, ACME), { recursive: true });
        database(join(companySqliteFolder(bare, ACME), 'crm.sqlite'), 'CREATE TABLE customers (email TEXT)');
        expect(resolveCompanySqliteFile(bare, ACME, 'crm.sqlite')).toMatch(/crm\.sqlite$/);
      } finally {
        rmSync(bare, { recursive: true, force: true });
      }
    });

    const openFiles = () => readdirSync('/proc/self/fd').length;
    (existsSync('/proc/self/fd') ? it : it.skip)('closes the file it reads the header of', () => {
      const before = openFiles();
      for (let i = 0; i < 50; i++) resolveCompanySqliteFile(dataDir, ACME, 'crm.sqlite');
      expect(openFiles()).toBeLessThan(before + 10);
    });

    it('refuses a company without a folder', () => {
      expect(() => resolveCompanySqliteFile(dataDir, 'cmp_01NOFOLDER000000000000000', 'crm.sqlite')).toThrow(
        /existing SQLite file in your company's data-source folder \(data-sources\/cmp_01NOFOLDER/,
      );
    });
  });

  describe('readSqlite (a separate, read-only process)', () => {
    const options = { timeoutMs: 20_000, rowLimit: 1_000_000 };
    const collect = async (query: string, run = options) => {
      const rows: Record<string, unknown>[] = [];
      for await (const row of readSqlite(join(acmeFolder, 'crm.sqlite'), query, run)) rows.push(row);
      return rows;
    };

    it('streams every row across batches', async () => {
      const rows = await collect('SELECT email FROM customers ORDER BY rowid;');
      expect(rows).toHaveLength(2500);
      expect(rows[2499]).toEqual({ email: 'user2499@example.com' });
    });

    it('writes nothing, whatever the statement: the connection itself is read-only', async () => {
      await expect(collect('DELETE FROM customers')).rejects.toThrow(/The query failed: .*readonly/i);
      await expect(collect("INSERT INTO customers VALUES ('x') RETURNING email")).rejects.toThrow(
        /The query failed/,
      );
      expect(await collect('SELECT count(*) AS n FROM customers')).toEqual([{ n: 2500 }]);
    });

    it('runs only the first statement, never one smuggled after a string literal', async () => {
      expect(await collect("SELECT '--' AS email ; DELETE FROM customers")).toEqual([{ email: '--' }]);
      expect(await collect('SELECT count(*) AS n FROM customers')).toEqual([{ n: 2500 }]);
    });

    it('fails past the row limit, naming the setting', async () => {
      await expect(collect('SELECT email FROM customers', { ...options, rowLimit: 1200 })).rejects.toThrow(
        /more than 1200 rows \(SEGMENT_SQL_ROW_LIMIT\)/,
      );
    });

    it('stops a runaway query at its timeout, and the event loop never waits for it', async () => {
      let longestGapMs = 0;
      let last = Date.now();
      const ticker = setInterval(() => {
        longestGapMs = Math.max(longestGapMs, Date.now() - last);
        last = Date.now();
      }, 10);
      const started = Date.now();
      try {
        await expect(
          collect(
            'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 60000000) SELECT count(*) AS n FROM c',
            { ...options, timeoutMs: 1500 },
          ),
        ).rejects.toThrow(/ran longer than 1500 ms and was stopped/);
      } finally {
        clearInterval(ticker);
      }
      // Killed, not awaited: the answer comes at the timeout, not when the count would have finished.
      expect(Date.now() - started).toBeLessThan(10_000);
      // The synchronous driver ran in another process: this one kept ticking (a generous bound for CI).
      expect(longestGapMs).toBeLessThan(1000);
    });

    it('stops the query process when the reader stops early', async () => {
      const rows: unknown[] = [];
      for await (const row of readSqlite(
        join(acmeFolder, 'crm.sqlite'),
        'SELECT email FROM customers',
        options,
      )) {
        rows.push(row);
        if (rows.length === 10) break;
      }
      // The file is free again at once: a writer does not find it locked.
      const db = new Database(join(acmeFolder, 'crm.sqlite'));
      db.exec("INSERT INTO customers VALUES ('late@example.com')");
      db.exec("DELETE FROM customers WHERE email = 'late@example.com'");
      db.close();
      expect(rows).toHaveLength(10);
    });
  });
});
