import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip, type Gunzip, type Gzip } from 'node:zlib';
import { RowTooLargeError } from './errors';
import { LineSplitter, LineTooLongError } from './line-splitter';

/**
 * Longest row the store keeps, in characters of its stored JSON line (column names included): 4 MiB.
 * A longer row fails its write (the segment fails, naming the row) and, in a dataset written before
 * this limit, its read, so neither a preview nor an export ever holds one huge row in memory.
 */
export const MAX_STORED_ROW_LENGTH = 4 * 1024 * 1024;

/** One stored row: column → text (null for empty). Multi-values are already flattened by the caller. */
export type SegmentRow = Record<string, string | null>;

export interface DatasetSummary {
  rows: number;
  chunks: number;
  /** Compressed bytes on disk (chunk files only). */
  bytes: number;
}

export interface RowWriter {
  /** Appends one row; resolves once the compressor can take more (backpressure). */
  write(row: SegmentRow): Promise<void>;
  /** Makes the dataset readable, all at once (replacing an older dataset with the same id). */
  commit(): Promise<DatasetSummary>;
  /** Drops everything written; nothing becomes readable. */
  abort(): Promise<void>;
}

/**
 * Where materialized segment rows live: datasets of gzip'd NDJSON chunks, written once and read as
 * streams. This port lets object storage replace the local disk.
 */
export interface SegmentRowStore {
  openWriter(datasetId: string): Promise<RowWriter>;
  /**
   * Streams the rows in the order they were written; fails when the dataset does not exist, and with
   * `RowTooLargeError` at a row past the store's limit. Stops (throwing the signal's reason) once
   * `options.signal` aborts, e.g. when the client that asked for the rows has gone.
   */
  read(datasetId: string, options?: ReadOptions): AsyncIterable<SegmentRow>;
  /**
   * The same rows, in the same order, in batches as they come off the disk (a few thousand rows each):
   * for readers that process rows in bulk, without a promise per row.
   */
  readBatches(datasetId: string, options?: ReadOptions): AsyncIterable<SegmentRow[]>;
  /**
   * The same rows as stored, unparsed: NDJSON bytes (UTF-8, one JSON object per line), each chunk whole
   * lines, a few thousand rows each, in row order. Each chunk is a buffer of its own (transferable to
   * another thread). For readers that parse elsewhere (an export's hashing threads).
   */
  readNdjson(datasetId: string, options?: ReadOptions): AsyncIterable<Buffer>;
  /** What a committed dataset holds: rows, chunks, columns. Fails when it does not exist. */
  manifest(datasetId: string): Promise<DatasetManifest>;
  remove(datasetId: string): Promise<void>;
  exists(datasetId: string): Promise<boolean>;
  /**
   * Cleans up what crashed writers left behind, touching only leftovers not written to since
   * `untouchedSince` (a live writer keeps writing, so it is never swept under). Returns their names.
   */
  sweep(options?: SweepOptions): Promise<string[]>;
}

export interface ReadOptions {
  signal?: AbortSignal;
}

export interface SweepOptions {
  /** Only leftovers whose newest write is at or before this time (default: all, for use at startup). */
  untouchedSince?: Date;
}

export interface LocalSegmentRowStoreOptions {
  /** Rows per chunk file (default 100 000). */
  rowsPerChunk?: number;
  /** gzip level, 1 (fast) … 9 (small); default 6. */
  compressionLevel?: number;
  /** Longest row written or read, in characters of its JSON line (default `MAX_STORED_ROW_LENGTH`). */
  maxRowLength?: number;
}

/** What `manifest.json` holds, next to the chunk files of a committed dataset. */
export interface DatasetManifest extends DatasetSummary {
  createdAt: string;
  /** Every column name seen in the written rows, in first-seen order. */
  columns: string[];
  /** Chunk file names, in row order. */
  files: string[];
}

/** Safe names only (letters, digits, `_`, `-`; ≤ 80): no dots, no slashes, so no path traversal. */
const DATASET_ID = /^[A-Za-z0-9_-]{1,80}$/;
const MANIFEST = 'manifest.json';
/** A writer's folder is `<datasetId>.tmp-<random>`; a replaced one briefly `<datasetId>.old-<random>`. */
const TEMP_MARK = '.tmp-';
const OLD_MARK = '.old-';
/** Lines batched into one compressor write (one zlib call per ~64 KB, not per row). */
const BATCH_BYTES = 64 * 1024;
/** Bytes read from disk and decompressed at a time: a read batch holds this much text (~6,000 short rows). */
const READ_CHUNK_BYTES = 256 * 1024;

