import {
  countRejected,
  normalizeIdentifier,
  type ExportCounts,
  type KeyEncoding,
  type KeyType,
  type RejectionReason,
} from '@conduit/destinations-core';
import type { SegmentRow } from '@conduit/segment-store';

/**
 * How one key column's values of a committed run fare through the export's own normalization: what
 * a user sees before exporting ("149 emails malformed"). Counts only, and masked examples; never a
 * value.
 */
export interface SegmentKeyQuality {
  column: string;
  keyType: KeyType;
  encoding: KeyEncoding;
  /** Values an export would send (normalized and hashed, or a valid SHA-256). */
  valid: number;
  /** Values an export would reject, every reason together (EMPTY included). */
  invalid: number;
  invalidByReason: Partial<Record<RejectionReason, number>>;
  /** The first few rejected values of each reason but EMPTY, masked (`maskIdentifier`). */
  invalidExamples: Partial<Record<RejectionReason, string[]>>;
}

/** A key column as the segment declares it. */
interface KeyColumn {
  column: string;
  keyType: KeyType;
  encoding: KeyEncoding;
}

interface ColumnTally {
  key: KeyColumn;
  /** The export's own counts, one per column: `countRejected` fills them as it does an export's. */
  counts: ExportCounts;
}

/**
 * Counts, row by row as a run streams, each key column's values as the export will judge them: the
 * same `normalizeIdentifier`, the same rejection reasons, the same masked examples. A stored row holds
 * one value per key column (multi-value cells are flattened before), so each value counts once per row
 * it is stored in, as it will be read by an export. Phones without a country code are read as
 * international, as an export without a default phone region reads them.
 */
export class KeyQualityCounter {
  private readonly tallies: ColumnTally[];

  constructor(keyColumns: readonly KeyColumn[]) {
    this.tallies = keyColumns.map((key) => ({
      key: { column: key.column, keyType: key.keyType, encoding: key.encoding },
      counts: { read: 0, valid: 0, invalid: {}, duplicates: 0, uploaded: 0 },
    }));
  }

  count(row: SegmentRow): void {
    for (const { key, counts } of this.tallies) {
      const value = row[key.column];
      const result = normalizeIdentifier(key.keyType, key.encoding, value);
      if (result.ok) counts.valid += 1;
      else countRejected(counts, key.keyType, result.reason, value);
    }
  }

  result(): SegmentKeyQuality[] {
    return this.tallies.map(({ key, counts }) => {
      const invalidByReason = { ...counts.invalid };
      return {
        column: key.column,
        keyType: key.keyType,
        encoding: key.encoding,
        valid: counts.valid,
        invalid: Object.values(invalidByReason).reduce((sum, count) => sum + (count ?? 0), 0),
        invalidByReason,
        invalidExamples: { ...counts.byKeyType?.[key.keyType]?.invalidExamples },
      };
    });
  }
}
