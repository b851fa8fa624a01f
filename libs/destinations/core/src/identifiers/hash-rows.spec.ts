import { HashedIdentifiers, hashIdentifiers } from './hash-identifiers';
import { columnValues, hashNdjsonRows, type RowColumn } from './hash-rows';

const ndjson = (rows: readonly Record<string, unknown>[]) =>
  new TextEncoder().encode(rows.map((row) => `${JSON.stringify(row)}\n`).join(''));

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

describe('columnValues: the fast path', () => {
  afterEach(() => jest.restoreAllMocks());

  it('reads lines as the store writes them (strings without escapes, nulls, absent keys) with no JSON.parse', () => {
    const parse = jest.spyOn(JSON, 'parse');
    const rows = [
      { email: 'a@b.co', phone: null },
      { phone: '+1 415', email: 'ümlaut ✓ 😀' },
      { note: 'x', email: '' },
      {},
      { email: 'null', phone: 'nullish' },
      { phone: null, email: 'x@y.co' },
    ];
    const text = rows.map((row) => JSON.stringify(row)).join('\n');
    expect(columnValues(text, ['email', 'phone', 'missing'])).toEqual([
      ['a@b.co', 'ümlaut ✓ 😀', '', undefined, 'null', 'x@y.co'],
      [null, '+1 415', undefined, undefined, 'nullish', null],
      [undefined, undefined, undefined, undefined, undefined, undefined],
    ]);
    expect(parse).not.toHaveBeenCalled();
  });

  it('parses a line once, only when one of its mapped cells is not a plain string or null', () => {
    const parse = jest.spyOn(JSON, 'parse');
    const rows = [
      { email: 'plain@x.co' },
      { email: 'escaped "quote"', phone: 'tab\there' },
      { email: 42, phone: null },
      { email: 'plain@y.co', phone: 'nulled' },
      { email: [null] },
    ];
    const text = rows.map((row) => JSON.stringify(row)).join('\n');
    expect(columnValues(text, ['email', 'phone'])).toEqual([
      ['plain@x.co', 'escaped "quote"', 42, 'plain@y.co', [null]],
      [undefined, 'tab\there', null, 'nulled', undefined],
    ]);
    // Lines 2, 3 and 5, once each, whatever number of their cells needed it.
    expect(parse).toHaveBeenCalledTimes(3);
  });

  it('fails on a line that is not JSON, as JSON.parse does, instead of reading it as empty', () => {
    for (const line of ['not json', '{"email":nulll}', '{"email":null ', '"email":"a@b.co"', '["email"]x']) {
      expect(() => columnValues(`{"email":"fine@x.co"}\n${line}\n`, ['email'])).toThrow(SyntaxError);
    }
  });

  it('skips empty lines', () => {
    expect(columnValues('{"email":"a"}\n\n{"email":"b"}\n\n', ['email'])).toEqual([['a', 'b']]);
  });
});

