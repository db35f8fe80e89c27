export * from './result';
export * from './unreachable';
export * from './diagnostic';
export * from './digest';
export * from './edit-distance';
export * from './atomic-write';
export * from './process';
export * from './stat-signature';
