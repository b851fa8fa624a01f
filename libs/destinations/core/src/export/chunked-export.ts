import { PayloadValidationError, ProviderApiError } from '../errors/destination-errors';
import type { HashedRows, IdentifierHasher } from '../identifiers/identifier-hasher';
import type { NormalizeOptions } from '../identifiers/identifier-types';
import type {
  ExportCounts,
  ExportReporter,
  ExportRequest,
  SegmentRow,
} from '../provider/destination-provider';
import { describeInvalid } from './export-messages';
import { KeyedRows } from './keyed-rows';
import { rowBatchesOf } from './row-batches';

/**
 * One chunk being filled: a customer file on disk (TikTok), a batch of rows in memory (Meta). Rows
 * come in segment order, each measured before it is added, so a chunk ends at a row boundary.
 */
export interface ChunkBuilder<Chunk> {
  /** Whether the row `rows` took last still fits; asked only when the chunk holds a row already. */
  fits(rows: KeyedRows): boolean;
  /** Adds the row `rows` took last (its values are in `batch`). */
  add(rows: KeyedRows, batch: HashedRows): void;
  /** Resolves once what was added can be held without growing memory (a file stream caught up). */
  drain?(): Promise<void>;
  /** Ends the chunk. */
  close(): Promise<Chunk>;
  /** Drops a chunk that will never be closed (the export failed while filling it). */
  discard(): void;
}

/** How a provider turns kept identifiers into what it sends, and sends it. */
export interface ChunkSender<Chunk, Receipt> {
  /** A new chunk; `sequence` counts chunks from 1 across every run of the export. */
  open(sequence: number): ChunkBuilder<Chunk>;
  /** Bytes the chunk takes on the wire (counted, and shown in milestones). */
  bytesOf(chunk: Chunk): number;
  /**
   * Sends one chunk under the provider's retry policy; what it resolves with is handed to `onSent`.
   * `last` is only ever true with `flagLast`, on the final chunk, sent once every other was accepted.
   */
  send(chunk: Chunk, info: { sequence: number; last: boolean }): Promise<Receipt>;
  /** Frees what the chunk holds once it is sent, abandoned or counted by a dry run (a file on disk). */
  release?(chunk: Chunk): void;
}

/** A chunk the provider accepted, handed over in row order. */
export interface SentChunk<Receipt> {
  sequence: number;
  /** 1-based index of the last segment row whose identifiers the chunk holds. */
  endRow: number;
  /** Distinct identifiers in the chunk. */
  values: number;
  bytes: number;
  last: boolean;
  receipt: Receipt;
}

/** What earlier runs of the export sent: the rows they covered are read again only to count. */
export interface ChunksSentBefore {
  throughRow: number;
  chunks: number;
  values: number;
  bytes: number;
}

export interface ChunkedExportOptions<Chunk, Receipt> {
  request: ExportRequest;
  /** The provider's normalization rules (its declaration), over the request's. */
  normalize: NormalizeOptions;
  hasher: IdentifierHasher;
  sender: ChunkSender<Chunk, Receipt>;
  /** The provider's name, for messages. */
  destination: string;
  /**
   * Chunks in hand at once, the one being filled included (so with 2: one sending while the next
   * fills); at least 1. Bounds the memory or disk an export holds, whatever the segment's size.
   */
  concurrency: number;
  /**
   * Keeps the final chunk back until every other is accepted, then sends it with `last: true`
   * (sessions that must be told their last batch: Meta's `last_batch_flag`).
   */
  flagLast?: boolean;
  resume?: ChunksSentBefore;
  /**
   * Awaited after each accepted chunk, in row order whatever order the sends finish in: record it
   * durably (the checkpoint) before anything depends on it.
   */
  onSent(chunk: SentChunk<Receipt>): Promise<void>;
  reporter: ExportReporter;
}

export interface ChunkedExportResult {
  counts: ExportCounts;
  /** Chunks sent by this run and earlier ones (on a dry run: that this run would send). */
  chunks: number;
}

/** Rows between two progress reports. */
const PROGRESS_EVERY_ROWS = 100_000;

/**
 * The export's data path, the same for every provider: read the segment (the store's NDJSON when it
 * offers it, else parsed rows) → normalize and hash on the pool, a few batches ahead → count, reject
 * and dedupe row by row in order (`KeyedRows`) → fill chunks at row boundaries (the provider's
 * `ChunkBuilder`) → send them with bounded concurrency → hand each accepted chunk to `onSent` in row
 * order (the provider checkpoints there). On resume, rows already covered by sent chunks are read
 * again only to rebuild the counts and the dedupe set. A dry run does everything but the sending.
 * A cancelled export (`request.signal`) stops at the next batch; after a failure nothing is still
 * being sent when this rejects. A segment with no valid identifier at all fails the export (a
 * PayloadValidationError on the mapping that says what was rejected) rather than send nothing.
 */
