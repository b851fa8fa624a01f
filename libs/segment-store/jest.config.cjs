module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'segment-store',
  rootDir: __dirname,
};
