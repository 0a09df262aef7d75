export * from './window-math';
export * from './counters-engine';
export * from './baseline';
