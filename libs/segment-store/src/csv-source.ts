import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CsvError, parse } from 'csv-parse';
import { listColumns, shortName } from './column-list';
import { CsvFormatError, MultiValueError, SegmentSourceError } from './errors';
import { RecordSizeGuard } from './record-size-guard';
import type { SegmentRow } from './row-store';

/** Most columns a CSV header may name: wider files are refused with a message naming this limit. */
export const MAX_CSV_COLUMNS = 1_000;
/**
 * Most bytes one CSV record may take (the header or a row, as uploaded once gunzipped, quoted line
 * breaks included): 1 MiB. It bounds a single cell too, and fails a huge header before it is parsed.
 */
export const MAX_CSV_RECORD_BYTES = 1024 * 1024;

export interface CsvOptions {
  /** Field separator (default `,`). */
  delimiter?: string;
  /** Separator inside a multi-value key cell (e.g. `|`); unset means cells are single values. */
  multiValueDelimiter?: string;
  /**
   * Multi-value key cells become one row per value; with several multi-value key columns in one row,
   * every combination (cartesian product). Off: such a cell fails with `MultiValueError`.
   */
  flatten: boolean;
  /** Columns that must be in the header; multi-values are looked for in these only. */
  keyColumns: readonly string[];
  /** Most rows to produce (counted after flattening); one more fails with `SegmentSourceError`. */
  maxRows?: number;
  /** Most columns in the header (default `MAX_CSV_COLUMNS`). */
  maxColumns?: number;
  /** Most bytes in one record, header included (default `MAX_CSV_RECORD_BYTES`). */
  maxRecordBytes?: number;
}

/** A record with its raw text (cheap, unlike csv-parse's `info`), from which line numbers are counted. */
interface Parsed {
  record: string[];
  raw: string;
}

/**
 * Streams the rows of an uploaded CSV (gzipped or not, detected from its first bytes). A header row is
 * required; malformed input fails with the 1-based line number (where the record starts). Parsing is
 * csv-parse's (quotes, embedded delimiters and newlines, BOM); this adds the header contract and
 * multi-value handling. Header names are trimmed; cell values are kept as they are (empty → null).
 * A record longer than `maxRecordBytes` or a header wider than `maxColumns` fails with the limit named.
 */
export async function* parseCsvRows(input: Readable, options: CsvOptions): AsyncIterable<SegmentRow> {
  const file = await decompressed(input);
  // Records are measured before csv-parse buffers them, so a huge one fails at its first extra byte.
  const source = new RecordSizeGuard(options.maxRecordBytes ?? MAX_CSV_RECORD_BYTES);
  file.on('error', (error: Error) => source.destroy(error));
  file.pipe(source);
  const parser = parse({
    bom: true,
    delimiter: options.delimiter ?? ',',
    relax_column_count: true,
    skip_empty_lines: true,
    raw: true,
  });
  // A read or gunzip failure must fail the parse, never end it early (that would lose rows silently).
  source.on('error', (error: Error) => parser.destroy(error));
  // Once the loop below stops, a late write from the pipe into the destroyed parser must not become
  // an unhandled 'error' event (the loop itself sees every error that matters while it runs).
  parser.on('error', () => undefined);
  source.pipe(parser);
  let header: string[] | undefined;
  let keyIndexes: number[] = [];
  let produced = 0;
  /** Line breaks consumed before the current record. */
  let breaksBefore = 0;
  try {
    try {
      for await (const { record, raw } of parser as AsyncIterable<Parsed>) {
        // `raw` holds the blank lines skipped before the record, then the record (quoted newlines
        // included) and its line terminator (csv-parse keeps only the `\r` of a `\r\n` there).
        const blank = LEADING_BREAKS.exec(raw)?.[0] ?? '';
        const line = breaksBefore + 1 + countBreaks(blank);
        breaksBefore += countBreaks(raw);
        if (!header) {
          header = readHeader(record, options.keyColumns, line, options.maxColumns ?? MAX_CSV_COLUMNS);
          keyIndexes = options.keyColumns.map((column) => (header as string[]).indexOf(column));
          continue;
        }
        if (record.length !== header.length) {
          throw new CsvFormatError(
            `Line ${line} has ${record.length} field${record.length === 1 ? '' : 's'}; the header has ${header.length}.`,
            line,
          );
        }
        for (const row of expand(header, record, keyIndexes, options, line)) {
          produced += 1;
          if (options.maxRows !== undefined && produced > options.maxRows) {
            throw new SegmentSourceError(
              `The file has more than ${options.maxRows} rows (the limit), counted after flattening; line ${line} is past it.`,
              line,
            );
          }
          yield row;
        }
      }
    } catch (error) {
      if (error instanceof SegmentSourceError) throw error;
      if (error instanceof CsvError) {
        const line = (error as CsvError & { lines?: number }).lines;
        throw new CsvFormatError(
          `The CSV is malformed${line ? ` at line ${line}` : ''}: ${error.message}`,
          line,
        );
      }
      const zlib = (error as { code?: string }).code?.startsWith('Z_');
      throw new CsvFormatError(
        zlib
          ? `The file looks gzipped but is not valid gzip (${(error as Error).message}).`
          : `The file could not be read: ${(error as Error).message}`,
      );
    }
  } finally {
    // Stopped early (an error, or the consumer broke off): release the file and the pipes.
    source.unpipe(parser);
    source.destroy();
    file.destroy();
    input.destroy();
  }
  if (!header) throw new CsvFormatError('The file is empty: a header row is required.');
}

