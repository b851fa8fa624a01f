/** A line longer than the splitter's `maxLength`: it stopped reading at the limit. */
export class LineTooLongError extends RangeError {
  constructor(readonly maxLength: number) {
    super(`A line is longer than ${maxLength} characters (the limit).`);
    this.name = new.target.name;
  }
}

export interface SplitLinesOptions {
  /** Longest line accepted, in characters (its `\n` excluded); a longer one fails at the limit. */
  maxLength: number;
  /** Stops the splitting (it throws the signal's reason) between chunks and between lines. */
  signal?: AbortSignal;
}

/**
 * The non-empty lines of a stream of text (`\n` ends a line; a `\r` before it is dropped). Each chunk is
 * scanned once, and a line spanning chunks is kept as pieces joined once when it ends, so the work stays
 * linear however lines fall across chunks, and a line that never ends fails at `maxLength` instead of
 * growing into one huge string.
 */
export async function* splitLines(
  chunks: AsyncIterable<string>,
  { maxLength, signal }: SplitLinesOptions,
): AsyncIterable<string> {
  /** The start of the current line, from earlier chunks. */
  let pieces: string[] = [];
  let pendingLength = 0;
  for await (const chunk of chunks) {
    signal?.throwIfAborted();
    let start = 0;
    for (let end = chunk.indexOf('\n'); end !== -1; end = chunk.indexOf('\n', start)) {
      if (pendingLength + end - start > maxLength) throw new LineTooLongError(maxLength);
      const tail = chunk.slice(start, end);
      const line = pieces.length > 0 ? pieces.join('') + tail : tail;
      pieces = [];
      pendingLength = 0;
      start = end + 1;
      const text = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (text) {
        yield text;
        signal?.throwIfAborted();
      }
    }
    if (start < chunk.length) {
      pendingLength += chunk.length - start;
      if (pendingLength > maxLength) throw new LineTooLongError(maxLength);
      pieces.push(chunk.slice(start));
    }
  }
  const last = pieces.join('');
  const text = last.endsWith('\r') ? last.slice(0, -1) : last;
  if (text) yield text;
}
