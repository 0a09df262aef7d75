module.exports = { ...require('../../jest.preset'), displayName: 'review-analysis', rootDir: __dirname };