/**
 * The local-disk store: a dataset is a folder of chunk files plus a manifest, built in a temporary
 * folder and renamed into place on commit, so a reader never sees half a dataset and a crash leaves
 * only a temporary folder behind (removed by `sweep()`).
 *
 * Chunk file names carry a random per-write version, so a reader still streaming a dataset that gets
 * replaced fails with a clear error rather than silently continuing into the new data.
 */
export class LocalSegmentRowStore implements SegmentRowStore {
  private readonly rowsPerChunk: number;
  private readonly compressionLevel: number;
  private readonly maxRowLength: number;

  constructor(
    private readonly root: string,
    options: LocalSegmentRowStoreOptions = {},
  ) {
    this.rowsPerChunk = options.rowsPerChunk ?? 100_000;
    this.compressionLevel = options.compressionLevel ?? 6;
    this.maxRowLength = options.maxRowLength ?? MAX_STORED_ROW_LENGTH;
    if (!Number.isInteger(this.rowsPerChunk) || this.rowsPerChunk < 1) {
      throw new RangeError(`rowsPerChunk must be a positive integer (got ${options.rowsPerChunk}).`);
    }
  }

  async openWriter(datasetId: string): Promise<RowWriter> {
    checkId(datasetId);
    await mkdir(this.root, { recursive: true });
    const temp = join(this.root, `${datasetId}${TEMP_MARK}${randomBytes(6).toString('hex')}`);
    await mkdir(temp);
    return new ChunkWriter(
      this.root,
      temp,
      datasetId,
      this.rowsPerChunk,
      this.compressionLevel,
      this.maxRowLength,
    );
  }

  async *read(datasetId: string, options: ReadOptions = {}): AsyncIterable<SegmentRow> {
    for await (const batch of this.readBatches(datasetId, options))
      for (const row of batch) {
        // Per row too: a reader that stops (a client gone) stops at the row, not at the batch's end.
        options.signal?.throwIfAborted();
        yield row;
      }
  }

  async *readBatches(datasetId: string, { signal }: ReadOptions = {}): AsyncIterable<SegmentRow[]> {
    checkId(datasetId);
    const folder = join(this.root, datasetId);
    const manifest = await this.manifest(datasetId);
    for (const file of manifest.files) {
      signal?.throwIfAborted();
      const gunzip = await openChunk(datasetId, join(folder, file));
      gunzip.setEncoding('utf8');
      const splitter = new LineSplitter(this.maxRowLength);
      try {
        // The signal is checked per piece of text (a long row spans several, a piece holds many rows).
        for await (const text of gunzip as AsyncIterable<string>) {
          signal?.throwIfAborted();
          const lines = splitter.push(text);
          if (lines.length > 0) yield parseLines(lines);
        }
        const rest = splitter.end();
        if (rest.length > 0) yield parseLines(rest);
      } catch (error) {
        if (!(error instanceof LineTooLongError)) throw error;
        throw rowTooLarge(datasetId, error.maxLength);
      }
    }
  }

  async *readNdjson(datasetId: string, { signal }: ReadOptions = {}): AsyncIterable<Buffer> {
    checkId(datasetId);
    const folder = join(this.root, datasetId);
    const manifest = await this.manifest(datasetId);
    // A row's characters take at most 3 bytes each in UTF-8: the byte bound of the row limit.
    const maxRowBytes = this.maxRowLength * 3;
    for (const file of manifest.files) {
      signal?.throwIfAborted();
      const gunzip = await openChunk(datasetId, join(folder, file));
      // The start of a line the last chunk did not finish.
      let tail: Buffer | undefined;
      for await (const chunk of gunzip as AsyncIterable<Buffer>) {
        signal?.throwIfAborted();
        const data = tail ? Buffer.concat([tail, chunk]) : chunk;
        const end = data.lastIndexOf(0x0a) + 1;
        // Copied: a buffer of its own (zlib's may share memory), and the tail not kept alive by it.
        if (end > 0) yield Buffer.from(data.subarray(0, end));
        tail = end < data.length ? Buffer.from(data.subarray(end)) : undefined;
        if (tail && tail.length > maxRowBytes) {
          gunzip.destroy();
          throw rowTooLarge(datasetId, this.maxRowLength);
        }
      }
      if (tail) yield Buffer.concat([tail, Buffer.from('\n')]);
    }
  }

