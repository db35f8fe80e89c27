// `pgobuild generate`: BUILD files from Go sources, the way Gazelle writes them for rules_go.
export * from './buildifier-format';
export * from './generate-workspace';
export * from './generated-rules';
export * from './go-directory';
export * from './import-resolver';
export * from './merge-build-file';
export * from './module-context';
