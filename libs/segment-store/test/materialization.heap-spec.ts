import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { materializeCsv } from '../bench/materialize-csv';

// Materializing a large segment keeps the heap flat: rows stream through, never held whole. Heap
// specs run in their own Jest pass without coverage (scripts/test.mjs): V8 block coverage slows this
// path ~4x. The timeout only guards against a hang; speed is the bench's business.
setFlagsFromString('--expose-gc');
(globalThis as { gc?: () => void }).gc ??= runInNewContext('gc') as () => void;

const ROWS = 5_000_000;
const LIMIT_BYTES = 64 * 1024 * 1024;

describe('materialization memory', () => {
  it(`materializes ${ROWS.toLocaleString('en')} CSV rows into chunks and reads them back with a flat heap (< 64 MB growth)`, async () => {
    const run = await materializeCsv(ROWS);
    // Reported for the record: the figure the 64 MB target is checked against.
    process.stdout.write(
      `materialization: ${ROWS} CSV rows parsed, stored and read back in ` +
        `${(run.parseAndWriteSeconds + run.readSeconds).toFixed(1)} s, peak heapUsed growth ` +
        `${(run.peakHeapGrowthBytes / 1048576).toFixed(1)} MB\n`,
    );
    expect(run).toMatchObject({ rows: ROWS, chunks: Math.ceil(ROWS / 100_000) });
    expect(run.peakHeapGrowthBytes).toBeLessThan(LIMIT_BYTES);
  }, 900_000);
});
