// The Jest configuration Stryker runs for one module of `npm run test:mutation`: the shared preset,
// rooted at the repository, limited to the specs that guard the module (tools/mutation/modules.mjs
// passes them in MUTATION_SPECS). Loaded from Stryker's sandbox, so every path is the sandbox's own.
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const specs = JSON.parse(process.env.MUTATION_SPECS ?? '[]');
if (specs.length === 0) throw new Error('MUTATION_SPECS names no spec: run through `npm run test:mutation`');

module.exports = {
  ...require('../../jest.preset.cjs'),
  rootDir: root,
  roots: ['<rootDir>/apps', '<rootDir>/libs'],
  testMatch: specs.map((spec) => `<rootDir>/${spec}`),
  // Suites boot the app or the emulator; a mutant that makes one hang is a timeout, found by Stryker.
  testTimeout: 60_000,
};
