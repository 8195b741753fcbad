module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'feature-ingestion',
  rootDir: __dirname,
};
