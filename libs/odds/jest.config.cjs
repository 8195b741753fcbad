module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'odds',
  rootDir: __dirname,
};
