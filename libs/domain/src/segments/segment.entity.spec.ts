import { boundedErrorMessage, SEGMENT_ERROR_MESSAGE_MAX_LENGTH } from './segment.entity';

describe('boundedErrorMessage', () => {
  it('keeps a short, clean message as it is, line breaks and tabs included', () => {
    expect(boundedErrorMessage('Line 3 has 3 fields;\n\tthe header has 2. Ünïcödé 😀')).toBe(
      'Line 3 has 3 fields;\n\tthe header has 2. Ünïcödé 😀',
    );
  });

  it('removes NUL and the other control characters, which databases refuse or show badly', () => {
    expect(
      boundedErrorMessage('no column "em\u0000ail" (header: a\u0001b\r, c\u001b[31m, d\u007f\u0085)'),
    ).toBe('no column "email" (header: ab, c[31m, d)');
  });

  it('replaces each half of a broken surrogate pair, keeping whole pairs', () => {
    expect(boundedErrorMessage('a\uD83Db \uDE00c 😀')).toBe('a\uFFFDb \uFFFDc 😀');
  });

  it('cuts a long message to the limit with an ellipsis, cleaning only what it keeps', () => {
    const max = SEGMENT_ERROR_MESSAGE_MAX_LENGTH;
    expect(boundedErrorMessage('x'.repeat(21_000_000))).toBe(`${'x'.repeat(max - 1)}…`);
    const header = boundedErrorMessage(`(header: ${'c,\u0000'.repeat(7_000_000)})`);
    expect(header).toMatch(/^\(header: (c,)+c?…$/);
    expect(header.length).toBeLessThan(max);
    expect(boundedErrorMessage('y'.repeat(max))).toBe('y'.repeat(max));
  });

  it('never leaves half a surrogate pair where it cuts', () => {
    const max = SEGMENT_ERROR_MESSAGE_MAX_LENGTH;
    expect(boundedErrorMessage(`${'y'.repeat(max - 2)}😀 and more`)).toBe(`${'y'.repeat(max - 2)}…`);
    expect(boundedErrorMessage(`${'y'.repeat(max - 3)}😀 and more`)).toBe(`${'y'.repeat(max - 3)}😀…`);
  });
});
