import type { KeyEncoding, KeyType, NormalizeOptions } from './identifier-types';
import { hashIdentifiers } from './hash-identifiers';

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

/** What `hashNdjsonRows` answers (structured-cloned back: a buffer per column and a few small values). */
export interface HashedNdjsonRows {
  rows: number;
  /**
   * Per mapped column, `hashIdentifiers`'s result: status bytes, digests, and a plain column's texts.
   */
  columns: Uint8Array[];
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
  const cells = columnValues(
    text,
    batch.columns.map(({ column }) => column),
  );
  const count = cells[0]?.length ?? countRows(text);
  const examples: Record<string, unknown> = {};
  let multiValueColumn: string | undefined;
  const columns = batch.columns.map(({ column, keyType, encoding }, index) => {
    const values = cells[index] as unknown[];
    if (multiValueColumn === undefined && values.some((value) => Array.isArray(value)))
      multiValueColumn = column;
    const hashed = hashIdentifiers({ keyType, encoding, options: batch.options, values });
    const shown = new Map<number, number>();
    for (let row = 0; row < count; row++) {
      const status = hashed[row] as number;
      if (status === 0 || (shown.get(status) ?? 0) >= EXAMPLES_PER_REASON) continue;
      shown.set(status, (shown.get(status) ?? 0) + 1);
      examples[`${index}:${row}`] = values[row];
    }
    return hashed;
  });
  return { rows: count, columns, examples, ...(multiValueColumn ? { multiValueColumn } : {}) };
}

const OPEN_BRACE = 0x7b;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** A cell the fast path leaves to JSON.parse. */
const PARSE = Symbol('parse');

/** Calls `visit(start, end)` for each line of `text` that is not empty: `[start, end)`, its newline excluded. */
function forEachLine(text: string, visit: (start: number, end: number) => void): void {
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end > start) visit(start, end);
    start = end + 1;
  }
}

/** The rows of a batch mapping no column: its lines that are not empty, as `columnValues` reads them. */
function countRows(text: string): number {
  let rows = 0;
  forEachLine(text, () => rows++);
  return rows;
}

/**
 * The columns' values, row by row, read from the lines as the store writes them (JSON.stringify of
 * an object of strings and nulls: `{"email":"a@b.co","phone":null}`) without building an object per
 * row: a key is its quoted name and a colon right after `{` or `,` (inside a string every quote is
 * escaped, so the pattern can only be a key), its value a string without escapes or null. Any other
 * cell (an escape, a number, a list, another layout) is read by JSON.parse of its line, so the values
 * are always JSON.parse's.
 */
export function columnValues(text: string, columns: readonly string[]): unknown[][] {
  const tokens = columns.map((column) => `${JSON.stringify(column)}:`);
  const values: unknown[][] = columns.map(() => []);
  forEachLine(text, (start, end) => {
    let parsed: Record<string, unknown> | undefined;
    for (let index = 0; index < tokens.length; index++) {
      let value = cellAt(text, start, end, tokens[index] as string);
      if (value === PARSE) {
        parsed ??= JSON.parse(text.slice(start, end)) as Record<string, unknown>;
        value = parsed[columns[index] as string];
      }
      (values[index] as unknown[]).push(value);
    }
  });
  return values;
}

/** The value of the key `token` in the line text[start, end), or PARSE when the fast path cannot say. */
function cellAt(text: string, start: number, end: number, token: string): unknown {
  let at = text.indexOf(token, start);
  while (at !== -1 && at < end) {
    // (A line starts with `{`, so a key is never its first character.)
    const before = text.charCodeAt(at - 1);
    if (before === OPEN_BRACE || before === COMMA) break;
    at = text.indexOf(token, at + 1);
  }
  if (at === -1 || at >= end) return text.charCodeAt(start) === OPEN_BRACE ? undefined : PARSE;
  const from = at + token.length;
  const first = text.charCodeAt(from);
  if (first === QUOTE) {
    for (let index = from + 1; index < end; index++) {
      const char = text.charCodeAt(index);
      if (char === QUOTE) return text.slice(from + 1, index);
      if (char === BACKSLASH) return PARSE;
    }
    return PARSE;
  }
  if (text.startsWith('null', from)) {
    const next = text.charCodeAt(from + 4);
    if (next === COMMA || next === 0x7d) return null;
  }
  return PARSE;
}
