import type { KeyEncoding, KeyType, NormalizeOptions } from './identifier-types';
import { DIGEST_BYTES, hashIdentifiers } from './hash-identifiers';

/** A mapped column: which cell of a row holds which key, and how it is written. */
export interface RowColumn {
  column: string;
  keyType: KeyType;
  encoding: KeyEncoding;
}

/**
 * Rows as the segment store keeps them, NDJSON (UTF-8, one JSON object per line, whole lines), with
 * the columns to hash: parsed and hashed off the main thread, so an export's reading thread never
 * decodes text or builds an object per row.
 */
export interface NdjsonRowsBatch {
  ndjson: Uint8Array;
  columns: readonly RowColumn[];
  options?: NormalizeOptions;
}

/** Rejected values shown as examples: the first few of each column and reason in a batch. */
const EXAMPLES_PER_REASON = 3;

/** What `hashNdjsonRows` answers (structured-cloned back: one buffer and a few small values). */
export interface HashedNdjsonRows {
  rows: number;
  /** Per column, `hashIdentifiers`'s layout: `rows` status bytes, then `rows` digests, columns one after another. */
  bytes: Uint8Array;
  /** `${column index}:${row index}` → the raw value, for the first rejected values of each column and reason. */
  examples: Record<string, unknown>;
  /** The first mapped column found holding a list (a multi-value cell): the export cannot send it. */
  multiValueColumn?: string;
}

/** Parses a batch of NDJSON rows and hashes their mapped columns (`hashIdentifiers`'s rules). */
export function hashNdjsonRows(batch: NdjsonRowsBatch): HashedNdjsonRows {
  const text = Buffer.from(batch.ndjson.buffer, batch.ndjson.byteOffset, batch.ndjson.byteLength).toString(
    'utf8',
  );
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  // One parse for the batch: the store's lines are JSON objects whose strings escape their line breaks.
  const rows = (body === '' ? [] : JSON.parse(`[${body.replaceAll('\n', ',')}]`)) as Record<
    string,
    unknown
  >[];
  const count = rows.length;
  const perColumn = count * (1 + DIGEST_BYTES);
  const bytes = new Uint8Array(perColumn * batch.columns.length);
  const examples: Record<string, unknown> = {};
  let multiValueColumn: string | undefined;
  batch.columns.forEach(({ column, keyType, encoding }, index) => {
    const values = new Array<unknown>(count);
    for (let row = 0; row < count; row++) {
      const value = (rows[row] as Record<string, unknown>)[column];
      if (Array.isArray(value)) multiValueColumn ??= column;
      values[row] = value;
    }
    const hashed = hashIdentifiers({ keyType, encoding, options: batch.options, values });
    bytes.set(hashed, index * perColumn);
    const shown = new Map<number, number>();
    for (let row = 0; row < count; row++) {
      const status = hashed[row] as number;
      if (status === 0 || (shown.get(status) ?? 0) >= EXAMPLES_PER_REASON) continue;
      shown.set(status, (shown.get(status) ?? 0) + 1);
      examples[`${index}:${row}`] = values[row];
    }
  });
  return { rows: count, bytes, examples, ...(multiValueColumn ? { multiValueColumn } : {}) };
}
