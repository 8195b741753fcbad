module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'execution',
  rootDir: __dirname,
};
