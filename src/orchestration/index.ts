export * from './build-runner';
export * from './explain-log';
export * from './session';
export * from './workspace-config';
export * from './pgo-resolution';
