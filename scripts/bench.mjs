#!/usr/bin/env node
// `npm run bench [-- <filter>]`: builds the apps (benches start them from dist/), then runs every
// `apps/**/bench/*.bench.ts` and `libs/**/bench/*.bench.ts` whose path contains the filter, from
// sources (`node -r ./tools/swc-register.cjs`, with --expose-gc for memory figures), each in its own
// process, one after another (never in parallel: they measure). Each bench prints one line
// `BENCH_RESULT {json}` (tools/bench/report.ts); the runner prints one table, ratio = measured ÷ target
// (target ÷ measured for "<="), and writes bench/results/latest.json. A missed target is reported, not
// a failure; the exit code is non-zero only when a bench crashed (or printed no result).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const root = resolve(import.meta.dirname, '..');
const PREFIX = 'BENCH_RESULT ';
const RESULTS = join(root, 'bench', 'results', 'latest.json');
const filter = process.argv[2] ?? '';

/** Every `bench/*.bench.ts` under apps/ and libs/ (node_modules and dist left out). */
function findBenches() {
  const found = [];
  for (const top of ['apps', 'libs'])
    for (const file of readdirSync(join(root, top), { recursive: true }).map(String)) {
      if (file.includes('node_modules') || !file.endsWith('.bench.ts')) continue;
      const path = join(top, file);
      if (path.split(/[\\/]/).at(-2) === 'bench' && path.includes(filter)) found.push(path);
    }
  // In section order (the number its reportBench call gives), then by path: a section may read what an
  // earlier one measured (section 3 divides by section 2's peer baseline).
  const order = (path) =>
    Number(/reportBench\(\s*['"`](\d+)\./.exec(readFileSync(join(root, path), 'utf8'))?.[1] ?? 99);
  return found.sort((a, b) => order(a) - order(b) || a.localeCompare(b));
}

/** A bench that still prints a plain JSON object (`{ "bench": …, figures… }`): its numbers, no targets. */
function legacyResult(bench, line) {
  let parsed;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || typeof parsed.bench !== 'string') return undefined;
  return {
    section: `6. Other: ${parsed.bench}`,
    order: 6,
    figures: Object.entries(parsed)
      .filter(([, value]) => typeof value === 'number')
      .map(([name, value]) => ({
        name,
        value,
        unit: '',
        detail: `plain JSON from ${bench}: convert it to reportBench (tools/bench/report.ts)`,
      })),
  };
}

function runBench(bench) {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--max-old-space-size=4096', '-r', './tools/swc-register.cjs', bench],
      // The runner has built the apps: a bench's helpers must not build again under its feet.
      { cwd: root, env: { ...process.env, CONDUIT_APPS_BUILT: '1' }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const results = [];
    const legacy = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith(PREFIX)) {
        try {
          results.push(JSON.parse(line.slice(PREFIX.length)));
        } catch (error) {
          console.error(`${bench}: unreadable ${PREFIX.trim()} line (${error.message})`);
        }
        return;
      }
      process.stdout.write(`  ${line}\n`);
      const old = legacyResult(bench, line);
      if (old) legacy.push(old);
    });
    child.on('close', (code, signal) => {
      const printed = results.length ? results : legacy;
      const crashed =
        code !== 0 || printed.length !== 1
          ? `exited ${signal ?? code}${printed.length === 1 ? '' : `, ${printed.length} results printed (1 expected)`}`
          : undefined;
      done({ bench, result: printed.at(-1), crashed });
    });
  });
}

/** Ratio to the target (>= 1 means met), or undefined for a figure without target or value. */
function scored(figure) {
  const { value, target } = figure;
  if (typeof value !== 'number' || !target) return { ...figure };
  // A target of 0 (e.g. rejections): no ratio to speak of, met or not.
  const ratio =
    target.value === 0
      ? Number(target.op === '<=' ? value <= 0 : value >= 0)
      : target.op === '<='
        ? target.value / value
        : value / target.value;
  return { ...figure, ratio: Number.isFinite(ratio) ? Number(ratio.toFixed(3)) : null, met: ratio >= 1 };
}

