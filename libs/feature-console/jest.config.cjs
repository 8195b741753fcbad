module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'feature-console',
  rootDir: __dirname,
};
