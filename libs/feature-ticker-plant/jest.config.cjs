module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'feature-ticker-plant',
  rootDir: __dirname,
};
