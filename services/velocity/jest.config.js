module.exports = { ...require('../../jest.preset'), displayName: 'velocity', rootDir: __dirname };
