#!/usr/bin/env node
// `npm test`: every project's suites in one Jest run, against SQLite by default or PostgreSQL when
// DATABASE_URL is set. Ends with a plain `N passed, N failed` line; the JSON report is kept in
// tmp/test-results.json for CI. Extra arguments go to Jest (e.g. `npm test -- apps/api`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const report = join(root, 'tmp', 'test-results.json');
mkdirSync(join(root, 'tmp'), { recursive: true });
rmSync(report, { force: true });

const banner = (text) => console.log(`\n=== ${text} ===`);
if (process.env.DATABASE_URL) {
  banner(`Database suites: PostgreSQL (${new URL(process.env.DATABASE_URL).host})`);
} else {
  banner(
    'Database suites: SQLite. PostgreSQL SKIPPED: set DATABASE_URL=postgres://… to run them against PostgreSQL',
  );
}
if (!process.env.REDIS_URL) {
  banner('Redis suites: SKIPPED (set REDIS_URL=redis://127.0.0.1:6379 to run them)');
}

const result = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
    '--maxWorkers=2',
    '--json',
    `--outputFile=${report}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' } },
);

if (existsSync(report)) {
  const {
    numPassedTests,
    numFailedTests,
    numPendingTests,
    numTotalTestSuites,
    numFailedTestSuites,
    numRuntimeErrorTestSuites,
  } = JSON.parse(readFileSync(report, 'utf8'));
  const brokenSuites = numFailedTestSuites + numRuntimeErrorTestSuites;
  console.log(`\n${numTotalTestSuites} suites, ${brokenSuites} broken`);
  console.log(
    `${numPassedTests} passed, ${numFailedTests} failed${numPendingTests ? `, ${numPendingTests} skipped` : ''}`,
  );
}
process.exit(result.status ?? 1);
