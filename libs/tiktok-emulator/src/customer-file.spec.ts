import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCustomerFile } from './customer-file';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** What TikTok's rules (and the emulator's line-by-line reading) make of a single-type file's text. */
function reference(text: string): { values: string[]; lines: number; invalidValues: number } {
  const values: string[] = [];
  let lines = 0;
  let invalidValues = 0;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    lines++;
    if (line.length === 64 && /^[0-9a-fA-F]+$/.test(line)) values.push(line.toLowerCase());
    else invalidValues++;
  }
  return { values, lines, invalidValues };
}

describe('parseCustomerFile, single types (read as bytes)', () => {
  let directory: string;
  beforeAll(() => (directory = mkdtempSync(join(tmpdir(), 'customer-file-'))));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  async function parse(name: string, text: string | Buffer) {
    const path = join(directory, name);
    writeFileSync(path, text);
    const parsed = await parseCustomerFile(path, 'EMAIL_SHA256');
    const list = parsed.values.get('EMAIL_SHA256');
    return {
      values: [...(list?.values() ?? [])].map((value) => value.toString('hex')),
      lines: parsed.lines,
      invalidValues: parsed.invalidValues,
    };
  }

  it('reads every line as the line-by-line rules do: breaks, spaces, case, invalid values', async () => {
    const text = [
      sha('a'),
      `  ${sha('b').toUpperCase()}\t`,
      `${sha('c')}\r`,
      `${sha('d')}\r${sha('e')}`, // a lone CR ends a line too
      '',
      '   ',
      sha('f').slice(1), // too short
      `${sha('g')}0`, // too long
      `${sha('h').slice(0, 63)}z`, // not hex
      `\u00a0${sha('i')}\u2003`, // Unicode spaces around: trimmed like String#trim
      `${sha('j').slice(0, 32)}é${sha('j').slice(33)}`, // a multi-byte character inside
      sha('k'), // no final newline
    ].join('\n');
    const parsed = await parse('mixed.csv', text);
    expect(parsed).toEqual(reference(text));
    expect(parsed.values).toHaveLength(7);
  });

  it('handles lines across its 1 MB reads and a line longer than a read', async () => {
    const values = Array.from({ length: 40_000 }, (_, n) => sha(String(n)));
    const long = 'f'.repeat(3 * 1024 * 1024);
    const text = `${values.slice(0, 20_000).join('\r\n')}\n${long}\n${values.slice(20_000).join('\n')}\n`;
    const parsed = await parse('big.csv', text);
    expect(parsed).toEqual(reference(text));
    expect(parsed.values).toEqual(values);
    expect(parsed.invalidValues).toBe(1);
  });

  it('refuses a file without a single valid value (40915)', async () => {
    await expect(parse('none.csv', 'nope\n\n')).rejects.toMatchObject({ code: 40915 });
  });
});
