export * from './normalize';
export * from './minhash';
