import { rmSync } from 'node:fs';
import type {
  ChunkBuilder,
  ChunkSender,
  HashedIdentifiers,
  HashedRows,
  KeyedRows,
  KeyType,
} from '@conduit/destinations-core';
import { AudienceFileWriter, type WrittenFile } from './audience-file.writer';
import { MULTIPLE_TYPES_HEADER } from './tiktok.mapper';

const SINGLE_LINE_BYTES = AudienceFileWriter.lineBytes(1, 1);

export interface CustomerFilesOptions {
  /** Where files are written before upload (the export's own temporary folder). */
  directory: string;
  /** Names the files: `<exportId>-00001.csv`. */
  exportId: string;
  /** The mapped key types, in mapping order (`KeyedRows.types`). */
  types: readonly KeyType[];
  /** MULTIPLE_TYPES: lines of one cell per key type under a header; else one digest per line. */
  multipleTypes: boolean;
  maxFileBytes: number;
  /** Uploads one file under the provider's retry policy; resolves with the path TikTok gave it. */
  upload(file: WrittenFile): Promise<{ filePath: string }>;
}

/**
 * TikTok's chunks: customer files of hex SHA-256 digests, cut at row boundaries below the size
 * limit. A single key type gives one digest per line; several (MULTIPLE_TYPES) give lines of one cell
 * per type under a header, a row holding two values of one type taking two lines.
 */
export class CustomerFiles implements ChunkSender<WrittenFile, { filePath: string }> {
  private readonly header?: string;

  constructor(private readonly options: CustomerFilesOptions) {
    if (options.multipleTypes)
      this.header = options.types.map((type) => MULTIPLE_TYPES_HEADER[type]).join(',');
  }

  open(sequence: number): ChunkBuilder<WrittenFile> {
    const name = `${safeName(this.options.exportId)}-${String(sequence).padStart(5, '0')}.csv`;
    return new CustomerFileBuilder(
      new AudienceFileWriter(this.options.directory, name, this.header),
      this.options.types.length,
      this.header !== undefined,
      this.options.maxFileBytes,
    );
  }

  bytesOf(file: WrittenFile): number {
    return file.bytes;
  }

  send(file: WrittenFile): Promise<{ filePath: string }> {
    return this.options.upload(file);
  }

  /** A file leaves the disk once TikTok holds it (or the export gave up on it). */
  release(file: WrittenFile): void {
    rmSync(file.path, { force: true });
  }
}

/** One customer file being written. */
class CustomerFileBuilder implements ChunkBuilder<WrittenFile> {
  /** One line's cells, reused from line to line. */
  private readonly sources: Uint8Array[];
  private readonly offsets: number[];

  constructor(
    private readonly writer: AudienceFileWriter,
    private readonly cells: number,
    private readonly multipleTypes: boolean,
    private readonly maxFileBytes: number,
  ) {
    this.sources = Array.from({ length: cells }, () => Buffer.alloc(0));
    this.offsets = new Array<number>(cells).fill(-1);
  }

  fits(rows: KeyedRows): boolean {
    return this.writer.bytes + this.rowBytes(rows) <= this.maxFileBytes;
  }

  /** Bytes the lines of the row `rows` took last take in the file. */
  private rowBytes(rows: KeyedRows): number {
    if (!this.multipleTypes) return rows.lines * SINGLE_LINE_BYTES;
    let bytes = 0;
    for (let line = 0; line < rows.lines; line++)
      bytes += AudienceFileWriter.lineBytes(this.cells, rows.filledAt(line));
    return bytes;
  }

  add(rows: KeyedRows, batch: HashedRows): void {
    const offset = rows.offset;
    if (!this.multipleTypes) {
      for (let line = 0; line < rows.lines; line++)
        this.writer.appendDigest((batch.columns[rows.entryAt(line, 0)] as HashedIdentifiers).digests, offset);
      return;
    }
    for (let line = 0; line < rows.lines; line++) {
      for (let cell = 0; cell < this.cells; cell++) {
        const entry = rows.entryAt(line, cell);
        if (entry >= 0) {
          this.sources[cell] = (batch.columns[entry] as HashedIdentifiers).digests;
          this.offsets[cell] = offset;
        } else this.offsets[cell] = -1;
      }
      this.writer.appendDigests(this.sources, this.offsets);
    }
  }

  drain(): Promise<void> {
    return this.writer.drain();
  }

  close(): Promise<WrittenFile> {
    return this.writer.close();
  }

  discard(): void {
    this.writer.discard();
  }
}

function safeName(exportId: string): string {
  return exportId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60);
}
