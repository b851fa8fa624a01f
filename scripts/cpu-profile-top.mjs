#!/usr/bin/env node
// `node scripts/cpu-profile-top.mjs <file.cpuprofile> [N]`: where a `node --cpu-prof` profile spent its
// time — the top N functions by self time, then self time summed by package (node_modules/<name>, or
// the repository folder, or node: internals), each as a share of the samples.
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/cpu-profile-top.mjs <file.cpuprofile> [N]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const root = resolve(import.meta.dirname, '..');
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
profile.samples.forEach((id, index) => {
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
});
const total = [...self.values()].reduce((sum, time) => sum + time, 0);

function packageOf(url) {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node: internals';
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = path.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const inRepo = relative(root, path);
  return inRepo.startsWith('..') ? path : inRepo.split('/').slice(0, 4).join('/');
}

const functions = new Map();
const packages = new Map();
for (const [id, time] of self) {
  const { callFrame } = byId.get(id);
  const where = callFrame.url
    ? `${packageOf(callFrame.url)} ${callFrame.url.split('/').pop()}:${callFrame.lineNumber + 1}`
    : '';
  const name = `${callFrame.functionName || '(anonymous)'} ${where}`.trim();
  functions.set(name, (functions.get(name) ?? 0) + time);
  const pkg = packageOf(callFrame.url);
  packages.set(pkg, (packages.get(pkg) ?? 0) + time);
}
const show = (title, entries, count) => {
  console.log(`\n${title}`);
  for (const [name, time] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, count))
    console.log(
      `${((100 * time) / total).toFixed(1).padStart(5)} %  ${(time / 1000).toFixed(0).padStart(6)} ms  ${name}`,
    );
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
show(`Top ${top} functions by self time`, functions, top);
show('Self time by package', packages, 20);
