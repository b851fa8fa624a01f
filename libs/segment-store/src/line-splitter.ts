/** A line longer than the splitter's `maxLength`: it stopped at the limit. */
export class LineTooLongError extends RangeError {
  constructor(readonly maxLength: number) {
    super(`A line is longer than ${maxLength} characters (the limit).`);
    this.name = new.target.name;
  }
}

/**
 * Cuts a stream of text into its non-empty lines (`\n` ends a line; a `\r` before it is dropped). Each
 * chunk is scanned once, and a line spanning chunks is kept as pieces joined once when it ends, so the
 * work stays linear however lines fall across chunks; a line that never ends fails at `maxLength`
 * (characters, its `\n` excluded) instead of growing into one huge string. Synchronous, so a reader
 * pays no extra await per line.
 */
export class LineSplitter {
  /** The start of the current line, from earlier chunks. */
  private pieces: string[] = [];
  private pendingLength = 0;

  constructor(private readonly maxLength: number) {}

  /** The lines `chunk` completes, in order; throws `LineTooLongError` past the limit. */
  push(chunk: string): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let end = chunk.indexOf('\n'); end !== -1; end = chunk.indexOf('\n', start)) {
      this.checkLength(end - start);
      const tail = chunk.slice(start, end);
      const line = this.pieces.length > 0 ? this.pieces.join('') + tail : tail;
      this.pieces = [];
      this.pendingLength = 0;
      start = end + 1;
      const text = withoutCr(line);
      if (text) lines.push(text);
    }
    if (start < chunk.length) {
      this.checkLength(chunk.length - start);
      this.pieces.push(chunk.slice(start));
      this.pendingLength += chunk.length - start;
    }
    return lines;
  }

  /** The last line, when the text did not end with a line break. */
  end(): string[] {
    const text = withoutCr(this.pieces.join(''));
    this.pieces = [];
    this.pendingLength = 0;
    return text ? [text] : [];
  }

  private checkLength(added: number): void {
    if (this.pendingLength + added > this.maxLength) throw new LineTooLongError(this.maxLength);
  }
}

function withoutCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
