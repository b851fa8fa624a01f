import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Readable } from 'node:stream';
import { parseCsvRows } from './csv-source';
import { LocalSegmentRowStore } from './row-store';

const ROWS = 5_000_000;
const SAMPLE_EVERY = 100_000;
const LIMIT = 64 * 1024 * 1024;

/**
 * Samples are taken right after a full collection, so they show the live heap rather than garbage
 * awaiting the next one: `gc` as exposed by `node --expose-gc`, else exposed here through the V8 flag
 * (a fresh context picks it up), else none (samples then include garbage, still bounded by V8).
 */
const gc = ((globalThis as { gc?: () => void }).gc ?? exposeGc()) as (() => void) | undefined;

function exposeGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

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

/** Materializing a large segment keeps the heap flat: rows stream through, never held whole. */
describe('materialization memory', () => {
  it(`materializes ${ROWS.toLocaleString('en')} CSV rows into chunks and reads them back with a flat heap (< 64 MB growth)`, async () => {
    const root = mkdtempSync(join(tmpdir(), 'rows-heap-'));
    try {
      const store = new LocalSegmentRowStore(root);
      gc?.();
      const baseline = process.memoryUsage().heapUsed;
      let peak = 0;
      const sample = () => {
        gc?.();
        peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
      };
      const started = Date.now();
      const writer = await store.openWriter('seg_heap');
      let written = 0;
      for await (const row of parseCsvRows(csvUpload(ROWS), { keyColumns: ['email'], flatten: false })) {
        await writer.write(row);
        if (++written % SAMPLE_EVERY === 0) sample();
      }
      expect(await writer.commit()).toMatchObject({ rows: ROWS, chunks: Math.ceil(ROWS / 100_000) });
      let read = 0;
      let last = '';
      for await (const row of store.read('seg_heap')) {
        if (row['n'] !== String(read)) throw new Error(`Row ${read} came back as ${row['n']}.`);
        last = row['email'] ?? '';
        if (++read % SAMPLE_EVERY === 0) sample();
      }
      expect(read).toBe(ROWS);
      expect(last).toBe(`user${ROWS - 1}@example.com`);
      // eslint-disable-next-line no-console -- the figure the 64 MB target is checked against, for the record
      console.log(
        `materialization: ${ROWS} CSV rows parsed, stored and read back in ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
          `peak heapUsed growth ${(peak / 1048576).toFixed(1)} MB (gc ${gc ? 'forced' : 'not exposed'})`,
      );
      expect(peak).toBeLessThan(LIMIT);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 300_000);
});
