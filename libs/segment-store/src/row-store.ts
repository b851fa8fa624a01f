import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { createGunzip, createGzip, type Gzip } from 'node:zlib';

/** One stored row: column → text (null for empty). */
export type SegmentRow = Record<string, string | null>;

export interface DatasetSummary {
  rows: number;
  chunks: number;
  /** Compressed bytes on disk. */
  bytes: number;
}

export interface RowWriter {
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
  /** Streams the rows in the order they were written. */
  read(datasetId: string): AsyncIterable<SegmentRow>;
  remove(datasetId: string): Promise<void>;
  exists(datasetId: string): Promise<boolean>;
}

const DATASET_ID = /^[A-Za-z0-9_-]{1,80}$/;
const MANIFEST = 'manifest.json';
const BATCH_BYTES = 64 * 1024;

interface Manifest extends DatasetSummary {
  createdAt: string;
  files: string[];
}

/**
 * The local-disk store: a dataset is a folder of chunk files plus a manifest, built in a temporary
 * folder and renamed into place on commit, so a reader never sees half a dataset and a crash leaves
 * only a temporary folder behind (swept on the next start).
 */
export class LocalSegmentRowStore implements SegmentRowStore {
  private readonly rowsPerChunk: number;

  constructor(
    private readonly root: string,
    options: { rowsPerChunk?: number } = {},
  ) {
    this.rowsPerChunk = options.rowsPerChunk ?? 100_000;
  }

  async openWriter(datasetId: string): Promise<RowWriter> {
    checkId(datasetId);
    await mkdir(this.root, { recursive: true });
    const temp = join(this.root, `.tmp-${datasetId}-${randomBytes(6).toString('hex')}`);
    await mkdir(temp);
    return new ChunkWriter(temp, join(this.root, datasetId), this.rowsPerChunk);
  }

  async *read(datasetId: string): AsyncIterable<SegmentRow> {
    checkId(datasetId);
    const folder = join(this.root, datasetId);
    let manifest: Manifest;
    try {
      manifest = JSON.parse(await readFile(join(folder, MANIFEST), 'utf8')) as Manifest;
    } catch {
      throw new Error(`Dataset ${datasetId} does not exist (never committed, or deleted).`);
    }
    for (const file of manifest.files) {
      const lines = createInterface({
        input: createReadStream(join(folder, file)).pipe(createGunzip()),
        crlfDelay: Infinity,
      });
      for await (const line of lines) if (line) yield JSON.parse(line) as SegmentRow;
    }
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

  /** Removes temporary folders a crashed writer left behind. */
  async sweep(): Promise<number> {
    const entries = await readdir(this.root).catch(() => [] as string[]);
    const stale = entries.filter((name) => name.startsWith('.tmp-'));
    await Promise.all(stale.map((name) => rm(join(this.root, name), { recursive: true, force: true })));
    return stale.length;
  }
}

class ChunkWriter implements RowWriter {
  private gzip?: Gzip;
  private file?: WriteStream;
  private readonly files: string[] = [];
  private rowsInChunk = 0;
  private rows = 0;
  private done = false;
  /** Lines batched into one compressor write (one zlib call per ~64 KB, not per row). */
  private pending: string[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly temp: string,
    private readonly target: string,
    private readonly rowsPerChunk: number,
  ) {}

  async write(row: SegmentRow): Promise<void> {
    if (this.done) throw new Error('This writer is closed.');
    if (!this.gzip || this.rowsInChunk >= this.rowsPerChunk) await this.nextChunk();
    const line = `${JSON.stringify(row)}\n`;
    this.rows += 1;
    this.rowsInChunk += 1;
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= BATCH_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.gzip || this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.gzip.write(text)) await once(this.gzip, 'drain');
  }

  async commit(): Promise<DatasetSummary> {
    if (this.done) throw new Error('This writer is closed.');
    this.done = true;
    await this.closeChunk();
    let bytes = 0;
    for (const file of this.files) bytes += (await stat(join(this.temp, file))).size;
    const manifest: Manifest = {
      rows: this.rows,
      chunks: this.files.length,
      bytes,
      createdAt: new Date().toISOString(),
      files: this.files,
    };
    await writeFile(join(this.temp, MANIFEST), JSON.stringify(manifest));
    // Swap in: an older dataset with this id is moved aside first, then deleted.
    const old = `${this.temp}-replaced`;
    const hadOld = await rename(this.target, old).then(
      () => true,
      () => false,
    );
    await rename(this.temp, this.target);
    if (hadOld) await rm(old, { recursive: true, force: true });
    return { rows: manifest.rows, chunks: manifest.chunks, bytes };
  }

  async abort(): Promise<void> {
    this.done = true;
    const { gzip, file } = this;
    if (gzip && file) {
      // Stop the pipe before tearing down both ends, so no late chunk lands on a destroyed file.
      gzip.unpipe(file);
      gzip.on('error', () => undefined);
      file.on('error', () => undefined);
      gzip.destroy();
      file.destroy();
      if (!file.closed) await once(file, 'close').catch(() => undefined);
    }
    await rm(this.temp, { recursive: true, force: true });
  }

  private async nextChunk(): Promise<void> {
    await this.closeChunk();
    const name = `chunk-${String(this.files.length + 1).padStart(6, '0')}.ndjson.gz`;
    this.files.push(name);
    this.gzip = createGzip({ level: 6 });
    this.file = createWriteStream(join(this.temp, name));
    this.gzip.pipe(this.file);
    this.rowsInChunk = 0;
  }

  private async closeChunk(): Promise<void> {
    await this.flush();
    const gzip = this.gzip;
    const file = this.file;
    if (!gzip || !file) return;
    this.gzip = undefined;
    this.file = undefined;
    const finished = once(file, 'close');
    gzip.end();
    await finished;
  }
}

function checkId(datasetId: string): void {
  if (!DATASET_ID.test(datasetId)) {
    throw new Error(
      `Invalid dataset id "${datasetId.slice(0, 100)}": letters, digits, "_" and "-" only (≤ 80).`,
    );
  }
}
