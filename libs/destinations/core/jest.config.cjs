module.exports = {
  ...require('../../../jest.preset.cjs'),
  displayName: 'destinations-core',
  rootDir: __dirname,
};
