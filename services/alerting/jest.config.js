module.exports = { ...require('../../jest.preset'), displayName: 'alerting', rootDir: __dirname };
