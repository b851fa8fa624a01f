module.exports = {
  ...require('../../../jest.preset.cjs'),
  displayName: 'destinations-meta',
  rootDir: __dirname,
};
