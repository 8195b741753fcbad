module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'feature-exchange',
  rootDir: __dirname,
};
