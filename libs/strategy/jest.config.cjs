module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'strategy',
  rootDir: __dirname,
};
