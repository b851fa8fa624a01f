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

// A full run also measures coverage (thresholds in jest.config.cjs); a narrowed run does not.
const extra = process.argv.slice(2);
const coverage = extra.length === 0 ? ['--coverage'] : [];
const result = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
    '--maxWorkers=2',
    '--json',
    `--outputFile=${report}`,
    ...coverage,
    ...extra,
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
  const summary = join(root, 'coverage', 'coverage-summary.json');
  if (coverage.length && existsSync(summary)) printCoverage(JSON.parse(readFileSync(summary, 'utf8')));
  console.log(`\n${numTotalTestSuites} suites, ${brokenSuites} broken`);
  console.log(
    `${numPassedTests} passed, ${numFailedTests} failed${numPendingTests ? `, ${numPendingTests} skipped` : ''}`,
  );
}
process.exit(result.status ?? 1);

/** Line coverage per project, from Jest's json-summary. */
function printCoverage(files) {
  const projects = new Map();
  for (const [file, data] of Object.entries(files)) {
    if (file === 'total' || !file.includes('/src/')) continue;
    const project = file.slice(root.length + 1).replace(/\/src\/.*$/, '');
    const entry = projects.get(project) ?? { covered: 0, total: 0 };
    entry.covered += data.lines.covered;
    entry.total += data.lines.total;
    projects.set(project, entry);
  }
  console.log('\nLine coverage by project:');
  for (const [project, { covered, total }] of [...projects.entries()].sort()) {
    console.log(
      `  ${project.padEnd(28)} ${((100 * covered) / Math.max(total, 1)).toFixed(1).padStart(5)}%  (${covered}/${total} lines)`,
    );
  }
}
