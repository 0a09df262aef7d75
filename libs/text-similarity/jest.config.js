module.exports = { ...require('../../jest.preset'), displayName: 'text-similarity', rootDir: __dirname };
