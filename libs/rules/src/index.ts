export * from './rule-definition';
export * from './rules-file';
export * from './evaluate';
export * from './rules-watcher';
export * from './rule-changes';
