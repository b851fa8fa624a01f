#!/usr/bin/env node
// `npm run test:mutation [-- <module> …]`: StrykerJS (Jest runner) mutates each module's code and runs
// the specs that guard it, then prints one score per module. Exit 1 when a module is under the
// threshold. Not part of `npm test`: it runs the guarding suites once per mutant (minutes per module).
//
// Incremental (Stryker's own mode): each module's last results are kept in
// tools/mutation/incremental/<module>.json, committed. A run diffs the mutated code and the specs
// against them and tests again only the mutants whose code, or whose covering tests, changed; the
// rest keep their recorded status. `-- --force` tests every mutant again (and rewrites the file):
// do so after changing code the specs depend on but the module does not mutate.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Stryker } from '@stryker-mutator/core';
import { MODULES, THRESHOLD } from './modules.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const force = process.argv.includes('--force');
const asked = process.argv.slice(2).filter((arg) => arg !== '--force');
const unknown = asked.filter((name) => !(name in MODULES));
if (unknown.length > 0) {
  console.error(`Unknown module(s): ${unknown.join(', ')}. Known: ${Object.keys(MODULES).join(', ')}`);
  process.exit(2);
}
const names = asked.length > 0 ? asked : Object.keys(MODULES);
process.chdir(root);
mkdirSync(join(root, 'tmp', 'mutation'), { recursive: true });

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const rows = [];
for (const name of names) {
  const module = MODULES[name];
  process.env.MUTATION_SPECS = JSON.stringify(module.specs);
  const savedEnv = { ...process.env };
  Object.assign(process.env, module.env ?? {});
  console.log(`\n=== mutation: ${name} (${module.what}) ===`);
  const results = await new Stryker({
    testRunner: 'jest',
    plugins: ['@stryker-mutator/jest-runner'],
    jest: {
      projectType: 'custom',
      configFile: 'tools/mutation/jest.mutation.cjs',
      enableFindRelatedTests: false,
    },
    coverageAnalysis: 'perTest',
    mutate: module.mutate,
    // Test runners at once (MUTATION_CONCURRENCY; default 2, one per core of a CI machine).
    concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
    timeoutMS: 10_000,
    reporters: ['progress', 'html', 'json'],
    htmlReporter: { fileName: `tmp/mutation/${name}.html` },
    jsonReporter: { fileName: `tmp/mutation/${name}.json` },
    ignorePatterns: ['dist', 'coverage', 'tmp', 'data', '.nx', '.stryker-tmp*'],
    // Another directory (STRYKER_TEMP_DIR=.stryker-tmp-…) lets two runs share a checkout.
    tempDirName: process.env.STRYKER_TEMP_DIR ?? '.stryker-tmp',
    incremental: true,
    incrementalFile: `tools/mutation/incremental/${name}.json`,
    force,
    cleanTempDir: 'always',
    logLevel: 'warn',
  }).runMutationTest();

  compactIncrementalFile(join(root, 'tools', 'mutation', 'incremental', `${name}.json`));
  for (const key of Object.keys(module.env ?? {})) {
    if (key in savedEnv) process.env[key] = savedEnv[key];
    else delete process.env[key];
  }
  const equivalent = [];
  const survivors = [];
  for (const mutant of results.filter((result) => UNDETECTED.has(result.status))) {
    const file = relative(root, mutant.fileName);
    const line = mutant.location.start.line;
    const listed = module.equivalent.find(
      (entry) =>
        entry.file === file &&
        entry.line === line &&
        (entry.mutator === undefined || entry.mutator === mutant.mutatorName) &&
        (entry.replacement === undefined || entry.replacement === mutant.replacement),
    );
    (listed ? equivalent : survivors).push({ file, line, mutant });
  }
  const detected = results.filter((result) => DETECTED.has(result.status)).length;
  const total = detected + survivors.length;
  const score = total === 0 ? 100 : (100 * detected) / total;
  for (const { file, line, mutant } of survivors) {
    console.log(
      `  ${mutant.status.toLowerCase()}: ${file}:${line} ${mutant.mutatorName} → ${JSON.stringify(mutant.replacement)}`,
    );
  }
  rows.push({ name, score, detected, survivors: survivors.length, equivalent: equivalent.length });
}

console.log('\nMutation scores (killed or timed out / all but listed equivalents):');
for (const row of rows) {
  console.log(
    `  ${row.name.padEnd(30)} ${row.score.toFixed(1).padStart(5)} %  ` +
      `(${row.detected} detected, ${row.survivors} survived, ${row.equivalent} equivalent)` +
      (row.score < THRESHOLD ? `  BELOW ${THRESHOLD} %` : ''),
  );
}
process.exit(rows.every((row) => row.score >= THRESHOLD) ? 0 : 1);

/**
 * A killed mutant's `statusReason` is its test's failure message, whose diff can run to megabytes
 * (one module's file was 12 MB, 10 of them diffs): kept to its first lines, which say what failed.
 * Stryker reuses a mutant by its status and tests, not by this text.
 */
function compactIncrementalFile(path) {
  const report = JSON.parse(readFileSync(path, 'utf8'));
  for (const file of Object.values(report.files)) {
    for (const mutant of file.mutants) {
      if (typeof mutant.statusReason === 'string' && mutant.statusReason.length > 500) {
        mutant.statusReason = `${mutant.statusReason.slice(0, 500)}…`;
      }
    }
  }
  writeFileSync(path, `${JSON.stringify(report)}\n`);
}
