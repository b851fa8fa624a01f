import { Transform, type TransformCallback } from 'node:stream';
import { CsvFormatError } from './errors';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Fails a CSV as soon as one record (the header or a row, quoted line breaks included) passes
 * `maxBytes`, before the parser buffers it. csv-parse's own `max_record_size` counts cell text only,
 * so a record of millions of empty cells (`,,,,…`, which gzip shrinks a thousandfold) would still
 * become one huge array; counting raw bytes bounds cells and columns alike.
 *
 * A record ends at a line break outside quotes. With RFC 4180 quoting (`""` for a quote inside a
 * quoted cell) the parity of the quotes seen tells whether a break is inside a cell, so one pass over
 * each chunk suffices: the work is linear and nothing is held back. Input that quotes otherwise is
 * refused by the parser anyway.
 */
export class RecordSizeGuard extends Transform {
  private inQuotes = false;
  private recordBytes = 0;
  private afterCr = false;
  /** The current 1-based line (`\r\n`, `\r` and `\n` each end one), and where the record began. */
  private line = 1;
  private recordLine = 1;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index];
      if (byte === LF || byte === CR) {
        if (byte === CR || !this.afterCr) this.line += 1;
        this.afterCr = byte === CR;
        if (!this.inQuotes) {
          this.recordBytes = 0;
          this.recordLine = this.line;
          continue;
        }
      } else {
        this.afterCr = false;
        if (byte === QUOTE) this.inQuotes = !this.inQuotes;
      }
      this.recordBytes += 1;
      if (this.recordBytes > this.maxBytes) {
        done(
          new CsvFormatError(
            `The record at line ${this.recordLine} is longer than ${this.maxBytes} bytes, the limit for one ` +
              'CSV record (the header or a row); shorten its cells or keep fewer columns.',
            this.recordLine,
          ),
        );
        return;
      }
    }
    done(null, chunk);
  }
}
