#!/usr/bin/env node
// `npm test`: every project's suites, against SQLite by default or PostgreSQL when DATABASE_URL is
// set. A full run is three Jest passes: every suite with coverage, then the heap specs (`*.heap-spec.ts`,
// large streaming runs asserting a flat heap) without it, as V8 block coverage slows them ~4x, then the
// fuzz suite alone (it times /health while it loads the API). The reliability suites (`*.chaos-spec.ts`
// and `*.soak-spec.ts`: real processes killed, faulted and soaked for minutes) are `npm run test:chaos`
// and `npm run test:soak` (scripts/test-chaos.mjs); CI runs them after this. Ends
// with one plain `N passed, N failed` line; the merged JSON report is kept in tmp/test-results.json for
// CI. Extra arguments go to a single Jest pass without coverage (e.g. `npm test -- apps/api`);
// `npm test -- --without-heap` runs every suite but the heap, chaos and load specs, without coverage.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

// Heap specs run without coverage, after the others; so do the benches' smoke runs (`bench/*.int-spec.ts`,
// the apps from dist: they need this pass's one build).
const HEAP_SPECS = '(\\.heap-spec\\.ts|/bench/[^/]+\\.int-spec\\.ts)$';
// Reliability suites: `npm run test:chaos` / `npm run test:soak`, never in npm test's passes.
const RELIABILITY_SPECS = '\\.(chaos|soak)-spec\\.ts$';
// Suites that time the API while they load it (the fuzz suite's "/health within 1 s") run alone, so
// another suite's work on the same two cores never counts against the API.
const ALONE_SPECS = 'fuzz\\.e2e-spec\\.ts$';
// `--without-heap`: the first pass alone, without coverage: every suite but the heap, chaos and load
// specs, which measure the machine more than the code (CI's Node 22 leg).
const withoutHeap = process.argv.includes('--without-heap');
// `--without-coverage`: every pass, the first without coverage (CI measures coverage on its SQLite run;
// the same code measured again on PostgreSQL would only cost minutes).
const withoutCoverage = process.argv.includes('--without-coverage');
const extra = process.argv.slice(2).filter((arg) => arg !== '--without-heap' && arg !== '--without-coverage');
const full = extra.length === 0 && !withoutHeap;
const passes = withoutHeap
  ? [{ name: 'suites', args: ['--testPathIgnorePatterns', HEAP_SPECS, ALONE_SPECS, RELIABILITY_SPECS] }]
  : full
    ? [
        // Coverage thresholds live in jest.config.cjs.
        {
          name: 'suites',
          args: [
            ...(withoutCoverage ? [] : ['--coverage']),
            '--testPathIgnorePatterns',
            HEAP_SPECS,
            ALONE_SPECS,
            RELIABILITY_SPECS,
          ],
        },
        { name: 'heap', args: ['--testPathPatterns', HEAP_SPECS] },
        { name: 'alone', args: ['--testPathPatterns', ALONE_SPECS], workers: 1 },
      ]
    : [{ name: 'suites', args: ['--testPathIgnorePatterns', RELIABILITY_SPECS, ...extra] }];

let status = 0;
const reports = [];
for (const pass of passes) {
  const output = join(root, 'tmp', `test-results.${pass.name}.json`);
  rmSync(output, { force: true });
  let env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
  if (pass.name === 'heap') {
    banner('Heap specs and bench smoke runs (no coverage)');
    // Specs that run the built scheduler build it once here, not each in its own Jest worker (nor
    // here when the caller built already: CI, whose soaks run from dist meanwhile).
    if (process.env.CONDUIT_APPS_BUILT !== '1') {
      const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
      if (build.status !== 0) status = build.status ?? 1;
    }
    env = { ...env, CONDUIT_APPS_BUILT: '1' };
  }
  if (pass.name === 'alone') banner('Load specs, alone on the machine (no coverage)');
  const result = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
      `--maxWorkers=${pass.workers ?? 2}`,
      '--json',
      `--outputFile=${output}`,
      ...pass.args,
    ],
    { cwd: root, stdio: 'inherit', env },
  );
  if (result.status !== 0) status = result.status ?? 1;
  if (existsSync(output)) reports.push(JSON.parse(readFileSync(output, 'utf8')));
  else reports.push({ numFailedTests: 0, numRuntimeErrorTestSuites: 1, testResults: [] });
}

// One report, as if from one run: counts summed, suites concatenated.
const merged = { ...reports[0], testResults: reports.flatMap((report) => report.testResults ?? []) };
for (const key of Object.keys(merged)) {
  if (typeof merged[key] === 'number' && key !== 'startTime') {
    merged[key] = reports.reduce((sum, report) => sum + (report[key] ?? 0), 0);
  }
}
merged.success = status === 0 && reports.every((report) => report.success !== false);
writeFileSync(report, JSON.stringify(merged));

const {
  numPassedTests,
  numFailedTests,
  numPendingTests,
  numTotalTestSuites,
  numFailedTestSuites,
  numRuntimeErrorTestSuites,
} = merged;
const brokenSuites = numFailedTestSuites + numRuntimeErrorTestSuites;
const summary = join(root, 'coverage', 'coverage-summary.json');
if (full && !withoutCoverage && existsSync(summary)) printCoverage(JSON.parse(readFileSync(summary, 'utf8')));
console.log(`\n${numTotalTestSuites} suites, ${brokenSuites} broken`);
console.log(
  `${numPassedTests} passed, ${numFailedTests} failed${numPendingTests ? `, ${numPendingTests} skipped` : ''}`,
);
process.exit(status);

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
