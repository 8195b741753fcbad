module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'market-maker',
  rootDir: __dirname,
};