function formatNumber(value) {
  if (typeof value !== 'number') return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

function table(sections) {
  const rows = [['Section', 'Figure', 'Measured', 'Target', 'Ratio (measured ÷ target)', 'Met']];
  for (const section of sections)
    for (const figure of section.figures) {
      const measured =
        figure.value === null || figure.value === undefined
          ? 'SKIPPED'
          : `${formatNumber(figure.value)} ${figure.unit ?? ''}`.trim();
      const target = figure.target
        ? `${figure.target.op} ${formatNumber(figure.target.value)} ${figure.unit ?? ''}`.trim()
        : '';
      const ratio =
        figure.ratio === undefined ? '' : figure.ratio === null ? '∞' : `${figure.ratio.toFixed(2)}×`;
      const verdict = figure.met === undefined ? '' : figure.met ? 'ok' : 'MISSED';
      const name = figure.detail ? `${figure.name} (${figure.detail})` : figure.name;
      rows.push([section.section, name, measured, target, ratio, verdict]);
    }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join(' | ')
      .trimEnd();
  return [
    line(rows[0]),
    widths.map((width) => '-'.repeat(width)).join('-|-'),
    ...rows.slice(1).map(line),
  ].join('\n');
}

function git(...args) {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

const benches = findBenches();
if (benches.length === 0) {
  console.error(`No bench matches "${filter}".`);
  process.exit(1);
}
execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });

const date = new Date().toISOString();
const commit = `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? '+dirty' : ''}`;
const outcomes = [];
for (const bench of benches) {
  console.log(`\n--- ${bench}${process.env.BENCH_SMOKE === '1' ? ' (smoke)' : ''}`);
  const startedAt = Date.now();
  const outcome = await runBench(bench);
  console.log(
    `  (${((Date.now() - startedAt) / 1000).toFixed(0)} s${outcome.crashed ? `, CRASHED: ${outcome.crashed}` : ''})`,
  );
  outcomes.push(outcome);
}

const sections = outcomes
  .map(({ bench, result, crashed }) =>
    // A bench that crashed after printing keeps its figures, with the crash as a last line.
    ({
      section: result?.section ?? bench,
      order: result?.order ?? 99,
      bench,
      date,
      commit,
      figures: [
        ...(result?.figures ?? []).map(scored),
        ...(crashed ? [{ name: `CRASHED: ${crashed}`, value: null, unit: '' }] : []),
      ],
    }),
  )
  .sort((a, b) => a.order - b.order || a.section.localeCompare(b.section));

const cpus = os.cpus();
const report = {
  date,
  commit,
  smoke: process.env.BENCH_SMOKE === '1',
  machine: {
    cpus: cpus.length,
    model: cpus[0]?.model ?? 'unknown',
    memGB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  },
  sections,
};
console.log(`\n${table(sections)}\n`);

// A filtered run keeps the other sections of the last full run (each section carries its own date).
if (!report.smoke) {
  if (filter && existsSync(RESULTS)) {
    const previous = JSON.parse(readFileSync(RESULTS, 'utf8'));
    const ran = new Set(sections.map((section) => section.bench));
    report.sections = [
      ...(previous.sections ?? []).filter((section) => !ran.has(section.bench)),
      ...sections,
    ].sort((a, b) => a.order - b.order || a.section.localeCompare(b.section));
  }
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Written to ${relative(root, RESULTS)}`);
}
const crashed = outcomes.filter((outcome) => outcome.crashed);
const figures = sections.flatMap((section) => section.figures);
console.log(
  `${outcomes.length - crashed.length}/${outcomes.length} benches ran; ` +
    `${figures.filter((figure) => figure.met === true).length} targets met, ` +
    `${figures.filter((figure) => figure.met === false).length} missed`,
);
process.exit(crashed.length ? 1 : 0);
