import { columnValues } from './hash-rows';

describe('columnValues: NDJSON cells without a parse per line', () => {
  const columns = ['email', 'x"email', 'n:', 'phone', 'missing', 'ü'];
  const rows: Record<string, unknown>[] = [
    { email: 'a@b.co', phone: null },
    { phone: '+1 415', email: 'He said "hi"' },
    { email: 'back\\slash', 'x"email': 'quoted key', 'n:': 'colon key' },
    { note: '"email":"not me"', email: 'me@x.co' },
    { note: ',"email":"nor me"', email: null },
    { email: ['two', 'values'], phone: 42 },
    { email: { nested: '"email":"no"' }, ü: 'ümlaut ✓ 😀' },
    { email: 'line\nbreak', phone: '\u2028' },
    {},
    { email: '' },
    { 'x"email': 'only the odd key' },
  ];
  const text = rows.map((row) => `${JSON.stringify(row)}\n`).join('');

  it('answers what JSON.parse of each line answers, column by column', () => {
    const expected = columns.map((column) => rows.map((row) => row[column]));
    expect(columnValues(text, columns)).toEqual(expected);
  });

  it('reads a last line without its newline, and nothing from nothing', () => {
    expect(columnValues(`${JSON.stringify({ email: 'a' })}\n{"email":"b"}`, ['email'])).toEqual([['a', 'b']]);
    expect(columnValues('', ['email'])).toEqual([[]]);
  });
});