  /** The committed dataset's manifest; fails clearly when there is none. */
  async manifest(datasetId: string): Promise<DatasetManifest> {
    checkId(datasetId);
    let text: string;
    try {
      text = await readFile(join(this.root, datasetId, MANIFEST), 'utf8');
    } catch (error) {
      if (isMissing(error)) {
        throw new Error(`Dataset ${datasetId} does not exist (never committed, or deleted).`);
      }
      throw error;
    }
    return JSON.parse(text) as DatasetManifest;
  }

  async remove(datasetId: string): Promise<void> {
    checkId(datasetId);
    await rm(join(this.root, datasetId), { recursive: true, force: true });
  }

  async exists(datasetId: string): Promise<boolean> {
    checkId(datasetId);
    return stat(join(this.root, datasetId, MANIFEST)).then(
      () => true,
      () => false,
    );
  }

  /**
   * Cleans up after a crash: removes temporary folders of writers that never committed, and puts back
   * a dataset whose replacement was interrupted between its two renames. With `untouchedSince`, only
   * folders with no write since then (the folder and its files' modification times) are handled, so
   * it is safe beside running writers; without it, call it when no writer of this store runs.
   */
  async sweep(options: SweepOptions = {}): Promise<string[]> {
    const entries = await readdir(this.root).catch(() => [] as string[]);
    const swept: string[] = [];
    for (const name of entries) {
      const leftover = name.includes(TEMP_MARK) || name.includes(OLD_MARK);
      if (!leftover) continue;
      const folder = join(this.root, name);
      if (options.untouchedSince && (await lastWrite(folder)) > options.untouchedSince.getTime()) continue;
      if (name.includes(OLD_MARK)) {
        const id = name.slice(0, name.indexOf(OLD_MARK));
        const restored =
          !entries.includes(id) &&
          (await rename(folder, join(this.root, id)).then(
            () => true,
            () => false,
          ));
        if (!restored) await rm(folder, { recursive: true, force: true });
      } else {
        await rm(folder, { recursive: true, force: true });
      }
      swept.push(name);
    }
    return swept;
  }
}

/** The newest modification time of a folder and the files in it (0 when it is gone). */
async function lastWrite(folder: string): Promise<number> {
  const names = await readdir(folder).catch(() => [] as string[]);
  const times = await Promise.all(
    [folder, ...names.map((name) => join(folder, name))].map((path) =>
      stat(path).then(
        (info) => info.mtimeMs,
        () => 0,
      ),
    ),
  );
  return Math.max(...times);
}

class ChunkWriter implements RowWriter {
  private gzip?: Gzip;
  /** Settles when the current chunk file is fully written, fsynced and closed. */
  private piped?: Promise<void>;
  private readonly files: string[] = [];
  private readonly columns = new Set<string>();
  private readonly version = randomBytes(4).toString('hex');
  private rowsInChunk = 0;
  private rows = 0;
  private closed = false;
  private pending: string[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly root: string,
    private readonly temp: string,
    private readonly datasetId: string,
    private readonly rowsPerChunk: number,
    private readonly level: number,
    private readonly maxRowLength: number,
  ) {}

