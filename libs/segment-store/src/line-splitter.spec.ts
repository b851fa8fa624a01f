import { LineSplitter, LineTooLongError } from './line-splitter';

/** Every line `chunks` hold, as a reader gets them. */
function lines(chunks: readonly string[], maxLength = 100): string[] {
  const splitter = new LineSplitter(maxLength);
  return [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()];
}

describe('LineSplitter', () => {
  it('splits lines across chunk boundaries, skipping empty lines and dropping the \\r of \\r\\n', () => {
    expect(lines(['a\nb', 'c\n\n', '\nd\r', '\ne', 'f', 'g'])).toEqual(['a', 'bc', 'd', 'efg']);
    expect(lines(['one\r\n', '', 'two\n'])).toEqual(['one', 'two']);
    expect(lines([])).toEqual([]);
  });

  it('hands out each line as soon as the chunk that ends it arrives', () => {
    const splitter = new LineSplitter(100);
    expect(splitter.push('a\nb')).toEqual(['a']);
    expect(splitter.push('c')).toEqual([]);
    expect(splitter.push('\nd\ne\n')).toEqual(['bc', 'd', 'e']);
    expect(splitter.end()).toEqual([]);
  });

  it('splits many rows cut at every chunk size the same way as the text split whole', () => {
    const rows = Array.from(
      { length: 500 },
      (_, index) => `{"row":${index},"note":"${'x'.repeat(index % 13)}"}`,
    );
    const text = `${rows.join('\n')}\n\n`;
    for (const size of [1, 2, 7, 64, 1000, text.length]) {
      const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, index) =>
        text.slice(index * size, (index + 1) * size),
      );
      expect(lines(chunks)).toEqual(rows);
    }
  });

  it('accepts a line of exactly maxLength, refuses a longer one, however it is cut', () => {
    expect(lines(['abc\n', 'abcd'], 4)).toEqual(['abc', 'abcd']);
    expect(() => lines(['abcde\n'], 4)).toThrow(LineTooLongError);
    expect(() => lines(['ab', 'cd', 'e\n'], 4)).toThrow('A line is longer than 4 characters (the limit).');
    expect(() => lines(['ab', 'cde'], 4)).toThrow(LineTooLongError);
  });

  it('fails a 100 MB line at the limit, having taken only the chunks up to it', () => {
    const chunk = 'x'.repeat(64 * 1024);
    const maxLength = 1024 * 1024;
    const splitter = new LineSplitter(maxLength);
    let pushed = 0;
    const pushAll = () => {
      for (let sent = 0; sent < 100 * 1024 * 1024; sent += chunk.length) {
        pushed += 1;
        splitter.push(chunk);
      }
    };
    expect(pushAll).toThrow(expect.objectContaining({ maxLength }));
    // 16 chunks of 64 KB make the limit; the 17th passes it and nothing after it is taken or joined.
    expect(pushed).toBe(maxLength / chunk.length + 1);
  });
});
