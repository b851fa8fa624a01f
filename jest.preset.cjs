// Shared Jest settings for every project: SWC transpiles TypeScript (with decorator metadata, which
// Nest and MikroORM need) and the tsconfig path aliases map to sources.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const swcrc = JSON.parse(readFileSync(join(__dirname, '.swcrc'), 'utf8'));
delete swcrc.$schema;
delete swcrc.jsc.baseUrl;
delete swcrc.jsc.paths;

const { compilerOptions } = JSON.parse(readFileSync(join(__dirname, 'tsconfig.base.json'), 'utf8'));
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`,
    join(__dirname, target),
  ]),
);

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false, sourceMaps: 'inline' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testMatch: ['**/?(*.)+(spec|int-spec|e2e-spec|heap-spec|chaos-spec|soak-spec).ts'],
  setupFiles: ['reflect-metadata'],
  // A test's or hook's time limit only guards against a hang: 5 s (Jest's default) fails tests on a
  // loaded 2-core machine (CI runs its soaks beside the suites). Timing is asserted by benchmarks.
  testTimeout: 30_000,
  coverageReporters: ['text-summary', 'lcov', 'json-summary'],
  collectCoverageFrom: [
    'src/**/*.ts',
    '!src/**/*.spec.ts',
    '!src/**/*.int-spec.ts',
    '!src/**/*.e2e-spec.ts',
    '!src/**/migrations/**',
    '!src/**/__fixtures__/**',
  ],
};
