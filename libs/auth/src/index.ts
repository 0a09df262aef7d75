export * from './api-keys';
export * from './tenant-key.guard';
