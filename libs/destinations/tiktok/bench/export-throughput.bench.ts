import { exportThroughEmulator } from './export-through-emulator';

// Targets: ≥ 25,000 rows/s through the whole export path, and < 64 MB peak live-heap growth
// (`npm run bench` runs with --expose-gc). The heap bound is asserted by a spec too
// (test/tiktok.streaming.heap-spec.ts); this adds the speed figure.
const ROWS = Number(process.env['BENCH_EXPORT_ROWS'] ?? 2_000_000);
const MIN_ROWS_PER_SECOND = 25_000;
const HEAP_GROWTH_LIMIT = 64 * 1024 * 1024;

async function main(): Promise<void> {
  const run = await exportThroughEmulator(ROWS, 32 * 1024 * 1024);
  const rowsPerSecond = Math.round(ROWS / run.seconds);
  console.log(
    JSON.stringify({
      bench: 'tiktok export throughput and memory',
      rows: ROWS,
      uploaded: run.counts.uploaded,
      storedByEmulator: run.stored?.count,
      files: run.uploads,
      seconds: Number(run.seconds.toFixed(1)),
      rowsPerSecond,
      minRowsPerSecond: MIN_ROWS_PER_SECOND,
      peakHeapGrowthMB: Number((run.peakHeapGrowthBytes / 1048576).toFixed(1)),
      limitMB: HEAP_GROWTH_LIMIT / 1048576,
      gcForced: typeof (globalThis as { gc?: unknown }).gc === 'function',
    }),
  );
  const correct = run.counts.uploaded === ROWS && run.stored?.count === ROWS && run.uploadsAccepted;
  if (!correct || rowsPerSecond < MIN_ROWS_PER_SECOND || run.peakHeapGrowthBytes >= HEAP_GROWTH_LIMIT) {
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
