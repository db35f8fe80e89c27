// Labels, target patterns, package discovery and glob: how pgobuild names and finds things in a
// workspace. Everything here follows Bazel's semantics unless a JSDoc says otherwise.
export { type Label, type LabelParts, parseLabel, labelOf, labelParts, shortLabel } from './label';
export { type LabelError, LABEL_FORMS, PATTERN_FORMS } from './label-error';
export { validatePackageName, validateTargetName } from './name-validation';
export { type TargetPattern, parseTargetPattern } from './target-pattern';
export { WORKSPACE_MARKERS, findWorkspaceRoot, workspaceRelative } from './workspace-root';
export { BUILD_FILE_NAMES, buildFileOf } from './build-file';
export { IGNORE_FILE, parseIgnoreFile, loadIgnoreList, isIgnoredPath } from './ignore-list';
export { discoverPackages, isSkippedByDiscovery } from './package-discovery';
export { type GlobError, glob } from './glob';
export { nearestName, editDistance } from './nearest-name';