  async write(row: SegmentRow): Promise<void> {
    if (this.closed) throw new Error('This writer is closed (committed or aborted).');
    const json = JSON.stringify(row);
    // Refused before anything is written: the reader would refuse it anyway.
    if (json.length > this.maxRowLength) {
      throw new RowTooLargeError(
        `Row ${this.rows + 1} takes ${json.length} characters once stored, over the limit of ` +
          `${this.maxRowLength}; shorten its values or keep fewer columns.`,
      );
    }
    if (!this.gzip || this.rowsInChunk >= this.rowsPerChunk) await this.nextChunk();
    for (const column in row) this.columns.add(column);
    const line = `${json}\n`;
    this.rows += 1;
    this.rowsInChunk += 1;
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= BATCH_BYTES) await this.flush();
  }

  async commit(): Promise<DatasetSummary> {
    if (this.closed) throw new Error('This writer is closed (committed or aborted).');
    this.closed = true;
    try {
      await this.closeChunk();
      let bytes = 0;
      for (const file of this.files) bytes += (await stat(join(this.temp, file))).size;
      const manifest: DatasetManifest = {
        rows: this.rows,
        chunks: this.files.length,
        bytes,
        createdAt: new Date().toISOString(),
        columns: [...this.columns],
        files: this.files,
      };
      await writeDurably(join(this.temp, MANIFEST), JSON.stringify(manifest));
      await syncFolder(this.temp);
      // Swap in: an older dataset with this id is moved aside, the new one renamed in, the old deleted.
      // A crash between the two renames leaves `<id>.old-…`, which `sweep()` puts back.
      const target = join(this.root, this.datasetId);
      const old = join(this.root, `${this.datasetId}${OLD_MARK}${randomBytes(6).toString('hex')}`);
      const hadOld = await rename(target, old).then(
        () => true,
        (error: unknown) => {
          if (isMissing(error)) return false;
          throw error;
        },
      );
      await rename(this.temp, target);
      await syncFolder(this.root);
      if (hadOld) await rm(old, { recursive: true, force: true });
      return { rows: manifest.rows, chunks: manifest.chunks, bytes };
    } catch (error) {
      await this.discard();
      throw error;
    }
  }

  async abort(): Promise<void> {
    this.closed = true;
    await this.discard();
  }

  private async discard(): Promise<void> {
    this.pending = [];
    const { gzip, piped } = this;
    this.gzip = undefined;
    this.piped = undefined;
    if (gzip && piped) {
      gzip.destroy();
      await piped.catch(() => undefined);
    }
    await rm(this.temp, { recursive: true, force: true });
  }

  private async flush(): Promise<void> {
    if (!this.gzip || this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    // `once` rejects if the pipeline fails (disk full…) while we wait.
    if (!this.gzip.write(text)) await once(this.gzip, 'drain');
  }

  private async nextChunk(): Promise<void> {
    await this.closeChunk();
    const name = `chunk-${this.version}-${String(this.files.length + 1).padStart(6, '0')}.ndjson.gz`;
    this.files.push(name);
    this.gzip = createGzip({ level: this.level });
    // `flush: true` fsyncs the file before it closes.
    this.piped = pipeline(this.gzip, createWriteStream(join(this.temp, name), { flush: true }));
    // A failure is reported by the next write/commit; never as an unhandled rejection meanwhile.
    this.piped.catch(() => undefined);
    this.rowsInChunk = 0;
  }

  private async closeChunk(): Promise<void> {
    await this.flush();
    const { gzip, piped } = this;
    if (!gzip || !piped) return;
    this.gzip = undefined;
    this.piped = undefined;
    gzip.end();
    await piped;
  }
}

async function writeDurably(path: string, text: string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsyncs a folder so the renames and new entries in it survive a power loss (best effort). */
async function syncFolder(path: string): Promise<void> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}

/**
 * NDJSON lines → rows with one JSON.parse for the whole batch (one call into the parser instead of one
 * per row: about twice as fast on short rows). The lines are the store's own, one JSON object each.
 */
function parseLines(lines: readonly string[]): SegmentRow[] {
  return JSON.parse(`[${lines.join(',')}]`) as SegmentRow[];
}

/** A chunk file, decompressing as it is read; fails clearly when the dataset went away meanwhile. */
async function openChunk(datasetId: string, path: string): Promise<Gunzip> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isMissing(error))
      throw new Error(`Dataset ${datasetId} was replaced or removed while it was being read.`);
    throw error;
  }
  const gunzip = createGunzip({ chunkSize: READ_CHUNK_BYTES });
  // Errors reach the reader through `gunzip`; the pipeline's own promise is only a bystander.
  pipeline(handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES }), gunzip).catch(() => undefined);
  return gunzip;
}

function rowTooLarge(datasetId: string, maxLength: number): RowTooLargeError {
  return new RowTooLargeError(
    `Dataset ${datasetId} holds a row longer than ${maxLength} characters, the most a read ` +
      'accepts (such rows are refused when written now); refresh the segment to rebuild its rows.',
  );
}

function isMissing(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'ENOENT';
}

function checkId(datasetId: string): void {
  if (typeof datasetId !== 'string' || !DATASET_ID.test(datasetId)) {
    throw new Error(
      `Invalid dataset id "${String(datasetId).slice(0, 100)}": letters, digits, "_" and "-" only (≤ 80).`,
    );
  }
}
