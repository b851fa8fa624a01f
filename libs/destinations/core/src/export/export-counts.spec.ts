import type { ExportCounts } from '../provider/destination-provider';
import { countRejected, countsOfKeyType, INVALID_EXAMPLES_PER_REASON, maskIdentifier } from './export-counts';

describe('maskIdentifier', () => {
  it.each([
    ['jane@-example.com', 'j•••@-e••••••.c••'],
    ['+33 6 12 34 56 78', '+3• 6 1• 3• 5• 7•'],
    ['not an email', 'n•• a• e••••'],
    ['müller@bücher.example', 'm•••••@b•••••.e••••••'],
    ['(415) 555-0100', '(4••) 5••-0•••'],
  ])('shows the shape of %j, not the value: %j', (value, masked) => {
    expect(maskIdentifier(value)).toBe(masked);
  });

  it('keeps at most 40 characters of a long value', () => {
    const masked = maskIdentifier('a'.repeat(1_000));
    expect(masked).toBe(`a${'•'.repeat(39)}…`);
  });

  it('replaces control characters and lone surrogates, which PostgreSQL jsonb cannot store', () => {
    expect(maskIdentifier('ab\u0000cd\u001f@x')).toBe('a•\uFFFDc•\uFFFD@x');
    expect(maskIdentifier('a\ud800b')).toBe('a\uFFFDb');
    expect(JSON.stringify(maskIdentifier('\u0000'))).not.toContain('\\u0000');
  });

  it('masks what is not a string as its JSON', () => {
    expect(maskIdentifier(['ab', 12])).toBe('["a•",1•]');
    expect(maskIdentifier(4155550100)).toBe('4•••••••••');
  });
});

describe('countRejected', () => {
  const empty = (): ExportCounts => ({ read: 0, valid: 0, invalid: {}, duplicates: 0, uploaded: 0 });

  it('counts by reason overall and per key type, keeping the first few examples masked', () => {
    const counts = empty();
    for (let index = 0; index < 5; index++) countRejected(counts, 'EMAIL', 'MALFORMED', `bad${index}@x`);
    countRejected(counts, 'PHONE', 'TOO_LONG', '+1234567890123456');
    countRejected(counts, 'EMAIL', 'EMPTY', '   ');
    expect(counts.invalid).toEqual({ MALFORMED: 5, TOO_LONG: 1, EMPTY: 1 });
    expect(counts.byKeyType).toEqual({
      EMAIL: {
        valid: 0,
        invalid: { MALFORMED: 5, EMPTY: 1 },
        duplicates: 0,
        invalidExamples: { MALFORMED: ['b•••@x', 'b•••@x', 'b•••@x'] },
      },
      PHONE: {
        valid: 0,
        invalid: { TOO_LONG: 1 },
        duplicates: 0,
        invalidExamples: { TOO_LONG: ['+1•••••••••••••••'] },
      },
    });
    expect(counts.byKeyType?.EMAIL?.invalidExamples?.MALFORMED).toHaveLength(INVALID_EXAMPLES_PER_REASON);
  });

  it('creates the counts of a key type once and hands back the same object', () => {
    const counts = empty();
    const first = countsOfKeyType(counts, 'MAID');
    first.valid = 7;
    expect(countsOfKeyType(counts, 'MAID')).toBe(first);
    expect(counts.byKeyType).toEqual({ MAID: { valid: 7, invalid: {}, duplicates: 0 } });
  });
});
