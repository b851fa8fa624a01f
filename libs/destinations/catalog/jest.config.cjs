module.exports = {
  ...require('../../../jest.preset.cjs'),
  displayName: 'destinations-catalog',
  rootDir: __dirname,
};
