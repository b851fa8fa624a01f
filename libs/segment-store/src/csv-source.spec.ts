import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { parseCsvRows, type CsvOptions } from './csv-source';
import { CsvFormatError, MultiValueError } from './errors';

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
