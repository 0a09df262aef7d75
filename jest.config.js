// All projects; `npm test` runs them against the real stack started by test/run-tests.sh.
module.exports = {
  // Global in multi-project mode (a project's own testTimeout is ignored): integration tests
  // wait for consumer-group joins and broker round trips on a loaded 2-core machine.
  testTimeout: 60_000,
  projects: ['<rootDir>/libs/*/jest.config.js', '<rootDir>/services/*/jest.config.js', '<rootDir>/test/jest.config.js'],
};
