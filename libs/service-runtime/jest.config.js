module.exports = { ...require('../../jest.preset'), displayName: 'service-runtime', rootDir: __dirname };
