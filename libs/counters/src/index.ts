export * from './window-math';
export * from './counters-engine';
export * from './baseline';
// The script itself, for tools that measure it (test/bench/counters-ablation.bench.ts).
export { COUNTERS_LUA, COUNTERS_SCRIPT_NAME } from './counters.lua';
