module.exports = {
  ...require('../../../jest.preset.cjs'),
  displayName: 'destinations-tiktok',
  rootDir: __dirname,
};
