module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'emulator-kit',
  rootDir: __dirname,
};
