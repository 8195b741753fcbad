module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'feature-execution',
  rootDir: __dirname,
};
