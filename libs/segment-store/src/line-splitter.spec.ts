import { LineTooLongError, splitLines, type SplitLinesOptions } from './line-splitter';

async function* chunksOf(...chunks: string[]): AsyncIterable<string> {
  yield* chunks;
}

async function lines(chunks: AsyncIterable<string>, options: SplitLinesOptions = { maxLength: 100 }) {
  const out: string[] = [];
  for await (const line of splitLines(chunks, options)) out.push(line);
  return out;
}

describe('splitLines', () => {
  it('splits lines across chunk boundaries, skipping empty lines and dropping the \\r of \\r\\n', async () => {
    expect(await lines(chunksOf('a\nb', 'c\n\n', '\nd\r', '\ne', 'f', 'g'))).toEqual(['a', 'bc', 'd', 'efg']);
    expect(await lines(chunksOf('one\r\n', '', 'two\n'))).toEqual(['one', 'two']);
    expect(await lines(chunksOf())).toEqual([]);
  });

  it('splits many rows cut at every position the same way as the text split whole', async () => {
    const rows = Array.from(
      { length: 500 },
      (_, index) => `{"row":${index},"note":"${'x'.repeat(index % 13)}"}`,
    );
    const text = `${rows.join('\n')}\n\n`;
    for (const size of [1, 2, 7, 64, 1000, text.length]) {
      const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, index) =>
        text.slice(index * size, (index + 1) * size),
      );
      expect(await lines(chunksOf(...chunks))).toEqual(rows);
    }
  });

  it('accepts a line of exactly maxLength, refuses a longer one', async () => {
    expect(await lines(chunksOf('abc\n', 'abcd'), { maxLength: 4 })).toEqual(['abc', 'abcd']);
    await expect(lines(chunksOf('abcde\n'), { maxLength: 4 })).rejects.toBeInstanceOf(LineTooLongError);
    await expect(lines(chunksOf('ab', 'cd', 'e\n'), { maxLength: 4 })).rejects.toThrow(
      'A line is longer than 4 characters (the limit).',
    );
  });

  it('fails a 100 MB line at the limit, having read only the chunks up to it', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    let pulled = 0;
    async function* hundredMegabytes(): AsyncIterable<string> {
      for (let sent = 0; sent < 100 * 1024 * 1024; sent += chunk.length) {
        pulled += 1;
        yield chunk;
      }
      yield '\n';
    }
    const maxLength = 1024 * 1024;
    await expect(lines(hundredMegabytes(), { maxLength })).rejects.toMatchObject({ maxLength });
    // 16 chunks of 64 KB make the limit; the 17th passes it. Nothing after it was read or joined.
    expect(pulled).toBe(maxLength / chunk.length + 1);
  });

  it('stops between chunks and between lines once the signal aborts', async () => {
    const controller = new AbortController();
    let pulled = 0;
    async function* endless(): AsyncIterable<string> {
      for (;;) {
        pulled += 1;
        yield 'a\nb\nc\n';
      }
    }
    const seen: string[] = [];
    const reading = (async () => {
      for await (const line of splitLines(endless(), { maxLength: 10, signal: controller.signal })) {
        seen.push(line);
        if (seen.length === 2) controller.abort(new Error('client gone'));
      }
    })();
    await expect(reading).rejects.toThrow('client gone');
    expect(seen).toEqual(['a', 'b']);
    expect(pulled).toBe(1);
    await expect(
      lines(chunksOf('a\n'), { maxLength: 10, signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
