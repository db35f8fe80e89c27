// Go modules: the build list cmd/go selects (go.mod, go.sum, go.work, vendor/), fetching and
// verifying module content, and the Gazelle/rules_go names of module repositories and packages.
export * from './build-list';
export * from './dirhash';
export * from './go-command';
export * from './module-cache-path';
export * from './module-fetcher';
export * from './repo-name';
export * from './vendor-modules';
