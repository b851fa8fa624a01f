import { IdentifierSet } from '@conduit/compact-set';
import { PayloadValidationError } from '../errors/destination-errors';
import { DIGEST_BYTES, type HashedIdentifiers } from '../identifiers/hash-identifiers';
import type { HashedRows, IdentifierHasher } from '../identifiers/identifier-hasher';
import type { KeyType, NormalizeOptions, RejectionReason } from '../identifiers/identifier-types';
import type { ExportCounts, KeyMapping, KeyTypeCounts, SegmentRow } from '../provider/destination-provider';
import { countRejected, countsOfKeyType } from './export-counts';

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

export interface KeyedRowsOptions {
  mapping: readonly KeyMapping[];
  normalize: NormalizeOptions;
  /** Counted into as rows are taken: read, valid, invalid by reason (with masked examples), duplicates. */
  counts: ExportCounts;
  hasher: IdentifierHasher;
  /** Rows the segment holds, when known: the dedupe tables are sized for them at once. */
  expectedRows?: number;
  /** The provider's name, for messages ("… before exporting to Meta Ads"). */
  destination: string;
}

/**
 * Segment rows → the identifiers each row contributes, a batch at a time: every mapped column is
 * normalized and hashed by the hashing pool (`hash`), then, row by row and in order (`take`),
 * rejected values are counted per reason, accepted ones deduplicated per key type (on their digest),
 * and what is left kept for the provider to write.
 *
 * A row's kept identifiers form *lines* of *cells*, one cell per key type (`types`, in mapping order):
 * a row holding one email and one phone is one line of two cells; a row mapping two email columns
 * with two distinct values is two lines, the second with an empty phone cell. A provider that takes
 * one identifier per line (one key type) sees one cell per line. The bytes of a kept value are found
 * through `entryAt` (which mapping entry fills a cell) and `offset` (the row's place in the batch).
 */
export class KeyedRows {
  /** The cells of a line: each key type the mapping names, in mapping order. */
  readonly types: readonly KeyType[];
  private readonly mapping: readonly KeyMapping[];
  private readonly normalize: NormalizeOptions;
  private readonly counts: ExportCounts;
  private readonly hasher: IdentifierHasher;
  private readonly destination: string;
  /** For each mapping entry, the index of its key type in `types` (its cell). */
  private readonly cellOf: number[];
  private readonly seen: IdentifierSet[];
  /** The last row's kept mapping entries, per cell (reused from row to row). */
  private readonly kept: number[][];
  /** Per mapping entry: its key type's counts (made once; counted per value). */
  private readonly countsOf: KeyTypeCounts[];
  /** Lines the row taken last fills (0 when it kept nothing). */
  lines = 0;
  /** The row taken last: its index in its batch. */
  index = 0;

  constructor(options: KeyedRowsOptions) {
    const { mapping, counts } = options;
    this.mapping = mapping;
    this.normalize = options.normalize;
    this.counts = counts;
    this.hasher = options.hasher;
    this.destination = options.destination;
    this.types = [...new Set(mapping.map((entry) => entry.keyType))];
    this.cellOf = mapping.map((entry) => this.types.indexOf(entry.keyType));
    // Sized for the segment at once: growing a table of millions keeps the old one until it is collected.
    const expected = options.expectedRows ?? 0;
    this.seen = this.types.map(() => new IdentifierSet(DEDUPE_KEY_BYTES, Math.ceil(expected / DEDUPE_LOAD)));
    for (const type of this.types) countsOfKeyType(counts, type);
    this.countsOf = mapping.map((entry) => countsOfKeyType(counts, entry.keyType));
    this.kept = this.types.map(() => []);
  }

  /**
   * Hashes a batch's mapped columns on the pool: parsed rows, or the store's NDJSON (parsed on the pool
   * too); refuses a batch with a row holding a list (a multi-value cell).
   */
  async hash(rows: readonly SegmentRow[] | Uint8Array): Promise<HashedRows> {
    const hashed = await this.hasher.hashRows(rows, this.mapping, this.normalize);
    if (hashed.multiValueColumn !== undefined) throw this.multiValue(hashed.multiValueColumn);
    return hashed;
  }

  /**
   * Row `index` of a hashed batch: counts its values, dedupes them, keeps the distinct new ones and
   * answers how many it kept; `lines`, `entryAt` and `filledAt` then describe them until the next take.
   */
  take(batch: HashedRows, index: number): number {
    let values = 0;
    let lines = 0;
    const kept = this.kept;
    for (const list of kept) list.length = 0;
    const offset = index * DIGEST;
    this.index = index;
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
      const list = kept[cell] as number[];
      list.push(entry);
      if (list.length > lines) lines = list.length;
      values++;
    }
    this.lines = lines;
    return values;
  }

  /** Where the digests of the row taken last start in each column's buffer. */
  get offset(): number {
    return this.index * DIGEST;
  }

  /** The mapping entry whose value fills `cell` on `line` of the row taken last, or -1 when it is empty. */
  entryAt(line: number, cell: number): number {
    const list = this.kept[cell] as number[];
    return line < list.length ? (list[line] as number) : -1;
  }

  /** How many cells of `line` hold a value. */
  filledAt(line: number): number {
    let filled = 0;
    for (const list of this.kept) if (list.length > line) filled++;
    return filled;
  }

  private multiValue(column: string): PayloadValidationError {
    return new PayloadValidationError(
      `Column "${column}" holds several values in one row (a multi-value column); flatten it into one value per row before exporting to ${this.destination}.`,
      { field: `mapping.${column}` },
    );
  }
}
