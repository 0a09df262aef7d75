export * from './load-config';
export * from './runtime-config';
export * from './demo-secrets';
export * from './kafka-security';
