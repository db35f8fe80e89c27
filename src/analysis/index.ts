export * from './build-graph';
export * from './configuration';
export * from './failure';
export * from './graph-builder';
export * from './package-loader';
export * from './rule-api';
export { SourceScanCache, type ScanCacheStats } from './source-scan-cache';
export * from './target-patterns';
