import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { SegmentRow } from '../provider/destination-provider';
import { HashedIdentifiers, hashIdentifiers, keepsPlainText, type IdentifierBatch } from './hash-identifiers';
import { hashNdjsonRows, type HashedNdjsonRows, type RowColumn } from './hash-rows';
import type { NormalizeOptions } from './identifier-types';

export interface IdentifierHasherOptions {
  /** Worker threads (default: one per core); 0 hashes on the calling thread. */
  threads?: number;
  /** An idle thread exits after this long (default 30 s): an idle server keeps none. */
  idleTimeoutMs?: number;
}

/** A batch of rows with its mapped columns hashed, in mapping order. */
export interface HashedRows {
  count: number;
  columns: HashedIdentifiers[];
  /** The raw value of a rejected cell, when kept as an example (the first few of each column and reason). */
  rejectedValue(column: number, row: number): { value: unknown } | undefined;
  /** The first mapped column holding a list in some row (a multi-value cell). */
  multiValueColumn?: string;
}

/** Below this many values a batch is hashed on the calling thread: a round trip would cost more. */
const SMALL_BATCH = 256;
/** The same for NDJSON text, in bytes (about 256 short rows). */
const SMALL_NDJSON_BYTES = 16 * 1024;

/**
 * Normalizes and hashes batches of identifiers on a pool of worker threads (piscina), so an export
 * uses every core: the main thread reads the segment and writes files while the pool hashes. Results
 * come back as one transferred buffer per batch (`HashedIdentifiers`), never an object per value.
 * Batches may be submitted ahead; each resolves on its own, so the caller awaits them in row order.
 */
export class IdentifierHasher {
  private readonly pool?: Piscina;

  constructor(options: IdentifierHasherOptions = {}) {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 0)
      throw new RangeError(`threads must be a whole number ≥ 0 (got ${threads}).`);
    if (threads > 0)
      this.pool = new Piscina({
        filename: join(__dirname, 'hash-identifiers.worker.js'),
        minThreads: 0,
        maxThreads: threads,
        idleTimeout: options.idleTimeoutMs ?? 30_000,
        // No bound of its own on waiting batches: a bound here turned a busy process into failed
        // exports ("Task queue is at limit": eight exports on two cores, found by the chaos suite).
        // What waits is already bounded, and held, by the callers: each export hashes a few batches
        // ahead (`runChunkedExport`) and a process runs a bounded number of exports at once.
        maxQueue: Infinity,
        // A batch needs a few MB: small heaps keep each thread's memory small (and a runaway one bounded).
        resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 },
      });
  }

  /** Worker threads the pool may run (0: hashing on the calling thread). */
  get threads(): number {
    return this.pool?.options.maxThreads ?? 0;
  }

  async hash(batch: IdentifierBatch): Promise<HashedIdentifiers> {
    refusePlainDigests([batch], batch.options);
    const count = batch.values.length;
    if (!this.pool || count < SMALL_BATCH) return new HashedIdentifiers(count, hashIdentifiers(batch));
    const bytes = (await this.pool.run(batch)) as Uint8Array;
    return new HashedIdentifiers(count, bytes);
  }

  /**
   * Hashes the mapped columns of a batch of rows: parsed rows (one task per column), or NDJSON text as
   * the segment store keeps it (one task: the thread parses it too, so the caller never does).
   */
  async hashRows(
    rows: readonly SegmentRow[] | Uint8Array,
    columns: readonly RowColumn[],
    options?: NormalizeOptions,
  ): Promise<HashedRows> {
    if (rows instanceof Uint8Array) {
      refusePlainDigests(columns, options);
      const batch = { ndjson: rows, columns, options };
      const answer = (
        this.pool && rows.byteLength >= SMALL_NDJSON_BYTES
          ? // Moved, not copied, when the bytes are a buffer of their own (the caller no longer reads them).
            await this.pool.run(batch, ownBuffer(rows) ? { transferList: [rows.buffer as ArrayBuffer] } : {})
          : hashNdjsonRows(batch)
      ) as HashedNdjsonRows;
      return {
        count: answer.rows,
        columns: answer.columns.map((bytes) => new HashedIdentifiers(answer.rows, bytes)),
        rejectedValue: (column, row) => {
          const key = `${column}:${row}`;
          return key in answer.examples ? { value: answer.examples[key] } : undefined;
        },
        multiValueColumn: answer.multiValueColumn,
      };
    }
    const multiValueColumn = columns.find(({ column }) =>
      rows.some((row) => Array.isArray(row[column])),
    )?.column;
    const hashed = await Promise.all(
      columns.map(({ column, keyType, encoding }) =>
        this.hash({ keyType, encoding, options, values: rows.map((row) => row[column]) }),
      ),
    );
    return {
      count: rows.length,
      columns: hashed,
      rejectedValue: (column, row) => ({ value: rows[row]?.[(columns[column] as RowColumn).column] }),
      multiValueColumn,
    };
  }

  /** Stops the threads (the batches still running are rejected). */
  async close(): Promise<void> {
    await this.pool?.destroy();
  }
}

/**
 * Refuses on the calling thread, before any work goes to a thread, what `hashIdentifiers` refuses: a
 * SHA256 column of a key type the provider receives as plain text.
 */
function refusePlainDigests(
  columns: readonly Pick<IdentifierBatch, 'keyType' | 'encoding'>[],
  options: NormalizeOptions | undefined,
): void {
  for (const { keyType, encoding } of columns) keepsPlainText(keyType, encoding, options);
}

function ownBuffer(bytes: Uint8Array): boolean {
  return (
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength &&
    bytes.buffer instanceof ArrayBuffer
  );
}

let shared: IdentifierHasher | undefined;

/**
 * The process's pool, made on first use: one pool per process, whatever the number of exports
 * running at once, sized to the cores; its threads exit when idle.
 */
export function sharedIdentifierHasher(): IdentifierHasher {
  shared ??= new IdentifierHasher();
  return shared;
}
