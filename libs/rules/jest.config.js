module.exports = { ...require('../../jest.preset'), displayName: 'rules', rootDir: __dirname };