const LEADING_BREAKS = /^(?:\r\n|\r|\n)+/;
const BREAK = /\r\n|\r|\n/g;

function countBreaks(text: string): number {
  return text.match(BREAK)?.length ?? 0;
}

/**
 * The trimmed header, checked: at most `maxColumns` names (checked first, so a hostile header costs
 * no more), every key column present, no name twice (one pass with a Set, linear in the width).
 */
function readHeader(
  record: readonly string[],
  keyColumns: readonly string[],
  line: number,
  maxColumns: number,
): string[] {
  if (record.length > maxColumns) {
    throw new CsvFormatError(
      `The header at line ${line} has ${record.length} columns; a CSV may have at most ${maxColumns}.`,
      line,
    );
  }
  const header = record.map((name) => name.trim());
  const names = new Set<string>();
  let duplicate: string | undefined;
  for (const name of header) {
    if (names.has(name)) duplicate ??= name;
    names.add(name);
  }
  const listed = `(header: ${listColumns(header)})`;
  const missing = keyColumns.filter((column) => !names.has(column));
  if (missing.length > 0) {
    throw new CsvFormatError(
      `The header has no column ${missing.map((column) => `"${shortName(column)}"`).join(', ')} ${listed}.`,
      line,
      missing[0],
    );
  }
  if (duplicate !== undefined) {
    throw new CsvFormatError(
      `The header names column "${shortName(duplicate)}" twice ${listed}.`,
      line,
      duplicate,
    );
  }
  return header;
}

/**
 * One record as rows. A key cell holding the multi-value delimiter is split (values kept as they are,
 * empty ones dropped; none left → null); with several such columns, every combination is produced.
 */
function* expand(
  header: readonly string[],
  record: readonly string[],
  keyIndexes: readonly number[],
  options: CsvOptions,
  line: number,
): Iterable<SegmentRow> {
  const row: SegmentRow = {};
  header.forEach((column, index) => (row[column] = record[index] === '' ? null : record[index]));
  const separator = options.multiValueDelimiter;
  if (!separator) {
    yield row;
    return;
  }
  let rows: SegmentRow[] = [row];
  for (const index of keyIndexes) {
    const column = header[index];
    const value = row[column];
    if (value === null || !value.includes(separator)) continue;
    if (!options.flatten) {
      throw new MultiValueError(
        `Key column "${column}" holds several values at line ${line}; turn on flatten to send one row per value.`,
        line,
        column,
      );
    }
    const values = value.split(separator).filter((entry) => entry.length > 0);
    rows = rows.flatMap((current) =>
      values.length
        ? values.map((entry) => ({ ...current, [column]: entry }))
        : [{ ...current, [column]: null }],
    );
  }
  yield* rows;
}

/** The input, gunzipped when it starts with the gzip magic bytes. */
async function decompressed(input: Readable): Promise<Readable> {
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  if (first.done) return Readable.from([]);
  const head = Buffer.from(first.value);
  const whole = Readable.from(
    (async function* () {
      yield head;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    })(),
  );
  if (head[0] !== 0x1f || head[1] !== 0x8b) return whole;
  const gunzip = createGunzip();
  whole.on('error', (error) => gunzip.destroy(error));
  return whole.pipe(gunzip);
}