export async function runChunkedExport<Chunk, Receipt>(
  options: ChunkedExportOptions<Chunk, Receipt>,
): Promise<ChunkedExportResult> {
  const { request, sender, reporter } = options;
  const before = options.resume ?? { throughRow: 0, chunks: 0, values: 0, bytes: 0 };
  const concurrency = Math.max(1, options.concurrency);
  const counts: ExportCounts = { read: 0, valid: 0, invalid: {}, duplicates: 0, uploaded: 0, byKeyType: {} };
  const rows = new KeyedRows({
    mapping: request.mapping,
    normalize: { ...request.normalize, ...options.normalize },
    counts,
    hasher: options.hasher,
    expectedRows: request.totalRows,
    destination: options.destination,
  });
  const sent = { chunks: before.chunks, values: before.values, bytes: before.bytes };
  const sends: Promise<void>[] = [];
  // The sends themselves too: after a failure, none may still be running when the export returns.
  const inFlight: Promise<unknown>[] = [];
  let ordered = Promise.resolve();
  let builder: ChunkBuilder<Chunk> | undefined;
  /** A closed chunk kept back by `flagLast` until the next one closes or the read ends. */
  let held: { chunk: Chunk; endRow: number; values: number; sequence: number } | undefined;
  let sequence = before.chunks;
  let pendingValues = 0;
  let row = 0;

  /**
   * Frees a chunk: best effort, as it may run after the export settled (a send that finished late):
   * a failure here must never become an unhandled rejection that takes the worker down.
   */
  const release = (chunk: Chunk) => {
    try {
      sender.release?.(chunk);
    } catch {
      // What could not be freed (a file) is the provider's to sweep (TikTok removes its folder).
    }
  };

  const startSend = (chunk: Chunk, endRow: number, values: number, chunkSequence: number, last: boolean) => {
    const bytes = sender.bytesOf(chunk);
    if (request.dryRun) {
      sent.chunks++;
      sent.values += values;
      sent.bytes += bytes;
      release(chunk);
      return;
    }
    const sending = sender.send(chunk, { sequence: chunkSequence, last });
    // Handed over in row order, whatever order the sends finish in.
    ordered = ordered.then(async () => {
      const receipt = await sending;
      sent.chunks++;
      sent.values += values;
      sent.bytes += bytes;
      await options.onSent({ sequence: chunkSequence, endRow, values, bytes, last, receipt });
    });
    void sending.then(
      () => release(chunk),
      () => release(chunk),
    );
    sends.push(ordered);
    inFlight.push(sending);
    // Failures surface where the sends are awaited; these handlers only keep Node from calling them unhandled.
    sending.catch(() => undefined);
    ordered.catch(() => undefined);
  };
  const closeChunk = async (endRow: number) => {
    if (!builder) return;
    // A chunk is opened for a row with values only, so it never closes empty.
    const current = builder;
    builder = undefined;
    const chunk = await current.close();
    const values = pendingValues;
    pendingValues = 0;
    if (options.flagLast && !request.dryRun) {
      const previous = held;
      held = { chunk, endRow, values, sequence };
      if (previous) startSend(previous.chunk, previous.endRow, previous.values, previous.sequence, false);
    } else startSend(chunk, endRow, values, sequence, false);
    // Bounded: at most `concurrency` chunks in hand, the one being filled included.
    if (sends.length >= concurrency) await sends[sends.length - concurrency];
  };

  /** Takes a hashed batch's rows in order, cutting chunks at row boundaries. */
  const take = async (batch: HashedRows) => {
    for (let index = 0; index < batch.count; index++) {
      row++;
      counts.read++;
      const values = rows.take(batch, index);
      if (counts.read % PROGRESS_EVERY_ROWS === 0) reporter.progress?.({ ...counts, uploaded: sent.values });
      if (row <= before.throughRow || values === 0) continue;
      if (builder && !builder.fits(rows)) await closeChunk(row - 1);
      builder ??= sender.open(++sequence);
      builder.add(rows, batch);
      pendingValues += values;
    }
    await builder?.drain?.();
  };

  // Batches are hashed ahead on the pool (a few per thread), and taken in row order.
  const hashing: Promise<HashedRows>[] = [];
  const depth = Math.max(2, options.hasher.threads * 2);
  try {
    const batches: AsyncIterable<Uint8Array | readonly SegmentRow[]> = request.rowsNdjson
      ? request.rowsNdjson()
      : rowBatchesOf(request);
    for await (const batch of batches) {
      if (request.signal?.aborted) throw cancelledExport();
      const hashed = rows.hash(batch);
      // Rejections surface where each batch is awaited, in order; this only keeps them from being unhandled.
      hashed.catch(() => undefined);
      hashing.push(hashed);
      if (hashing.length >= depth) await take(await (hashing.shift() as Promise<HashedRows>));
    }
    for (const hashed of hashing.splice(0)) {
      if (request.signal?.aborted) throw cancelledExport();
      await take(await hashed);
    }
    await closeChunk(row);
    if (held) {
      // The final chunk goes once every other is accepted: a session ends with it.
      await Promise.all(sends);
      const last = held;
      held = undefined;
      startSend(last.chunk, last.endRow, last.values, last.sequence, true);
    }
    await Promise.all(sends);
  } catch (error) {
    builder?.discard();
    if (held) release(held.chunk);
    await Promise.allSettled([...sends, ...inFlight]);
    throw error;
  }
  counts.uploaded = sent.values;
  counts.files = sent.chunks;
  counts.bytes = sent.bytes;
  reporter.progress?.(counts);
  if (sent.chunks === 0 && !request.dryRun)
    throw new PayloadValidationError(
      `The segment has no valid identifier to send (${describeInvalid(counts)}); check the column mapping and the data.`,
      { field: 'mapping' },
    );
  return { counts, chunks: sent.chunks };
}

/** The error of a cancelled export (its run stops; the export is not retried). */
export function cancelledExport(): ProviderApiError {
  return new ProviderApiError('The export was cancelled.', false);
}
