module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'odds-api',
  rootDir: __dirname,
};
