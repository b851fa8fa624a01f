// One Jest run over every project, so `npm test` prints one summary (and one JSON report for CI).
module.exports = {
  projects: [
    '<rootDir>/libs/config',
    '<rootDir>/libs/domain',
    '<rootDir>/libs/compact-set',
    '<rootDir>/libs/segment-store',
    '<rootDir>/libs/destinations/catalog',
    '<rootDir>/libs/destinations/core',
    '<rootDir>/libs/destinations/tiktok',
    '<rootDir>/libs/destinations/meta',
    '<rootDir>/libs/destinations/meta-wire',
    '<rootDir>/libs/destinations/tiktok-wire',
    '<rootDir>/libs/emulator-kit',
    '<rootDir>/libs/tiktok-emulator',
    '<rootDir>/apps/tiktok-emulator',
    '<rootDir>/libs/meta-emulator',
    '<rootDir>/apps/meta-emulator',
    '<rootDir>/apps/api',
    '<rootDir>/apps/scheduler',
    '<rootDir>/tools',
  ],
  // A test's or hook's time limit only guards against a hang: Jest's 5 s failed suites on a loaded
  // 2-core machine (CI runs its soaks beside the suites, with coverage). Timing is the benchmarks' job.
  // (Global: a project's own testTimeout is ignored in a multi-project run.)
  testTimeout: 30_000,
  // Coverage (`npm test` turns it on for full runs): V8's own, so SWC-compiled code needs no instrumentation.
  coverageProvider: 'v8',
  coverageDirectory: '<rootDir>/coverage',
  coverageReporters: ['json-summary', 'lcov'],
  coverageThreshold: {
    './libs/destinations/core/src/': { lines: 90 },
    './libs/destinations/tiktok/src/': { lines: 90 },
    './libs/destinations/meta/src/': { lines: 90 },
  },
};
