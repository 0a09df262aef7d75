module.exports = {
  ...require('../jest.preset'),
  displayName: 'system',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.int-spec.ts', '<rootDir>/**/*.e2e-spec.ts'],
  // The screenshot run rewrites docs/screenshots: a tool (`npm run screenshots`), not part of `npm test`.
  testPathIgnorePatterns: ['/bench/', ...(process.env.VIGIL_SCREENSHOTS ? [] : ['/e2e/dashboard-screenshots\\.e2e-spec\\.ts$'])],
};
