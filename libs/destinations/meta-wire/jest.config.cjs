module.exports = {
  ...require('../../../jest.preset.cjs'),
  displayName: 'destinations-meta-wire',
  rootDir: __dirname,
};
