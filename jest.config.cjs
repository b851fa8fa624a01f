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
    '<rootDir>/libs/tiktok-emulator',
    '<rootDir>/apps/tiktok-emulator',
    '<rootDir>/apps/api',
    '<rootDir>/apps/scheduler',
    '<rootDir>/tools',
  ],
  // Coverage (`npm test` turns it on for full runs): V8's own, so SWC-compiled code needs no instrumentation.
  coverageProvider: 'v8',
  coverageDirectory: '<rootDir>/coverage',
  coverageReporters: ['json-summary', 'lcov'],
  coverageThreshold: {
    './libs/destinations/core/src/': { lines: 90 },
    './libs/destinations/tiktok/src/': { lines: 90 },
  },
};
