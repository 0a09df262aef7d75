module.exports = { ...require('../../jest.preset'), displayName: 'signature', rootDir: __dirname };
