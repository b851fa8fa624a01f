import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DATA, benchEmail, benchMaid, benchPhone, type BenchColumns } from '@conduit/bench/identifiers';
import { LocalSegmentRowStore } from '@conduit/segment-store';

/**
 * A materialized segment of `rows` generated rows in the segment store (gzip'd NDJSON chunks, as a
 * materialization writes them), made once and reused: answers the store and the dataset id.
 */
export async function benchDataset(
  rows: number,
  columns: BenchColumns,
): Promise<{ store: LocalSegmentRowStore; datasetId: string; seconds: number }> {
  mkdirSync(BENCH_DATA, { recursive: true });
  const store = new LocalSegmentRowStore(BENCH_DATA);
  const datasetId = `bench-${columns === 'email' ? 'email' : 'three'}-${rows}`;
  if (existsSync(join(BENCH_DATA, datasetId, 'manifest.json'))) {
    const manifest = await store.manifest(datasetId);
    if (manifest.rows === rows) return { store, datasetId, seconds: 0 };
  }
  const started = performance.now();
  const writer = await store.openWriter(datasetId);
  for (let n = 0; n < rows; n++) {
    const email = benchEmail(n);
    await writer.write(columns === 'email' ? { email } : { email, phone: benchPhone(n), maid: benchMaid(n) });
  }
  await writer.commit();
  return { store, datasetId, seconds: (performance.now() - started) / 1000 };
}
