import { IdentifierSet } from '@conduit/compact-set';
import {
  countRejected,
  countsOfKeyType,
  DIGEST_BYTES,
  PayloadValidationError,
  type ExportCounts,
  type HashedIdentifiers,
  type HashedRows,
  type IdentifierHasher,
  type KeyMapping,
  type KeyType,
  type KeyTypeCounts,
  type NormalizeOptions,
  type RejectionReason,
  type SegmentRow,
} from '@conduit/destinations-core';
import { AudienceFileWriter } from './audience-file.writer';
import { MULTIPLE_TYPES_HEADER } from './tiktok.mapper';

/**
 * Duplicates are found on the first 10 bytes (80 bits) of each SHA-256: two different identifiers
 * of a 50-million-value export share them with odds of ~1e-9 (one would then be counted a duplicate
 * and not sent), and a slot takes 11 bytes instead of 17 at 16 bytes (5 million values: a 92 MB table
 * instead of 142 MB). The table is sized once for the segment's rows, just under the set's 70 % load,
 * so it never grows (and never holds two tables while it does).
 */
const DEDUPE_KEY_BYTES = 10;
const DEDUPE_LOAD = 0.69;

/** A digest's bytes, as a module constant (read per identifier: not through the package's re-export getter). */
const DIGEST = DIGEST_BYTES;
const SINGLE_LINE_BYTES = AudienceFileWriter.lineBytes(1, 1);

/**
 * Segment rows → customer-file lines, a batch at a time: each mapped column is normalized and hashed
 * by the hashing pool (`hash`), then, row by row and in order (`take`), rejected values are counted
 * per reason, digests deduplicated per key type, and the row's lines written. A single key type
 * gives one digest per line; several (MULTIPLE_TYPES) give lines of one cell per type under a header,
 * a row holding two values of one type taking two lines.
 */
export class CustomerFileRows {
  readonly header?: string;
  private readonly types: KeyType[];
  /** For each mapping entry, the index of its key type in `types` (the MULTIPLE_TYPES cell). */
  private readonly cellOf: number[];
  private readonly seen: IdentifierSet[];
  /** One row's kept digests per cell, reused from row to row: [column index, offset] pairs. */
  private readonly kept: number[][];
  private readonly sources: Uint8Array[];
  private readonly offsets: number[];
  /** Per mapping entry: its key type's counts (made once; counted per value). */
  private readonly countsOf: KeyTypeCounts[];
  /** Bytes the lines of the row `take` measured last take in the file. */
  rowBytes = 0;

  constructor(
    private readonly mapping: readonly KeyMapping[],
    multipleTypes: boolean,
    private readonly normalize: NormalizeOptions,
    private readonly counts: ExportCounts,
    private readonly hasher: IdentifierHasher,
    expectedRows = 0,
  ) {
    this.types = [...new Set(mapping.map((entry) => entry.keyType))];
    this.cellOf = mapping.map((entry) => this.types.indexOf(entry.keyType));
    if (multipleTypes) this.header = this.types.map((type) => MULTIPLE_TYPES_HEADER[type]).join(',');
    // Sized for the segment at once: growing a table of millions keeps the old one until it is collected.
    this.seen = this.types.map(
      () => new IdentifierSet(DEDUPE_KEY_BYTES, Math.ceil(expectedRows / DEDUPE_LOAD)),
    );
    for (const type of this.types) countsOfKeyType(counts, type);
    this.countsOf = mapping.map((entry) => countsOfKeyType(counts, entry.keyType));
    this.kept = this.types.map(() => []);
    this.sources = this.types.map(() => Buffer.alloc(0));
    this.offsets = this.types.map(() => -1);
  }

  /**
   * Hashes a batch's mapped columns on the pool: parsed rows, or the store's NDJSON (parsed on the pool
   * too); refuses a batch with a row holding a list (a multi-value cell).
   */
  async hash(rows: readonly SegmentRow[] | Uint8Array): Promise<HashedRows> {
    const hashed = await this.hasher.hashRows(rows, this.mapping, this.normalize);
    if (hashed.multiValueColumn !== undefined) throw multiValue(hashed.multiValueColumn);
    return hashed;
  }

  /**
   * Row `index` of a hashed batch: counts its values, dedupes them, and answers how many distinct
   * identifiers its lines hold, their size in `rowBytes`; `write` then writes them (a row is measured
   * first, so a file can end before it).
   */
  take(batch: HashedRows, index: number): number {
    let values = 0;
    const kept = this.kept;
    for (const list of kept) list.length = 0;
    const offset = index * DIGEST;
    for (let entry = 0; entry < this.mapping.length; entry++) {
      const hashed = batch.columns[entry] as HashedIdentifiers;
      if (hashed.status[index] !== 0) {
        const reason = hashed.rejection(index) as RejectionReason;
        const keyType = (this.mapping[entry] as KeyMapping).keyType;
        const example = batch.rejectedValue(entry, index);
        if (example) countRejected(this.counts, keyType, reason, example.value);
        else countRejected(this.counts, keyType, reason, undefined, { example: false });
        continue;
      }
      const ofType = this.countsOf[entry] as KeyTypeCounts;
      this.counts.valid++;
      ofType.valid++;
      const cell = this.cellOf[entry] as number;
      if (!(this.seen[cell] as IdentifierSet).addAt(hashed.digests, offset)) {
        this.counts.duplicates++;
        ofType.duplicates++;
        continue;
      }
      (kept[cell] as number[]).push(entry, offset);
      values++;
    }
    if (values === 0) this.rowBytes = 0;
    else if (!this.header) this.rowBytes = values * SINGLE_LINE_BYTES;
    else {
      let bytes = 0;
      for (let line = 0; ; line++) {
        let filled = 0;
        for (const list of kept) if (list.length > line * 2) filled++;
        if (filled === 0) break;
        bytes += AudienceFileWriter.lineBytes(this.types.length, filled);
      }
      this.rowBytes = bytes;
    }
    return values;
  }

  /** Writes the lines of the row `take` measured last. */
  write(batch: HashedRows, writer: AudienceFileWriter): void {
    if (!this.header) {
      for (const list of this.kept)
        for (let at = 0; at < list.length; at += 2)
          writer.appendDigest(
            (batch.columns[list[at] as number] as HashedIdentifiers).digests,
            list[at + 1] as number,
          );
      return;
    }
    for (let line = 0; ; line++) {
      let any = false;
      for (let cell = 0; cell < this.types.length; cell++) {
        const list = this.kept[cell] as number[];
        if (list.length > line * 2) {
          this.sources[cell] = (batch.columns[list[line * 2] as number] as HashedIdentifiers).digests;
          this.offsets[cell] = list[line * 2 + 1] as number;
          any = true;
        } else this.offsets[cell] = -1;
      }
      if (!any) return;
      writer.appendDigests(this.sources, this.offsets);
    }
  }
}

function multiValue(column: string): PayloadValidationError {
  return new PayloadValidationError(
    `Column "${column}" holds several values in one row (a multi-value column); flatten it into one value per row before exporting to TikTok.`,
    { field: `mapping.${column}` },
  );
}
