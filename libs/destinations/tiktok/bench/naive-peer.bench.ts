import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchSmoke, reportBench, type BenchFigure } from '@conduit/bench';
import { BENCH_DATA, benchEmail, PEER_FIGURE } from '@conduit/bench/identifiers';

// Section 2, the peer baseline: the per-record pipeline public connectors use (trim → lowercase →
// regex → a createHash per record → an array of hex strings → one file), on the same generated
// emails as section 3, given to it as strings already in memory (no reading, no decompression: the
// most favourable setting for it). Section 3 reads this figure back (PEER_FIGURE) for its ratio.

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The section's figure for `rows` emails (10 million by default, 20,000 in a smoke run). */
export function run(rows = benchSmoke() ? 20_000 : 10_000_000): BenchFigure[] {
  const directory = join(tmpdir(), `conduit-naive-peer-${process.pid}`);
  mkdirSync(directory, { recursive: true });
  const started = performance.now();
  const cpu = process.cpuUsage();
  const hashes: string[] = [];
  for (let n = 0; n < rows; n++) {
    const email = benchEmail(n).trim().toLowerCase();
    if (!EMAIL.test(email)) continue;
    hashes.push(createHash('sha256').update(email).digest('hex'));
  }
  const deduped = [...new Set(hashes)];
  // One file, written in slices (10 million lines are more than one string can hold).
  const file = openSync(join(directory, 'audience.csv'), 'w');
  for (let start = 0; start < deduped.length; start += 100_000)
    writeSync(file, `${deduped.slice(start, start + 100_000).join('\n')}\n`);
  closeSync(file);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const peakRss = process.resourceUsage().maxRSS * 1024;
  rmSync(directory, { recursive: true, force: true });
  const rate = rows / seconds;
  mkdirSync(BENCH_DATA, { recursive: true });
  writeFileSync(PEER_FIGURE, JSON.stringify({ rows: rows, identifiersPerSecond: rate, at: Date.now() }));
  return [
    {
      name: `naive pipeline, ${(rows / 1e6).toLocaleString('en')} M emails, 1 thread`,
      value: Number((rate / 1e6).toFixed(3)),
      unit: 'M ids/s',
      detail: `${seconds.toFixed(1)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} s CPU, peak RSS ${Math.round(peakRss / 2 ** 20)} MB, ${deduped.length.toLocaleString('en')} hashes written`,
    },
  ];
}

if (require.main === module) reportBench('2. Peer baseline: a per-record pipeline', 2, run());
