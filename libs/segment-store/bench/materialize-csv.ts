import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseCsvRows } from '../src/csv-source';
import { LocalSegmentRowStore } from '../src/row-store';

/** What materializing a generated CSV did, and what it cost. */
export interface MaterializationRun {
  rows: number;
  chunks: number;
  parseAndWriteSeconds: number;
  readSeconds: number;
  /** Peak `heapUsed` growth, sampled every 100,000 rows after a collection when `gc` is exposed. */
  peakHeapGrowthBytes: number;
}

const SAMPLE_EVERY = 100_000;

/** An uploaded CSV of `count` rows, produced lazily (10,000 lines per chunk), never held whole. */
function csvUpload(count: number): Readable {
  return Readable.from(
    (function* () {
      yield 'email,n\n';
      for (let start = 0; start < count; start += 10_000) {
        const lines: string[] = [];
        for (let i = start; i < Math.min(count, start + 10_000); i++)
          lines.push(`user${i}@example.com,${i}\n`);
        yield lines.join('');
      }
    })(),
  );
}

/**
 * Materializes an uploaded CSV of `count` generated rows (csv-parse → gzip NDJSON chunks, committed)
 * and reads every row back, checking each. Shared by the materialization bench and heap spec.
 */
export async function materializeCsv(count: number): Promise<MaterializationRun> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const root = mkdtempSync(join(tmpdir(), 'rows-run-'));
  try {
    const store = new LocalSegmentRowStore(root);
    gc?.();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    const sample = (): void => {
      gc?.();
      peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
    };

    const started = process.hrtime.bigint();
    const writer = await store.openWriter('seg_run');
    let written = 0;
    for await (const row of parseCsvRows(csvUpload(count), { keyColumns: ['email'], flatten: false })) {
      await writer.write(row);
      if (++written % SAMPLE_EVERY === 0) sample();
    }
    const committed = await writer.commit();
    const wroteAt = process.hrtime.bigint();

    let read = 0;
    let last = '';
    for await (const row of store.read('seg_run')) {
      if (row['n'] !== String(read)) throw new Error(`Row ${read} came back as ${row['n']}.`);
      last = row['email'] ?? '';
      if (++read % SAMPLE_EVERY === 0) sample();
    }
    const finished = process.hrtime.bigint();
    if (committed.rows !== count || read !== count || last !== `user${count - 1}@example.com`) {
      throw new Error(`Wrote ${committed.rows} and read ${read} rows of ${count}; the last was ${last}.`);
    }
    return {
      rows: read,
      chunks: committed.chunks,
      parseAndWriteSeconds: Number(wroteAt - started) / 1e9,
      readSeconds: Number(finished - wroteAt) / 1e9,
      peakHeapGrowthBytes: peak,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
