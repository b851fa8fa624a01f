#!/usr/bin/env node
// Prints the figures the reliability suites recorded (tmp/figures/<suite>.<database>.json, written by
// recordFigures in @conduit/domain/testing) as one table: a row per figure, a column per database.
// `--markdown` prints it as a Markdown table (the README's "Reliability" section).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const folder = join(resolve(import.meta.dirname, '..'), 'tmp', 'figures');
const markdown = process.argv.includes('--markdown');
const records = existsSync(folder)
  ? readdirSync(folder)
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => JSON.parse(readFileSync(join(folder, file), 'utf8')))
  : [];
if (records.length === 0) {
  console.log('\n(no reliability figures recorded)');
  process.exit(0);
}
// SQLite (the embedded default) first, then PostgreSQL + Redis.
const databases = [...new Set(records.map((record) => record.database))].sort().reverse();
const suites = [...new Set(records.map((record) => record.suite))];
const rows = [];
for (const suite of suites) {
  const names = [
    ...new Set(
      records.filter((record) => record.suite === suite).flatMap((record) => Object.keys(record.figures)),
    ),
  ];
  for (const name of names)
    rows.push([
      suite,
      name,
      ...databases.map((database) => {
        const value = records.find((record) => record.suite === suite && record.database === database)
          ?.figures[name];
        return value === undefined ? '–' : String(value);
      }),
    ]);
}
const header = ['Suite', 'Figure', ...databases];
if (markdown) {
  console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
} else {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ');
  console.log(
    `\nReliability figures\n${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}`,
  );
  let previous = '';
  for (const row of rows) {
    console.log(line([row[0] === previous ? '' : row[0], ...row.slice(1)]));
    previous = row[0];
  }
}
