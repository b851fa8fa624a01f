import { existsSync, readFileSync, rmSync } from 'node:fs';
import { PEER_FIGURE } from '@conduit/bench/identifiers';
import { run as ceiling } from './hash-ceiling.bench';
import { run as peer } from './naive-peer.bench';
import { run as endToEnd } from './tiktok-export.bench';

// The benches of sections 1–3 (`npm run bench`) on tiny sizes, so that `npm test` proves they still
// run end to end (threads, the emulator's process, the export's process from dist, the figures), not
// how fast. npm test runs it in its second pass, after its one build (scripts/test.mjs).

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

  it('section 3 exports generated segments through the emulator process, every identifier received', async () => {
    const figures = await endToEnd([
      { rows: 3_000, columns: 'email' },
      { rows: 1_500, columns: 'email+phone+maid' },
    ]);
    const byName = Object.fromEntries(figures.map((figure) => [figure.name, figure]));
    expect(byName['3 k rows, email: identifiers/s']?.value).toBeGreaterThan(0);
    expect(byName['3 k rows, email: peak RSS of the exporting process']?.value).toBeGreaterThan(0);
    expect(byName['1.5 k rows, email+phone+maid: identifiers/s']?.detail).toMatch(/valid identifiers/);
    expect(byName['ours ÷ peer baseline (section 2)']?.value).toBeGreaterThan(0);
  }, 180_000);
});
