import type { ModuleContext } from '../modules';
import { type Result, err, ok } from '../util';
import { labelOf } from '../workspace';
import type { AnalysisFailure } from './failure';
import { internalImportAllowed, internalImportMessage } from './internal-imports';
import type { ImportSite, ModulePackage, ModulePackages } from './module-packages';
import type { ResolvedPackage } from './resolved-package';
import type { RuleDefinition } from './rule-api';

/**
 * Resolves module packages into {@link ResolvedPackage}s: first the whole import closure is
 * loaded concurrently (so the modules it needs download in parallel), then the package graph is
 * assembled depth-first, where import cycles and internal-package violations are found.
 */
export class ModuleResolution {
  private readonly resolved = new Map<string, ResolvedPackage>();

  constructor(
    private readonly modules: ModulePackages,
    private readonly isStandard: (importPath: string) => boolean,
    private readonly libraryRule: RuleDefinition,
  ) {}

  /**
   * The module package `importPath` of `ctx`'s build list and everything it imports, with files
   * selected by `tags` (a configuration's `gotags` transition; undefined: `--gotags`).
   */
  async resolve(
    ctx: ModuleContext,
    importPath: string,
    site: ImportSite | undefined,
    tags?: readonly string[],
  ): Promise<Result<ResolvedPackage, AnalysisFailure[]>> {
    const done = this.resolved.get(keyOf(ctx, importPath, tags));
    if (done !== undefined) return ok(done);
    const loaded = await this.loadClosure(ctx, importPath, site, tags);
    if (!loaded.ok) return loaded;
    return this.assemble(ctx, importPath, loaded.value, [], tags);
  }

  private async loadClosure(
    ctx: ModuleContext,
    root: string,
    site: ImportSite | undefined,
    tags: readonly string[] | undefined,
  ): Promise<Result<Map<string, ModulePackage>, AnalysisFailure[]>> {
    const loaded = new Map<string, ModulePackage>();
    const failures: AnalysisFailure[] = [];
    const queued = new Set([root]);
    let frontier: { path: string; site: ImportSite | undefined }[] = [{ path: root, site }];
    while (frontier.length > 0) {
      const results = await Promise.all(
        frontier.map((f) => this.modules.load(ctx, f.path, f.site, tags)),
      );
      const next: typeof frontier = [];
      for (const r of results) {
        if (!r.ok) {
          if (!failures.includes(r.failure)) failures.push(r.failure);
          continue;
        }
        loaded.set(r.value.importPath, r.value);
        for (const imp of r.value.imports) {
          if (queued.has(imp.path) || this.isStandard(imp.path)) continue;
          if (this.resolved.has(keyOf(ctx, imp.path, tags))) continue;
          queued.add(imp.path);
          next.push({ path: imp.path, site: imp });
        }
      }
      frontier = next;
    }
    return failures.length > 0 ? err(failures) : ok(loaded);
  }

  private assemble(
    ctx: ModuleContext,
    importPath: string,
    loaded: ReadonlyMap<string, ModulePackage>,
    stack: readonly string[],
    tags: readonly string[] | undefined,
  ): Result<ResolvedPackage, AnalysisFailure[]> {
    const key = keyOf(ctx, importPath, tags);
    const done = this.resolved.get(key);
    if (done !== undefined) return ok(done);
    const pkg = loaded.get(importPath);
    if (pkg === undefined)
      throw new Error(`module package ${importPath} was not loaded before assembly`);
    const here = [...stack, importPath];
    const imports = new Map<string, ResolvedPackage | undefined>();
    const failures: AnalysisFailure[] = [];
    for (const imp of pkg.imports) {
      const fail = (reason: AnalysisFailure['reason'], message: string): void => {
        failures.push({
          reason,
          message,
          diagnostic: { severity: 'error', span: imp.span, message, sourceLine: imp.sourceLine },
        });
      };
      const standard = this.isStandard(imp.path);
      if (!internalImportAllowed(importPath, imp.path, false)) {
        fail('internal-import', `${internalImportMessage(imp.path)} (imported by ${importPath})`);
        continue;
      }
      if (standard) {
        imports.set(imp.path, undefined);
        continue;
      }
      if (here.includes(imp.path)) {
        const cycle = [...here.slice(here.indexOf(imp.path)), imp.path];
        fail('import-cycle', `import cycle not allowed: ${cycle.join(' → ')}`);
        continue;
      }
      const dep = this.assemble(ctx, imp.path, loaded, here, tags);
      if (!dep.ok) failures.push(...dep.failure);
      else imports.set(imp.path, dep.value);
    }
    if (failures.length > 0) return err(failures);
    const resolved: ResolvedPackage = {
      target: {
        rule: this.libraryRule,
        pkg: pkg.label.pkg,
        name: pkg.label.name,
        repo: pkg.label.repo,
        span: { file: pkg.sources.goFiles[0]?.display ?? importPath, line: 1, col: 1, endCol: 2 },
        attrs: new Map(),
        external: { contextFile: ctx.file, importPath },
      },
      label: labelOf(pkg.label),
      importPath,
      sources: pkg.sources,
      imports,
      fromModule: pkg,
    };
    this.resolved.set(key, resolved);
    return ok(resolved);
  }
}

function keyOf(
  ctx: ModuleContext,
  importPath: string,
  tags: readonly string[] | undefined,
): string {
  return tags === undefined
    ? `${ctx.file}\0${importPath}`
    : `${ctx.file}\0${importPath}\0tags=${tags.join(',')}`;
}
