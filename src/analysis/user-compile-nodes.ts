import type { GoSdk } from '../../toolchain';
import type { BuildInfoModule } from '../go/build-info';
import { compareGoVersions, langVersion } from '../go/go-mod';
import { type Result, ok } from '../util';
import { shortLabel } from '../workspace';
import type { CompileNode } from './build-graph';
import type { Configuration } from './configuration';
import type { AnalysisFailure } from './failure';
import { packageGcflags } from './gc-goopts';
import type { GraphContext } from './graph-context';
import type { ModulePackage } from './module-packages';
import type { ResolvedPackage } from './resolved-package';
import type { StdNodes } from './std-nodes';

/**
 * A package compiled as another package than itself: the package under test recompiled with its
 * internal _test.go files, or the external `_test` package. `suffix` keeps its node apart from
 * the library's; `overrides` replaces the nodes of some imports (the external test package
 * imports the recompiled package under test).
 */
export interface CompileVariant {
  readonly suffix: string;
  readonly packagePath: string;
  readonly overrides: ReadonlyMap<string, string>;
}

/** `-lang` for a package of a module whose go.mod says `go <goVersion>` (1.16 when absent). */
export function langFor(
  sdk: GoSdk,
  module: { readonly goVersion?: string } | undefined,
): string | undefined {
  const toolchain = sdk.version.replace(/^go/, '');
  if (module !== undefined) {
    const v = module.goVersion ?? '1.16';
    if (compareGoVersions(v, toolchain) <= 0) return langVersion(v);
    return sdk.minor >= 23 ? langVersion(toolchain) : undefined;
  }
  return sdk.minor >= 23 ? langVersion(toolchain) : undefined;
}

/**
 * Compile nodes of workspace and module packages: one per (package, the build list's version of
 * it, variant, configuration), each depending on the nodes of what it imports.
 */
export class UserCompileNodes {
  constructor(
    private readonly ctx: GraphContext,
    private readonly std: StdNodes,
  ) {}

  /**
   * The node compiling `pkg` (and, first, what it imports) in `config`. `root`: the package whose
   * build list this graph is built in (the binary, test or library asked for).
   */
  async compileNode(
    pkg: ResolvedPackage,
    config: Configuration,
    variant?: CompileVariant,
    root: ResolvedPackage = pkg,
  ): Promise<Result<string, AnalysisFailure[]>> {
    const fromModule = pkg.fromModule;
    const trimpath = fromModule?.trimpath ?? (await this.replacedModuleTrimpath(pkg, root));
    // Two build lists may select different versions of one module package, or compile a workspace
    // package as a replaced module's (another -trimpath).
    const version =
      fromModule !== undefined
        ? `@${fromModule.module.version ?? fromModule.context.file}`
        : trimpath !== undefined
          ? ` as ${trimpath}`
          : '';
    const id = `compile:${pkg.label}${version}${variant?.suffix ?? ''}@${config.id}`;
    if (this.ctx.nodes.has(id)) return ok(id);
    const deps: { importPath: string; nodeId: string }[] = [];
    for (const [importPath, dep] of pkg.imports) {
      if (importPath === 'unsafe') continue;
      const override = variant?.overrides.get(importPath);
      if (override !== undefined) {
        deps.push({ importPath, nodeId: override });
        continue;
      }
      const nodeId =
        dep === undefined
          ? await this.std.compileNode(importPath, config)
          : await this.compileNode(dep, config, undefined, root);
      if (!nodeId.ok) return nodeId;
      deps.push({ importPath, nodeId: nodeId.value });
    }
    const isMain = pkg.sources.packageName === 'main' && variant === undefined;
    if (isMain && !pkg.imports.has('runtime')) {
      const runtime = await this.std.compileNode('runtime', config);
      if (!runtime.ok) return runtime;
      deps.push({ importPath: 'runtime', nodeId: runtime.value });
    }
    deps.sort((a, b) => (a.importPath < b.importPath ? -1 : a.importPath > b.importPath ? 1 : 0));
    const node: CompileNode = {
      kind: 'compile',
      id,
      owner: shortLabel(pkg.target) + (variant?.suffix ?? ''),
      config,
      unit: {
        importPath: variant?.packagePath ?? pkg.importPath,
        packagePath: variant?.packagePath ?? (isMain ? 'main' : pkg.importPath),
        standard: false,
        dir: fromModule?.execDir ?? pkg.target.pkg,
        trimpath,
        goFiles: pkg.sources.goFiles,
        sFiles: pkg.sources.sFiles,
        hFiles: pkg.sources.hFiles,
        embed: pkg.sources.embed,
        importMap: [],
        lang: langFor(this.ctx.std.sdk, fromModule === undefined ? pkg.module : fromModule.module),
        gcflags: packageGcflags(
          this.ctx.options.gcflags,
          fromModule === undefined ? pkg.target : undefined,
        ),
      },
      deps,
      module:
        fromModule !== undefined
          ? { path: fromModule.module.path, buildInfo: moduleBuildInfo(fromModule) }
          : pkg.module !== undefined
            ? { path: pkg.module.modulePath }
            : undefined,
    };
    this.ctx.nodes.set(id, node);
    return ok(id);
  }

  /**
   * cmd/go's `-trimpath` rewrite for a workspace package of another module that the root's build
   * list replaces with its directory: `module@version/dir` (undefined: the import path).
   */
  private async replacedModuleTrimpath(
    pkg: ResolvedPackage,
    root: ResolvedPackage,
  ): Promise<string | undefined> {
    const own = pkg.module;
    if (pkg.fromModule !== undefined || own === undefined || root.module === undefined)
      return undefined;
    if (own.modulePath === root.module.modulePath) return undefined;
    const ctx = await this.ctx.modules.contextFor(root.target.pkg);
    if (!ctx.ok || ctx.value === undefined) return undefined;
    const listed = ctx.value.modules.get(own.modulePath);
    if (listed === undefined || listed.main || listed.version === undefined) return undefined;
    return `${listed.path}@${listed.version}${pkg.importPath.slice(listed.path.length)}`;
  }
}

/** How build info records the module a module package comes from (cmd/go `debugModFromModinfo`). */
function moduleBuildInfo(pkg: ModulePackage): BuildInfoModule {
  const mod = pkg.module;
  const vendored = pkg.context.vendorDir !== undefined;
  const version = mod.version ?? '(devel)';
  if (mod.replace === undefined)
    return { path: mod.path, version, sum: vendored ? '' : (pkg.content.fetched?.sum ?? '') };
  const replacement: BuildInfoModule = {
    path: mod.replace.path,
    version: mod.replace.version ?? '(devel)',
    sum: vendored || mod.replace.version === undefined ? '' : (pkg.content.fetched?.sum ?? ''),
  };
  return { path: mod.path, version, sum: '', replace: replacement };
}
