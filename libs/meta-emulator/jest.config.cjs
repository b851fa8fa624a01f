module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'meta-emulator-lib',
  rootDir: __dirname,
};
