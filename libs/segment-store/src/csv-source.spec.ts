import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { parseCsvRows, type CsvOptions } from './csv-source';
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
});
