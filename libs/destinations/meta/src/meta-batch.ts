import {
  DIGEST_BYTES,
  type ChunkBuilder,
  type HashedIdentifiers,
  type HashedRows,
  type KeyedRows,
} from '@conduit/destinations-core';

/**
 * One `/users` or `/usersreplace` batch, ready to send: `data` is the JSON text of the payload's
 * rows (`[["<sha256>","",…],…]`), written straight from the digests (no object per row or cell).
 */
export interface MetaBatch {
  rows: number;
  data: Buffer;
}

/** Lowercase hex digits, as ASCII codes. */
const HEX = Buffer.from('0123456789abcdef', 'latin1');
const QUOTE = 0x22;
const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
/** A hashed cell: 64 hex digits between quotes, and its comma. */
const HASHED_CELL_BYTES = DIGEST_BYTES * 2 + 3;

/**
 * Fills one batch of at most `maxRows` Meta rows. A row is one line of `KeyedRows`: one cell per
 * mapped key type, in mapping order (the payload's schema), `""` where the line has no value; a
 * hashed key's cell is its SHA-256 as lowercase hex, a plain key's (MADID) the normalized value
 * itself (`plain` says which mapping entries are plain: the provider's declaration).
 */
export class MetaBatchBuilder implements ChunkBuilder<MetaBatch> {
  private buffer: Buffer;
  private length = 1;
  private rows = 0;

  constructor(
    private readonly maxRows: number,
    /** Per mapping entry: whether its values are sent as they are (not hashed). */
    private readonly plain: readonly boolean[],
    cells: number,
  ) {
    // Sized for a full batch of hashed cells up front (10,000 rows × 3 keys: 2 MB): it rarely grows.
    this.buffer = Buffer.allocUnsafe(2 + maxRows * (cells * HASHED_CELL_BYTES + 3));
    this.buffer[0] = OPEN;
  }

  fits(rows: KeyedRows): boolean {
    return this.rows + rows.lines <= this.maxRows;
  }

  add(rows: KeyedRows, batch: HashedRows): void {
    const cells = rows.types.length;
    for (let line = 0; line < rows.lines; line++) {
      this.ensure(cells * HASHED_CELL_BYTES + 3);
      if (this.rows > 0) this.buffer[this.length++] = COMMA;
      this.buffer[this.length++] = OPEN;
      for (let cell = 0; cell < cells; cell++) {
        if (cell > 0) this.buffer[this.length++] = COMMA;
        const entry = rows.entryAt(line, cell);
        if (entry < 0) {
          this.buffer[this.length++] = QUOTE;
          this.buffer[this.length++] = QUOTE;
        } else if (this.plain[entry]) {
          // KeyedRows names accepted values only, and a plain column keeps the text of each of them.
          this.writePlain((batch.columns[entry] as HashedIdentifiers).plain(rows.index) as string);
        } else this.writeHex((batch.columns[entry] as HashedIdentifiers).digests, rows.offset);
      }
      this.buffer[this.length++] = CLOSE;
      this.rows++;
    }
  }

  async close(): Promise<MetaBatch> {
    this.ensure(1);
    this.buffer[this.length++] = CLOSE;
    const data = this.buffer.subarray(0, this.length);
    this.buffer = Buffer.alloc(0);
    return { rows: this.rows, data };
  }

  discard(): void {
    this.buffer = Buffer.alloc(0);
  }

  /** `"<64 hex digits>"` from 32 digest bytes. */
  private writeHex(digests: Buffer, offset: number): void {
    const buffer = this.buffer;
    let at = this.length;
    buffer[at++] = QUOTE;
    for (let index = offset; index < offset + DIGEST_BYTES; index++) {
      const byte = digests[index] as number;
      buffer[at++] = HEX[byte >> 4] as number;
      buffer[at++] = HEX[byte & 15] as number;
    }
    buffer[at++] = QUOTE;
    this.length = at;
  }

  /** A plain value as a JSON string (normalized text: a MADID is hex digits and hyphens). */
  private writePlain(value: string): void {
    const text = JSON.stringify(value);
    this.ensure(Buffer.byteLength(text));
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  /** Room for `bytes` more (and the closing bracket). */
  private ensure(bytes: number): void {
    if (this.length + bytes + 1 <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes + 1));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}
