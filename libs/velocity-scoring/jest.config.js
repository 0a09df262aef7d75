module.exports = { ...require('../../jest.preset'), displayName: 'velocity-scoring', rootDir: __dirname };
