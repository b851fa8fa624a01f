module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'tiktok-emulator-lib',
  rootDir: __dirname,
};
