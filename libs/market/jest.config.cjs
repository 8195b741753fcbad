module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'market',
  rootDir: __dirname,
};
