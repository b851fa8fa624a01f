module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'meta-emulator',
  rootDir: __dirname,
};
