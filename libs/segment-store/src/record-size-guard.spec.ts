import { Readable } from 'node:stream';
import { RecordSizeGuard } from './record-size-guard';

/** Pipes `chunks` through a guard of `maxBytes`; resolves with what came out. */
async function guard(maxBytes: number, ...chunks: string[]): Promise<string> {
  const guarded = Readable.from(chunks.map((chunk) => Buffer.from(chunk))).pipe(
    new RecordSizeGuard(maxBytes),
  );
  const out: Buffer[] = [];
  for await (const chunk of guarded) out.push(chunk as Buffer);
  return Buffer.concat(out).toString();
}

describe('RecordSizeGuard', () => {
  it('passes records up to the limit through unchanged, line breaks not counted', async () => {
    expect(await guard(5, 'abcde\n', 'fghij\r\n12345\r', 'vwxyz')).toBe('abcde\nfghij\r\n12345\rvwxyz');
  });

  it('fails the first record past the limit, naming the line where it starts', async () => {
    await expect(guard(5, 'abc\n\r\n', 'abcdef\n')).rejects.toMatchObject({
      name: 'CsvFormatError',
      line: 3,
      message:
        'The record at line 3 is longer than 5 bytes, the limit for one CSV record (the header or a row); ' +
        'shorten its cells or keep fewer columns.',
    });
  });

  it('counts a quoted line break as part of the record, and "" as a quote inside a quoted cell', async () => {
    expect(await guard(9, '"a\nb",c\n', '"x""y",z\n')).toBe('"a\nb",c\n"x""y",z\n');
    await expect(guard(9, 'ok\n"one\ntwo\nthree"\n')).rejects.toMatchObject({ line: 2 });
    await expect(guard(9, 'ok\n"one""\ntwo\nthree"\n')).rejects.toMatchObject({ line: 2 });
  });

  it('bounds a record of nothing but delimiters, however it is cut into chunks', async () => {
    await expect(guard(1000, ...Array.from({ length: 100 }, () => ',,,,,,,,,,,,,,,,'))).rejects.toMatchObject(
      {
        line: 1,
      },
    );
  });
});
