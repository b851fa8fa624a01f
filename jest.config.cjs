// One Jest run over every project, so `npm test` prints one summary (and one JSON report for CI).
module.exports = {
  projects: [
    '<rootDir>/libs/config',
    '<rootDir>/libs/domain',
    '<rootDir>/libs/compact-set',
    '<rootDir>/libs/destinations/core',
    '<rootDir>/libs/destinations/tiktok',
    '<rootDir>/libs/tiktok-emulator',
    '<rootDir>/apps/tiktok-emulator',
    '<rootDir>/apps/api',
    '<rootDir>/apps/scheduler',
    '<rootDir>/tools',
  ],
};
