module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'kalshi',
  rootDir: __dirname,
};
