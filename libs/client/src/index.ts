export * from './vigil-client';
