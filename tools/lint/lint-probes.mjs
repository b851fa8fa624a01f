#!/usr/bin/env node
// Lints small source snippets as if they were files at given paths, with the workspace's real ESLint
// configuration. Input (stdin): [{ "filePath": "libs/…/probe.ts", "code": "…" }]. Output (stdout): the
// rule ids reported for each probe, in order. Used by module-boundaries.spec.ts (ESLint's flat config
// loader needs real ESM dynamic import, which Jest's VM does not offer).
import { join, resolve } from 'node:path';
import { text } from 'node:stream/consumers';
import { ESLint } from 'eslint';

const root = resolve(import.meta.dirname, '..', '..');
const probes = JSON.parse(await text(process.stdin));
const eslint = new ESLint({ cwd: root });
const results = [];
for (const probe of probes) {
  const [result] = await eslint.lintText(probe.code, { filePath: join(root, probe.filePath) });
  results.push(result.messages.map((message) => message.ruleId ?? `fatal: ${message.message}`));
}
process.stdout.write(JSON.stringify(results));
