export * from './counter-catalogue';
export * from './event-features';
export * from './list-entry';
export * from './rule-runner';
export * from './velocity-pass';
export * from './list-csv';
export * from './list-entry-dto';
export * from './list-schemas';
