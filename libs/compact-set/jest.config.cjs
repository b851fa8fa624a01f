module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'compact-set',
  rootDir: __dirname,
};
