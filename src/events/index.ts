export * from './build-event';
export * from './human-logger';
export * from './json-logger';
