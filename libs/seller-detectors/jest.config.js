module.exports = { ...require('../../jest.preset'), displayName: 'seller-detectors', rootDir: __dirname };
