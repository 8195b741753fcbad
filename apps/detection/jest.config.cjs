module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'detection',
  rootDir: __dirname,
};
