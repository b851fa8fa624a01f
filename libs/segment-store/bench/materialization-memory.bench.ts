import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseCsvRows } from '../src/csv-source';
import { LocalSegmentRowStore } from '../src/row-store';

// Target (issue 7): materializing a segment never holds it whole. An uploaded CSV of 5M rows is
// parsed, written as gzip chunks and read back with < 64 MB of live-heap growth (sampled after a
// forced collection: `npm run bench` runs with --expose-gc).
const ROWS = Number(process.env['BENCH_MATERIALIZE_ROWS'] ?? 5_000_000);
const SAMPLE_EVERY = 100_000;
const LIMIT_BYTES = 64 * 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

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

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'rows-bench-'));
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
    const writer = await store.openWriter('seg_bench');
    let written = 0;
    for await (const row of parseCsvRows(csvUpload(ROWS), { keyColumns: ['email'], flatten: false })) {
      await writer.write(row);
      if (++written % SAMPLE_EVERY === 0) sample();
    }
    const committed = await writer.commit();
    const wroteAt = process.hrtime.bigint();

    let read = 0;
    let last = '';
    for await (const row of store.read('seg_bench')) {
      if (row['n'] !== String(read)) throw new Error(`Row ${read} came back as ${row['n']}.`);
      last = row['email'] ?? '';
      if (++read % SAMPLE_EVERY === 0) sample();
    }
    const finished = process.hrtime.bigint();
    if (committed.rows !== ROWS || read !== ROWS || last !== `user${ROWS - 1}@example.com`)
      throw new Error(`Wrote ${committed.rows} and read ${read} rows of ${ROWS}; last ${last}.`);

    const writeSeconds = Number(wroteAt - started) / 1e9;
    const readSeconds = Number(finished - wroteAt) / 1e9;
    console.log(
      JSON.stringify({
        bench: 'segment-store CSV materialization memory',
        rows: ROWS,
        chunks: committed.chunks,
        parseAndWriteSeconds: Number(writeSeconds.toFixed(1)),
        parseAndWriteRowsPerSecond: Math.round(ROWS / writeSeconds),
        readSeconds: Number(readSeconds.toFixed(1)),
        readRowsPerSecond: Math.round(ROWS / readSeconds),
        peakHeapGrowthMB: Number((peak / 1048576).toFixed(1)),
        limitMB: LIMIT_BYTES / 1048576,
        gcForced: Boolean(gc),
      }),
    );
    if (peak >= LIMIT_BYTES) process.exitCode = 1;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
