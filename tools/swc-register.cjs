// Runs TypeScript sources in plain Node (`node -r ./tools/swc-register.cjs file.ts`): SWC compiles each
// `.ts` file as it is required, with the repository's .swcrc (decorator metadata, the @conduit/* path
// aliases), as Jest does for the test files. Used where Jest's own transform does not reach: worker
// threads started by code under test, and the benchmarks (which import test helpers). Development
// only: the apps run from `dist`.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { addHook } = require('pirates');
const { transformSync } = require('@swc/core');

const root = join(__dirname, '..');
const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;
const options = { ...swcrc, swcrc: false, jsc: { ...swcrc.jsc, baseUrl: root }, sourceMaps: 'inline' };

addHook((code, filename) => transformSync(code, { ...options, filename }).code, {
  exts: ['.ts'],
  ignoreNodeModules: true,
});
