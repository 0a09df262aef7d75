export * from './generator/random';
export * from './generator/labels';
export * from './generator/timeline';
export * from './generator/patterns';
export * from './generator/simulate';
export * from './generator/ndjson';
