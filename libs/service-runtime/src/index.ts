export * from './tokens';
export * from './service-runtime.module';
export * from './bootstrap';
export * from './health.controller';
export * from './consumer-group';
export * from './stack-status';
export * from './api-docs';
