module.exports = { ...require('../../jest.preset'), displayName: 'redis', rootDir: __dirname };
