module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'feature-detection',
  rootDir: __dirname,
};
