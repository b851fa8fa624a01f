#!/usr/bin/env node
// `npm run bench`: builds, then runs every compiled `*.bench.js` under dist/ in its own process
// (with --expose-gc for memory figures). Each prints one JSON line of figures and exits non-zero
// when it misses its target. `npm run bench -- <filter>` runs the benches whose path contains it.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
const filter = process.argv[2] ?? '';
const benches = readdirSync(join(root, 'dist'), { recursive: true })
  .map(String)
  .filter((file) => file.endsWith('.bench.js') && file.includes(filter))
  .sort();
let failed = 0;
for (const bench of benches) {
  console.log(`\n--- ${relative(root, join(root, 'dist', bench))}`);
  const result = spawnSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=4096', join(root, 'dist', bench)],
    { cwd: root, stdio: 'inherit' },
  );
  if (result.status !== 0) failed++;
}
console.log(`\n${benches.length - failed} benchmarks met their targets, ${failed} missed`);
process.exit(failed ? 1 : 0);
