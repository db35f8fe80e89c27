import { isInModule, modulePackageLabel } from '../modules/repo-name';
import type { ModuleContext } from './module-context';

/** Where an import resolves: a label, nothing (standard library), or a problem to report. */
export type ImportResolution =
  | { readonly kind: 'label'; readonly label: string }
  | { readonly kind: 'std' }
  | { readonly kind: 'unresolved'; readonly message: string };

/**
 * Resolves Go import paths to the labels `deps` lists, as Gazelle does with the `import` naming
 * convention: workspace packages to `//dir` (or `//dir:name`), standard-library packages to
 * nothing, packages of required modules to `@repo//dir` (the module chosen by the longest
 * module path in the importing module's `require` list, or the go.work members' lists, that is a
 * prefix of the import path).
 */
export class ImportResolver {
  /**
   * @param workspacePackages import path → label of every Go package of the workspace
   *   (whatever PATTERN selects, so imports across the workspace resolve)
   */
  constructor(
    private readonly modules: ModuleContext,
    private readonly workspacePackages: ReadonlyMap<string, string>,
  ) {}

  /** Resolves `importPath`, imported by a package in the workspace directory `fromDir`. */
  resolve(importPath: string, fromDir: string): ImportResolution {
    const local = this.workspacePackages.get(importPath);
    if (local !== undefined) return { kind: 'label', label: local };
    const first = importPath.split('/')[0] ?? '';
    // cmd/go: an import path whose first element has no dot is a standard-library package.
    if (!first.includes('.')) return { kind: 'std' };
    const module = this.modules.moduleOf(fromDir);
    if (module === undefined)
      return { kind: 'unresolved', message: `no go.mod above ${fromDir || 'the workspace root'}` };
    if (this.isWorkspaceModulePath(importPath))
      return {
        kind: 'unresolved',
        message: `no Go package in the workspace has import path ${importPath}`,
      };
    let best: string | undefined;
    for (const mod of module.requireFrom)
      for (const r of mod.require)
        if (isInModule(r.path, importPath) && (best === undefined || r.path.length > best.length))
          best = r.path;
    if (best === undefined)
      return {
        kind: 'unresolved',
        message: `no required module provides package ${importPath}; run 'go mod tidy' in ${module.dir || 'the workspace root'}`,
      };
    return { kind: 'label', label: modulePackageLabel(best, importPath) };
  }

  private isWorkspaceModulePath(importPath: string): boolean {
    return this.modules.modulePaths().some((m) => isInModule(m, importPath));
  }
}
