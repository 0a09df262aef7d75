export * from './test-stack';
export * from './wait-for';
export * from './topic-probe';
export * from './test-app';
export * from './openapi-checks';
export * from './free-port';
export * from './lua-key-guard';
export * from './chromium';
