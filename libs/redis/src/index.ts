export * from './redis.options';
export * from './redis-client';
export * from './redis-keys';
export * from './redis-scripts';
export * from './redis.health';
export * from './redis.module';
export * from './redis-batch';
