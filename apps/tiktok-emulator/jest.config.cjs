module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'tiktok-emulator',
  rootDir: __dirname,
};
