module.exports = { ...require('../../jest.preset'), displayName: 'counters', rootDir: __dirname };
