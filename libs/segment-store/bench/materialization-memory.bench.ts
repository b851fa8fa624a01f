import { benchSmoke, reportBench } from '@conduit/bench';
import { materializeCsv } from './materialize-csv';

// Figures for a 5M-row CSV materialization (parse → gzip chunks → read back), and its heap bound:
// < 64 MB of live-heap growth (`npm run bench` runs with --expose-gc). The bound is asserted by a
// spec too (test/materialization.heap-spec.ts); this adds the speed figures.
const ROWS = Number(process.env['BENCH_MATERIALIZE_ROWS'] ?? (benchSmoke() ? 20_000 : 5_000_000));
const LIMIT_MB = 64;

async function main(): Promise<void> {
  const run = await materializeCsv(ROWS);
  const millions = (rate: number) => Number((rate / 1e6).toFixed(3));
  reportBench('6. Other: segment store', 6, [
    {
      name: `${ROWS / 1e6} M-row CSV: parse and write gzip chunks`,
      value: millions(ROWS / run.parseAndWriteSeconds),
      unit: 'M rows/s',
      detail: `${run.parseAndWriteSeconds.toFixed(1)} s, ${run.chunks} chunks`,
    },
    {
      name: `${ROWS / 1e6} M-row CSV: read back`,
      value: millions(ROWS / run.readSeconds),
      unit: 'M rows/s',
      detail: `${run.readSeconds.toFixed(1)} s`,
    },
    {
      name: `${ROWS / 1e6} M-row CSV: peak live-heap growth`,
      value: Number((run.peakHeapGrowthBytes / 1048576).toFixed(1)),
      unit: 'MB',
      target: { op: '<=', value: LIMIT_MB },
      detail:
        typeof (globalThis as { gc?: unknown }).gc === 'function'
          ? 'collections forced'
          : 'run with --expose-gc',
    },
  ]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
