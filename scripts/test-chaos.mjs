#!/usr/bin/env node
// `npm run test:chaos`: the reliability suites (`*.chaos-spec.ts`): Conduit's apps as real processes,
// killed, faulted, shut down and restarted mid-export, without coverage, one suite at a time so that
// each owns the machine's cores while it measures recovery. `npm run test:soak` runs the soak
// (`*.soak-spec.ts`: minutes of steady traffic with every process's memory sampled; SOAK_SECONDS,
// 600 by default). Both run on SQLite by default and on PostgreSQL + Redis when DATABASE_URL and
// REDIS_URL are set (suites that need what is missing skip, loudly). Each suite records its figures
// (tmp/figures); the run ends with the table of them and one plain `N passed, N failed` line. Extra
// arguments narrow the run (e.g. `npm run test:chaos -- provider-faults`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const soak = process.argv.includes('--soak');
const extra = process.argv.slice(2).filter((arg) => arg !== '--soak');
const name = soak ? 'soak' : 'chaos';
// Named by database: CI runs the SQLite and the PostgreSQL soaks at the same time.
const database = process.env.DATABASE_URL ? 'postgresql' : 'sqlite';
const output = join(root, 'tmp', `test-results.${name}.${database}.json`);
mkdirSync(join(root, 'tmp'), { recursive: true });
rmSync(output, { force: true });

console.log(
  `\n=== Reliability suites (${name}) on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'}` +
    `${process.env.REDIS_URL ? ' + Redis' : ''}, without coverage ===`,
);
// The suites run the apps from dist, as in production: built once here (unless the caller did,
// CONDUIT_APPS_BUILT=1: CI builds once, then runs two soaks beside its other passes).
if (process.env.CONDUIT_APPS_BUILT !== '1') {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const result = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
    '--maxWorkers=1',
    '--json',
    `--outputFile=${output}`,
    '--testPathPatterns',
    soak ? '\\.soak-spec\\.ts$' : '\\.chaos-spec\\.ts$',
    ...extra,
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', CONDUIT_APPS_BUILT: '1' },
  },
);
spawnSync(process.execPath, [join(root, 'scripts', 'figures-table.mjs')], { cwd: root, stdio: 'inherit' });
const report = existsSync(output)
  ? JSON.parse(readFileSync(output, 'utf8'))
  : { numPassedTests: 0, numFailedTests: 0, numRuntimeErrorTestSuites: 1 };
const failed = report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0);
console.log(
  `${report.numPassedTests} passed, ${failed} failed${report.numPendingTests ? `, ${report.numPendingTests} skipped` : ''}`,
);
process.exit(result.status === 0 && failed === 0 ? 0 : result.status || 1);
