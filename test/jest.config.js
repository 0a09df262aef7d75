module.exports = {
  ...require('../jest.preset'),
  displayName: 'system',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.int-spec.ts', '<rootDir>/**/*.e2e-spec.ts'],
  testPathIgnorePatterns: ['/bench/'],
};
