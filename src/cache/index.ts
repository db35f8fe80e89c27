export * from './action-cache';
export * from './action-record';
export * from './action-result';
export * from './cache-stats';
export * from './disk-cache';
export * from './disk-layout';
export * from './lru-eviction';
