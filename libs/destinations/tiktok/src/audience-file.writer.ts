import { DIGEST_BYTES } from '@conduit/destinations-core';
import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';

/** A customer file written to disk, ready to upload. */
export interface WrittenFile {
  path: string;
  fileName: string;
  md5: string;
  bytes: number;
  lines: number;
}

/** Bytes gathered before they go to the disk (and to MD5) in one write. */
const BLOCK_BYTES = 1024 * 1024;
/** A digest's bytes, as a module constant (read per byte written: not through the package's re-export getter). */
const DIGEST = DIGEST_BYTES;
/** A digest written as lowercase hex. */
export const HEX_DIGEST_BYTES = DIGEST * 2;
const HEX = Buffer.from('0123456789abcdef', 'latin1');
const NEWLINE = 0x0a;
const COMMA = 0x2c;

/**
 * Writes one customer file: lines of hex SHA-256 digests, gathered in 1 MB blocks that are hashed
 * (MD5, TikTok's `file_signature`) and written as they fill. Digests arrive binary, packed in the
 * hashing pool's buffers, and are written as hex straight into the block: no string per identifier.
 * Appends are synchronous; `drain()` waits while the disk is behind, so memory stays bounded.
 */
export class AudienceFileWriter {
  private readonly stream: WriteStream;
  private readonly md5: Hash = createHash('md5');
  private block = Buffer.allocUnsafe(BLOCK_BYTES);
  private used = 0;
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
    // Disk errors surface on the next drain or on close, never as an unhandled 'error' event.
    this.stream.on('error', (error) => (this.failure ??= error));
    if (header !== undefined) {
      const bytes = Buffer.from(`${header}\n`);
      this.reserve(bytes.length);
      this.used += bytes.copy(this.block, this.used);
    }
  }

  get bytes(): number {
    return this.byteCount + this.used;
  }

  get lines(): number {
    return this.lineCount;
  }

  /** Bytes a line of `cells` cells, `filled` of them holding a digest, takes in the file. */
  static lineBytes(cells: number, filled: number): number {
    return filled * HEX_DIGEST_BYTES + (cells - 1) + 1;
  }

  /** One line holding one digest: `source[offset … offset + 32)` in hex. */
  appendDigest(source: Uint8Array, offset: number): void {
    this.reserve(HEX_DIGEST_BYTES + 1);
    this.used = writeHex(source, offset, this.block, this.used);
    this.block[this.used++] = NEWLINE;
    this.lineCount++;
  }

  /**
   * One line of comma-separated cells (a MULTIPLE_TYPES row): cell `i` is the digest at `offsets[i]`
   * in `sources[i]`, or empty when `offsets[i]` is negative.
   */
  appendDigests(sources: readonly Uint8Array[], offsets: readonly number[]): void {
    let filled = 0;
    for (const offset of offsets) if (offset >= 0) filled++;
    this.reserve(AudienceFileWriter.lineBytes(offsets.length, filled));
    for (let cell = 0; cell < offsets.length; cell++) {
      if (cell > 0) this.block[this.used++] = COMMA;
      const offset = offsets[cell] as number;
      if (offset >= 0) this.used = writeHex(sources[cell] as Uint8Array, offset, this.block, this.used);
    }
    this.block[this.used++] = NEWLINE;
    this.lineCount++;
  }

  /** Resolves once the disk has caught up enough to take more (call it after a batch of appends). */
  async drain(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.stream.writableNeedDrain) await once(this.stream, 'drain');
  }

  async close(): Promise<WrittenFile> {
    if (this.failure) throw this.failure;
    this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
    return {
      path: this.path,
      fileName: this.fileName,
      md5: this.md5.digest('hex'),
      bytes: this.byteCount,
      lines: this.lineCount,
    };
  }

  /** Closes and forgets the file (an export that failed before uploading it). */
  discard(): void {
    this.stream.destroy();
  }

  private reserve(bytes: number): void {
    if (this.used + bytes <= this.block.length) return;
    this.flush();
    if (bytes > this.block.length) this.block = Buffer.allocUnsafe(bytes);
  }

  /** Hands the filled part of the block to MD5 and the disk; the stream keeps it until written. */
  private flush(): void {
    if (this.used === 0) return;
    const filled = this.block.subarray(0, this.used);
    this.md5.update(filled);
    this.stream.write(filled);
    this.byteCount += this.used;
    this.block = Buffer.allocUnsafe(this.block.length);
    this.used = 0;
  }
}

/** Writes the 32 bytes at `offset` of `source` as 64 lowercase hex characters at `at`; returns the end. */
function writeHex(source: Uint8Array, offset: number, target: Buffer, at: number): number {
  for (let index = offset, end = offset + DIGEST; index < end; index++) {
    const byte = source[index] as number;
    target[at++] = HEX[byte >> 4] as number;
    target[at++] = HEX[byte & 15] as number;
  }
  return at;
}
