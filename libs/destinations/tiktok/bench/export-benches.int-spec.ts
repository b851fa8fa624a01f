import { existsSync, readFileSync, rmSync } from 'node:fs';
import { PEER_FIGURE } from '@conduit/bench/identifiers';
import { run as ceiling } from './hash-ceiling.bench';
import { run as peer } from './naive-peer.bench';

// The benches of sections 1 and 2 (`npm run bench`) on tiny sizes, so that `npm test` proves they still
// run (threads, the pool, the figures), not how fast. Section 3's smoke: apps/api/bench/export-bench.int-spec.ts.

describe('export benchmarks, smoke (tiny sizes: they run, not how fast)', () => {
  it('section 1 measures both hash APIs on 1 and all threads, and the pipeline on the pool', async () => {
    const figures = await ceiling(4_000);
    expect(figures).toHaveLength(5);
    for (const figure of figures) expect(figure.value).toBeGreaterThan(0);
  }, 120_000);

  it('section 2 runs the naive pipeline and leaves its figure for section 3', () => {
    rmSync(PEER_FIGURE, { force: true });
    const [figure] = peer(3_000);
    expect(figure?.value).toBeGreaterThan(0);
    expect(figure?.detail).toMatch(/hashes written/);
    expect(existsSync(PEER_FIGURE)).toBe(true);
    expect(JSON.parse(readFileSync(PEER_FIGURE, 'utf8'))).toMatchObject({ rows: 3_000 });
  });
});
