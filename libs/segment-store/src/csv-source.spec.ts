import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { MAX_CSV_COLUMNS, MAX_CSV_RECORD_BYTES, parseCsvRows, type CsvOptions } from './csv-source';
import { CsvFormatError, MultiValueError, SegmentSourceError } from './errors';

const keys = (keyColumns: string[], extra: Partial<CsvOptions> = {}): CsvOptions => ({
  keyColumns,
  flatten: false,
  ...extra,
});

async function collect(content: string | Buffer, options: CsvOptions) {
  const rows = [];
  for await (const row of parseCsvRows(Readable.from([Buffer.from(content)]), options)) rows.push(row);
  return rows;
}

jest.setTimeout(60_000);

describe('parseCsvRows', () => {
  it('reads rows by header, empty cells as null, quotes with delimiters and newlines, a BOM', async () => {
    const csv = '\uFEFFemail,note\njane@example.com,"a, b"\n,"two\nlines"\n\n';
    expect(await collect(csv, keys(['email']))).toEqual([
      { email: 'jane@example.com', note: 'a, b' },
      { email: null, note: 'two\nlines' },
    ]);
  });

  it('reads a gzipped file, detected from its first bytes', async () => {
    const csv = 'email\na@example.com\nb@example.com\n';
    expect(await collect(gzipSync(Buffer.from(csv)), keys(['email']))).toHaveLength(2);
  });

  it('names the line of a row with the wrong number of fields', async () => {
    await expect(collect('email,country\na@x.com,FR\nb@x.com,DE,extra\n', keys(['email']))).rejects.toEqual(
      expect.objectContaining({
        name: 'CsvFormatError',
        line: 3,
        message: 'Line 3 has 3 fields; the header has 2.',
      }),
    );
  });

  it('requires a header with every key column', async () => {
    await expect(collect('', keys(['email']))).rejects.toThrow(
      'The file is empty: a header row is required.',
    );
    await expect(collect('mail,country\nx,FR\n', keys(['email', 'phone']))).rejects.toThrow(
      'The header has no column "email", "phone" (header: mail, country).',
    );
    await expect(collect('\n\n', keys(['email']))).rejects.toBeInstanceOf(CsvFormatError);
    await expect(collect(gzipSync(Buffer.alloc(0)), keys(['email']))).rejects.toThrow('The file is empty');
    await expect(collect('email,email\nx,y\n', keys(['email']))).rejects.toMatchObject({
      name: 'CsvFormatError',
      column: 'email',
      message: 'The header names column "email" twice (header: email, email).',
    });
  });

  it('trims header names only, never cell values; uses the given delimiter', async () => {
    const csv = ' email ; note \n a@x.com ; keep  spaces \n';
    expect(await collect(csv, keys(['email'], { delimiter: ';' }))).toEqual([
      { email: ' a@x.com ', note: ' keep  spaces ' },
    ]);
  });

  it('reports the line where a multi-line record starts, counting blank lines', async () => {
    const csv = 'email,note\n\na@x.com,"one\ntwo"\n\nb@x.com\n';
    await expect(collect(csv, keys(['email']))).rejects.toMatchObject({ line: 6 });
    const crlf = 'email,note\r\n\r\na@x.com,"one\r\ntwo"\r\nb@x.com,x\r\nc@x.com\r\n';
    await expect(collect(crlf, keys(['email']))).rejects.toMatchObject({ line: 6 });
    const multiline = 'email,note\n"a@x.com","x\ny",extra\n';
    await expect(collect(multiline, keys(['email']))).rejects.toMatchObject({
      line: 2,
      message: 'Line 2 has 3 fields; the header has 2.',
    });
  });

  it('stops past maxRows, counted after flattening', async () => {
    const csv = 'email\na@x.com\nb@x.com|c@x.com\n';
    const options = keys(['email'], { flatten: true, multiValueDelimiter: '|' });
    expect(await collect(csv, { ...options, maxRows: 3 })).toHaveLength(3);
    const failure = collect(csv, { ...options, maxRows: 2 });
    await expect(failure).rejects.toBeInstanceOf(SegmentSourceError);
    await expect(failure).rejects.toMatchObject({
      line: 3,
      message: expect.stringContaining('more than 2 rows'),
    });
  });

  it('reports malformed quoting and broken gzip as format errors', async () => {
    await expect(collect('email\n"unterminated\n', keys(['email']))).rejects.toBeInstanceOf(CsvFormatError);
    const broken = Buffer.concat([gzipSync(Buffer.from('email\na@x.com\n')).subarray(0, 12)]);
    await expect(collect(broken, keys(['email']))).rejects.toBeInstanceOf(CsvFormatError);
  });

  it('flattens multi-value key cells into one row per value (every combination across key columns)', async () => {
    const csv = 'email,phone,country\n"a@x.com|b@x.com","+1|+2",FR\nc@x.com,,DE\n';
    expect(await collect(csv, keys(['email', 'phone'], { flatten: true, multiValueDelimiter: '|' }))).toEqual(
      [
        { email: 'a@x.com', phone: '+1', country: 'FR' },
        { email: 'a@x.com', phone: '+2', country: 'FR' },
        { email: 'b@x.com', phone: '+1', country: 'FR' },
        { email: 'b@x.com', phone: '+2', country: 'FR' },
        { email: 'c@x.com', phone: null, country: 'DE' },
      ],
    );
  });

  it('flattening keeps values as they are, drops empty ones, and leaves non-key columns alone', async () => {
    const csv = 'email,tags\n" a@x.com||b@x.com",t1|t2\n|,x\n';
    expect(await collect(csv, keys(['email'], { flatten: true, multiValueDelimiter: '|' }))).toEqual([
      { email: ' a@x.com', tags: 't1|t2' },
      { email: 'b@x.com', tags: 't1|t2' },
      { email: null, tags: 'x' },
    ]);
  });

  it('refuses a multi-value key cell when not flattening, naming the column and the line', async () => {
    const csv = 'email,tags\nc@x.com,a|b\n"a@x.com|b@x.com",x\n';
    const failure = collect(csv, keys(['email'], { multiValueDelimiter: '|' }));
    await expect(failure).rejects.toBeInstanceOf(MultiValueError);
    await expect(failure).rejects.toMatchObject({ column: 'email', line: 3 });
  });

  it('releases the file when parsing stops early', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csv-'));
    try {
      const path = join(dir, 'big.csv');
      writeFileSync(path, `email\n${'a@x.com\n'.repeat(200_000)}bad,line\n`);
      const input = createReadStream(path);
      await expect(
        (async () => {
          for await (const _row of parseCsvRows(input, keys(['email']))) void _row;
        })(),
      ).rejects.toMatchObject({ line: 200_002 });
      await new Promise((resolve) => setImmediate(resolve));
      expect(input.destroyed).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('limits on hostile input', () => {
    /** `text` as an upload arriving in 64 KB chunks; `pulled()` tells how many bytes were asked for. */
    function upload(text: string | Buffer) {
      const bytes = Buffer.from(text);
      let pulled = 0;
      const input = Readable.from(
        (function* () {
          for (let start = 0; start < bytes.length; start += 65_536) {
            const chunk = bytes.subarray(start, start + 65_536);
            pulled += chunk.length;
            yield chunk;
          }
        })(),
      );
      return { input, pulled: () => pulled };
    }

    async function parse(input: Readable, options: CsvOptions) {
      const rows = [];
      for await (const row of parseCsvRows(input, options)) rows.push(row);
      return rows;
    }

    const wideHeader = (columns: number) =>
      `${Array.from({ length: columns }, (_, index) => `c${index}`).join(',')}\nx\n`;

    it('refuses a header wider than MAX_CSV_COLUMNS, naming the limit, and accepts one at it', async () => {
      await expect(collect(wideHeader(100_000), keys(['c0']))).rejects.toMatchObject({
        name: 'CsvFormatError',
        line: 1,
        message: `The header at line 1 has 100000 columns; a CSV may have at most ${MAX_CSV_COLUMNS}.`,
      });
      // A million empty names fit in under 1 MiB: the column limit, not the record size, refuses them.
      await expect(collect(`${','.repeat(999_999)}\n`, keys(['c0']))).rejects.toThrow(
        `has 1000000 columns; a CSV may have at most ${MAX_CSV_COLUMNS}.`,
      );
      const atLimit = `${Array.from({ length: MAX_CSV_COLUMNS }, (_, index) => `c${index}`).join(',')}\n`;
      expect(await collect(`${atLimit}${'v,'.repeat(MAX_CSV_COLUMNS - 1)}v\n`, keys(['c0']))).toHaveLength(1);
    });

    it('fails a 1,000,000-column header at the record limit, without reading the rest of the file', async () => {
      const hostile = wideHeader(1_000_000);
      expect(hostile.length).toBeGreaterThan(7_000_000);
      const { input, pulled } = upload(hostile);
      await expect(parse(input, keys(['c0']))).rejects.toMatchObject({
        name: 'CsvFormatError',
        line: 1,
        message: expect.stringContaining(
          `The record at line 1 is longer than ${MAX_CSV_RECORD_BYTES} bytes, the limit for one CSV record`,
        ),
      });
      // Stopped about where the limit was passed (plus what the streams had buffered), not at the end.
      expect(pulled()).toBeLessThan(MAX_CSV_RECORD_BYTES + 512 * 1024);
    });

    it('bounds a cell and a gzipped header of nothing but delimiters alike', async () => {
      const cell = `email,note\na@x.com,ok\nb@x.com,"${'x'.repeat(MAX_CSV_RECORD_BYTES)}"\n`;
      await expect(collect(cell, keys(['email']))).rejects.toMatchObject({
        line: 3,
        message: expect.stringContaining(`The record at line 3 is longer than ${MAX_CSV_RECORD_BYTES} bytes`),
      });
      // 20 MB of commas gzip to about 20 KB: measured after gunzip, they still fail at the limit.
      const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, ','));
      expect(bomb.length).toBeLessThan(100_000);
      await expect(collect(bomb, keys(['email']))).rejects.toMatchObject({ line: 1 });
    });

    it('finds a duplicate in a wide header, and lists at most 20 names, each cut short, in its messages', async () => {
      const names = Array.from(
        { length: MAX_CSV_COLUMNS },
        (_, index) => `column_${index}_${'n'.repeat(60)}`,
      );
      const missing = collect(`${names.join(',')}\n`, keys(['email']));
      await expect(missing).rejects.toThrow(`(header: column_0_${'n'.repeat(30)}…, column_1_`);
      await expect(missing).rejects.toThrow(`… and ${MAX_CSV_COLUMNS - 20} more).`);
      await expect(missing).rejects.toMatchObject({ message: expect.not.stringContaining('column_20_') });
      const twice = collect(`email,${names.slice(2).join(',')},email\n`, keys(['email']));
      await expect(twice).rejects.toMatchObject({
        column: 'email',
        message: expect.stringMatching(/^The header names column "email" twice/),
      });
      const length = ((await twice.catch((error: Error) => error)) as Error).message.length;
      expect(length).toBeLessThan(1_000);
    });
  });
});
