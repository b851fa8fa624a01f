import { materializeCsv } from './materialize-csv';

// Figures for a 5M-row CSV materialization (parse → gzip chunks → read back), and its heap bound:
// < 64 MB of live-heap growth (`npm run bench` runs with --expose-gc). The bound is asserted by a
// spec too (test/materialization.heap-spec.ts); this adds the speed figures.
const ROWS = Number(process.env['BENCH_MATERIALIZE_ROWS'] ?? 5_000_000);
const LIMIT_BYTES = 64 * 1024 * 1024;

async function main(): Promise<void> {
  const run = await materializeCsv(ROWS);
  console.log(
    JSON.stringify({
      bench: 'segment-store CSV materialization memory',
      rows: run.rows,
      chunks: run.chunks,
      parseAndWriteSeconds: Number(run.parseAndWriteSeconds.toFixed(1)),
      parseAndWriteRowsPerSecond: Math.round(ROWS / run.parseAndWriteSeconds),
      readSeconds: Number(run.readSeconds.toFixed(1)),
      readRowsPerSecond: Math.round(ROWS / run.readSeconds),
      peakHeapGrowthMB: Number((run.peakHeapGrowthBytes / 1048576).toFixed(1)),
      limitMB: LIMIT_BYTES / 1048576,
      gcForced: typeof (globalThis as { gc?: unknown }).gc === 'function',
    }),
  );
  if (run.peakHeapGrowthBytes >= LIMIT_BYTES) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
