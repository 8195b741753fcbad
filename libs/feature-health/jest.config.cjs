module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'feature-health',
  rootDir: __dirname,
};
