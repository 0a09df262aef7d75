// All projects; `npm test` runs them against the real stack started by test/run-tests.sh.
module.exports = {
  projects: ['<rootDir>/libs/*/jest.config.js', '<rootDir>/services/*/jest.config.js', '<rootDir>/test/jest.config.js'],
};
