module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'ticker-plant',
  rootDir: __dirname,
};
