import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';

/** A customer file written to disk, ready to upload. */
export interface WrittenFile {
  path: string;
  fileName: string;
  md5: string;
  bytes: number;
  lines: number;
  /** 1-based index of the last segment row whose values the file holds. */
  endRow: number;
}

/**
 * Writes one customer file line by line, hashing it (MD5, TikTok's `file_signature`) as it goes and
 * respecting the stream's backpressure, so memory does not grow with the file.
 */
export class AudienceFileWriter {
  private readonly stream: WriteStream;
  private readonly md5: Hash = createHash('md5');
  private byteCount = 0;
  private lineCount = 0;
  private failure?: Error;
  readonly path: string;

  constructor(
    directory: string,
    readonly fileName: string,
    header?: string,
  ) {
    this.path = join(directory, fileName);
    this.stream = createWriteStream(this.path);
    // Disk errors surface on the next write or on close, never as an unhandled 'error' event.
    this.stream.on('error', (error) => (this.failure ??= error));
    if (header !== undefined) void this.writeLine(header, false);
  }

  get bytes(): number {
    return this.byteCount;
  }

  get lines(): number {
    return this.lineCount;
  }

  /** Bytes a line takes in the file (UTF-8 plus the newline). */
  static sizeOf(line: string): number {
    return Buffer.byteLength(line) + 1;
  }

  async writeLine(line: string, counts = true): Promise<void> {
    if (this.failure) throw this.failure;
    const chunk = `${line}\n`;
    this.md5.update(chunk);
    this.byteCount += Buffer.byteLength(chunk);
    if (counts) this.lineCount++;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(endRow: number): Promise<WrittenFile> {
    if (this.failure) throw this.failure;
    this.stream.end();
    await once(this.stream, 'finish');
    return {
      path: this.path,
      fileName: this.fileName,
      md5: this.md5.digest('hex'),
      bytes: this.byteCount,
      lines: this.lineCount,
      endRow,
    };
  }

  /** Closes and forgets the file (an export that failed before uploading it). */
  discard(): void {
    this.stream.destroy();
  }
}