describe('hashNdjsonRows', () => {
  const columns: RowColumn[] = [
    { column: 'email', keyType: 'EMAIL', encoding: 'RAW' },
    { column: 'phone', keyType: 'PHONE', encoding: 'RAW' },
  ];
  const rows = [
    { email: 'one@example.com', phone: '+14155552671' },
    { email: 'not an email 1', phone: null },
    { email: 'not an email 2', phone: '+14155552672' },
    { email: 'not an email 3', phone: null },
    { email: 'not an email 4', phone: null },
    { email: null, phone: 'x' },
  ];

  it('answers each column as hashIdentifiers does, in mapping order', () => {
    const answer = hashNdjsonRows({ ndjson: ndjson(rows), columns });
    expect(answer.rows).toBe(6);
    expect(answer.columns.map((bytes) => bytes.byteLength)).toEqual([6 * 33, 6 * 33]);
    columns.forEach(({ column, keyType, encoding }, index) => {
      const expected = hashIdentifiers({
        keyType,
        encoding,
        values: rows.map((row) => row[column as 'email']),
      });
      expect(Buffer.from(answer.columns[index] as Uint8Array)).toEqual(Buffer.from(expected));
    });
    expect(answer.multiValueColumn).toBeUndefined();
    expect('multiValueColumn' in answer).toBe(false);
  });

  it('keeps the first three rejected values of each column and reason as examples, and no other value', () => {
    const answer = hashNdjsonRows({ ndjson: ndjson(rows), columns });
    expect(answer.examples).toStrictEqual({
      // email: MALFORMED rows 1-3 (row 4 is a fourth), EMPTY row 5.
      '0:1': 'not an email 1',
      '0:2': 'not an email 2',
      '0:3': 'not an email 3',
      '0:5': null,
      // phone: EMPTY rows 1, 3, 4; MALFORMED row 5.
      '1:1': null,
      '1:3': null,
      '1:4': null,
      '1:5': 'x',
    });
  });

  it('names the first mapped column holding a list', () => {
    const listed = [{ email: 'a@b.co', phone: ['+14155552671', '+14155552672'] }, { email: ['x', 'y'] }];
    expect(hashNdjsonRows({ ndjson: ndjson(listed), columns }).multiValueColumn).toBe('email');
    expect(hashNdjsonRows({ ndjson: ndjson(listed.slice(0, 1)), columns }).multiValueColumn).toBe('phone');
  });

  it('counts the rows of a batch that maps no column (empty lines are not rows)', () => {
    const text = new TextEncoder().encode('{"a":1}\n\n{"a":2}\n{"a":3}');
    expect(hashNdjsonRows({ ndjson: text, columns: [] })).toEqual({ rows: 3, columns: [], examples: {} });
    expect(hashNdjsonRows({ ndjson: new Uint8Array(0), columns: [] }).rows).toBe(0);
  });

  it('keeps a plain column’s texts beside its digests, and only that column’s', () => {
    const devices = [
      { email: 'one@example.com', maid: '5F3A2B18-9C4D-4E7F-B8E2-17D3A1E69B25' },
      { email: 'two@example.com', maid: 'not a maid' },
      { email: 'x', maid: null },
      { email: null, maid: '5f3a2b189c4d4e7fb8e217d3a1e69b26' },
    ];
    const mapped: RowColumn[] = [
      { column: 'email', keyType: 'EMAIL', encoding: 'RAW' },
      { column: 'maid', keyType: 'MAID', encoding: 'RAW' },
    ];
    const options = { plainKeyTypes: ['MAID'] } as const;
    const answer = hashNdjsonRows({ ndjson: ndjson(devices), columns: mapped, options });
    const [email, maid] = answer.columns.map((bytes) => new HashedIdentifiers(answer.rows, bytes));
    expect(devices.map((_, row) => maid?.plain(row))).toEqual([
      '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25',
      undefined,
      undefined,
      '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b26',
    ]);
    expect(devices.map((_, row) => email?.plain(row))).toEqual([undefined, undefined, undefined, undefined]);
    // Each column as hashIdentifiers answers it with the same options; the rejected values' examples as ever.
    mapped.forEach(({ column, keyType, encoding }, index) =>
      expect(Buffer.from(answer.columns[index] as Uint8Array)).toEqual(
        Buffer.from(
          hashIdentifiers({
            keyType,
            encoding,
            options,
            values: devices.map((row) => row[column as 'email']),
          }),
        ),
      ),
    );
    expect(answer.examples).toStrictEqual({ '0:2': 'x', '0:3': null, '1:1': 'not a maid', '1:2': null });
  });

  it('refuses a SHA256 column of a plain key type', () => {
    const digest = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    const hash = () =>
      hashNdjsonRows({
        ndjson: ndjson([{ maid: digest }]),
        columns: [{ column: 'maid', keyType: 'MAID', encoding: 'SHA256' }],
        options: { plainKeyTypes: ['MAID'] },
      });
    expect(hash).toThrow(RangeError);
    expect(hash).toThrow(/^A SHA256 column cannot hold MAID: /);
  });

  it('reads a view into a larger buffer as its own bytes only', () => {
    const whole = ndjson([{ email: 'skip@x.co' }, { email: 'one@example.com' }, { email: 'skip@y.co' }]);
    const first = whole.indexOf(0x0a) + 1;
    const view = whole.subarray(first, whole.indexOf(0x0a, first) + 1);
    const answer = hashNdjsonRows({ ndjson: view, columns: columns.slice(0, 1) });
    expect(answer.rows).toBe(1);
    expect(Buffer.from(answer.columns[0] as Uint8Array)).toEqual(
      Buffer.from(hashIdentifiers({ keyType: 'EMAIL', encoding: 'RAW', values: ['one@example.com'] })),
    );
  });
});
