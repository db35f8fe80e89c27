/**
 * Where things live inside an action's exec root. Every path here is relative and fixed, so that
 * action keys never depend on where the workspace or the SDK is on disk.
 */
export const EXEC_ROOT = {
  /** The Go SDK's files (std sources, pkg/include) are exposed under this prefix. */
  goroot: 'external/go_sdk',
  /** Per-action object directory (cmd/go's `$WORK/bNNN/`); rewritten away by -trimpath. */
  objdir: '_obj',
  /** A dependency's link object (`compile -linkobj`, assembly appended), as links read it. */
  archive: (importPath: string): string => `_pkg/${importPath}.a`,
  /** A dependency's export data (`compile -o`), as the compiles of its importers read it. */
  exportData: (importPath: string): string => `_pkg/${importPath}.x`,
  /** The preprocessed (or, for Go ≤ 1.22, raw) PGO profile of the configuration. */
  profile: '_pgo/profile',
} as const;

/** `${EXECROOT}/<rel>`: an absolute path inside the exec root, expanded when the action runs. */
export function inExecRoot(rel: string): string {
  return rel === '' ? '${EXECROOT}' : `\${EXECROOT}/${rel}`;
}

/**
 * `name` inside the package directory `dir` (workspace- or exec-root-relative), where `dir` is ''
 * for the package in the workspace root: never a leading `/`.
 */
export function inPackageDir(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}
