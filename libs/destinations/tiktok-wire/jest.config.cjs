module.exports = {
  ...require('../../../jest.preset.cjs'),
  displayName: 'destinations-tiktok-wire',
  rootDir: __dirname,
};
