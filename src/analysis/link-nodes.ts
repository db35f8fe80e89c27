import * as path from 'node:path';
import { type BuildInfoModule, buildSettings } from '../go/build-info';
import { checkGodebugSetting, defaultGodebug, mainModuleGoVersion } from '../go/default-godebug';
import type { GoMod } from '../go/go-mod';
import type { GoFileInfo } from '../go/scan';
import type { ModuleContext } from '../modules';
import { type Result, err, ok } from '../util';
import { shortLabel } from '../workspace';
import type { LinkNode } from './build-graph';
import type { Configuration } from './configuration';
import { type AnalysisFailure, diagnosticFailure } from './failure';
import { gcflagsSetting, pgoNeutralizedWarning } from './gc-goopts';
import { type ReadSource, lineOf } from './go-package';
import { type GraphContext, tagsOf } from './graph-context';
import type { ImportResolver } from './import-resolution';
import { binaryLinkopts } from './link-options';
import type { ResolvedPackage } from './resolved-package';
import type { DeclaredTarget } from './rule-api';
import type { UserCompileNodes } from './user-compile-nodes';

/** What distinguishes one link (a go_binary's, a go_test's) from another. */
export interface LinkSpec {
  /** The go_binary or go_test: its build list, `x_defs` and `gc_linkopts`. */
  readonly target: DeclaredTarget;
  readonly id: string;
  readonly config: Configuration;
  readonly mainImportPath: string;
  readonly mainNodeId: string;
  /** The main package's module (build info's `mod` line; its `dep` lines are the others). */
  readonly module: GoMod | undefined;
  /** Build info's `path` line. */
  readonly buildInfoPath: string;
  readonly defaultGodebug: string;
  /** The package `x_defs` keys without an import path name (`main`, or the package under test). */
  readonly xDefsPackage: string;
  readonly stripDebug: boolean;
  /** Workspace-relative output path, for binaries; test binaries have none. */
  readonly outputPath?: string;
}

/**
 * Link nodes: one per (binary or test binary, configuration), with everything it links, its
 * build info and DefaultGODEBUG as cmd/go computes them.
 */
export class LinkNodes {
  constructor(
    private readonly ctx: GraphContext,
    private readonly resolver: ImportResolver,
    private readonly compiles: UserCompileNodes,
  ) {}

  /**
   * A go_binary in `config`: its main package's compile graph and the link. `asTool`: the binary
   * as a genrule's tool, a node of its own that is not placed under pgobuild-out/bin (the same
   * binary requested in another configuration owns that path).
   */
  async binaryNode(
    target: DeclaredTarget,
    config: Configuration,
    asTool = false,
  ): Promise<Result<string, AnalysisFailure[]>> {
    const pkg = await this.mainPackage(target, config);
    if (!pkg.ok) return pkg;
    const main = await this.compiles.compileNode(pkg.value, config);
    if (!main.ok) return main;
    return this.binaryLink(target, pkg.value, main.value, config, asTool);
  }

  /** A go_binary's package in `config`, which must be package main. */
  async mainPackage(
    target: DeclaredTarget,
    config: Configuration,
  ): Promise<Result<ResolvedPackage, AnalysisFailure[]>> {
    const pkg = await this.resolver.resolve(target, config.tags);
    if (!pkg.ok) return pkg;
    if (pkg.value.sources.packageName !== 'main') {
      const first = pkg.value.sources.goFiles[0] as ReadSource;
      const span = (first.info as GoFileInfo).packageSpan;
      return err([
        diagnosticFailure('go-source', {
          severity: 'error',
          span,
          message: `go_binary ${shortLabel(target)} must be package main, not package ${pkg.value.sources.packageName}`,
          sourceLine: lineOf(first.text, span.line),
        }),
      ]);
    }
    return pkg;
  }

  /** The link of a go_binary whose main package `pkg` is compiled by node `mainNodeId`. */
  async binaryLink(
    target: DeclaredTarget,
    pkg: ResolvedPackage,
    mainNodeId: string,
    config: Configuration,
    asTool = false,
  ): Promise<Result<string, AnalysisFailure[]>> {
    const id = `link:${pkg.label}@${config.id}${asTool ? ' tool' : ''}`;
    if (this.ctx.nodes.has(id)) return ok(id);
    if (config.pgo !== undefined) {
      const neutralized = pgoNeutralizedWarning(this.ctx.options.gcflags, target, config.pgo.file);
      if (neutralized !== undefined) this.ctx.warnings.push(neutralized);
    }
    const mod = pkg.module;
    const directives = pkg.sources.goFiles.flatMap((f) => (f.info as GoFileInfo).goDebug);
    const defaults = this.defaultGodebugFor(target, mod, directives);
    if (!defaults.ok) return defaults;
    return this.linkNode({
      target,
      id,
      config,
      mainImportPath: pkg.importPath,
      mainNodeId,
      module: mod,
      buildInfoPath: pkg.importPath,
      defaultGodebug: defaults.value,
      xDefsPackage: 'main',
      stripDebug: false,
      outputPath: asTool
        ? undefined
        : path.posix.join('pgobuild-out', 'bin', target.pkg, target.name),
    });
  }

  /** The link node of `spec`, linking everything its main package's node reaches. */
  async linkNode(spec: LinkSpec): Promise<Result<string, AnalysisFailure[]>> {
    const { target, config } = spec;
    const p = config.platform;
    const options = this.ctx.options;
    const linked = this.transitiveDeps(spec.mainNodeId);
    const depModules = await this.buildInfoDeps(target, spec.module?.modulePath, linked);
    if (!depModules.ok) return depModules;
    const ldflags = binaryLinkopts(
      options.linkopts,
      target,
      spec.xDefsPackage,
      options.stampValues,
    );
    if (!ldflags.ok) return err([diagnosticFailure('bad-attribute', ldflags.failure)]);
    const mod = spec.module;
    const node: LinkNode = {
      kind: 'link',
      id: spec.id,
      owner: shortLabel(target),
      config,
      mainImportPath: spec.mainImportPath,
      mainNodeId: spec.mainNodeId,
      deps: linked,
      buildInfo: {
        path: spec.buildInfoPath,
        mainModule:
          mod === undefined ? undefined : { path: mod.modulePath, version: '(devel)', sum: '' },
        deps: depModules.value,
        settings: buildSettings({
          goMinor: this.ctx.std.sdk.minor,
          goos: p.goos,
          goarch: p.goarch,
          archEnv: p.archEnv === undefined ? undefined : [p.archEnv, p.archLevel],
          cgoEnabled: p.cgoEnabled,
          defaultGodebug: spec.defaultGodebug,
          pgo: config.pgo?.basename,
          gcflags: gcflagsSetting(options.gcflags, target),
          tags: tagsOf(this.ctx, config),
        }),
      },
      defaultGodebug: spec.defaultGodebug,
      stripDebug: spec.stripDebug,
      ldflags: ldflags.value,
      ...(spec.outputPath === undefined ? {} : { outputPath: spec.outputPath }),
    };
    this.ctx.nodes.set(spec.id, node);
    return ok(spec.id);
  }

  /**
   * The DefaultGODEBUG of a main package (or test main) of `target`'s module with `directives`
   * (cmd/go `defaultGODEBUG`): the go.work or go.mod `godebug` lines, whose keys are checked as
   * cmd/go checks them when it loads the file (an unknown key stops every build of the module).
   */
  defaultGodebugFor(
    target: DeclaredTarget,
    mod: GoMod | undefined,
    directives: readonly { readonly key: string; readonly value: string }[],
  ): Result<string, AnalysisFailure[]> {
    const sdk = this.ctx.std.sdk;
    const source = this.ctx.modules.goWorkFor(target.pkg) ?? mod;
    const failures: AnalysisFailure[] = [];
    for (const line of source?.godebug ?? []) {
      const problem = checkGodebugSetting(sdk.goroot, sdk.version, 'godebug', line.key, line.value);
      if (problem !== undefined)
        failures.push(
          diagnosticFailure('go-mod', {
            severity: 'error',
            span: line.span,
            message: problem,
            sourceLine: '',
          }),
        );
    }
    if (failures.length > 0) return err(failures);
    return ok(
      defaultGodebug(
        sdk.goroot,
        mainModuleGoVersion(source, sdk.version),
        source?.godebug ?? [],
        directives,
      ),
    );
  }

  /**
   * The `dep` lines of a binary's build info: the module of every linked package other than the
   * binary's main module, sorted by path (cmd/go `setBuildInfo`). A workspace package of another
   * module is, in the binary's build list, a go.work module (`(devel)`) or a directory
   * replacement (`=> ../dir (devel)`).
   */
  private async buildInfoDeps(
    binary: DeclaredTarget,
    mainModule: string | undefined,
    linked: readonly { readonly nodeId: string }[],
  ): Promise<Result<BuildInfoModule[], AnalysisFailure[]>> {
    const byPath = new Map<string, BuildInfoModule>();
    let ctx: ModuleContext | undefined;
    for (const { nodeId } of linked) {
      const node = this.ctx.nodes.get(nodeId);
      const m = node?.kind === 'compile' ? node.module : undefined;
      if (m === undefined || m.path === mainModule || byPath.has(m.path)) continue;
      if (m.buildInfo !== undefined) {
        byPath.set(m.path, m.buildInfo);
        continue;
      }
      if (ctx === undefined) {
        const loaded = await this.ctx.modules.contextFor(binary.pkg);
        if (!loaded.ok) return err([loaded.failure]);
        ctx = loaded.value;
      }
      const listed = ctx?.modules.get(m.path);
      const replace = listed?.replace;
      byPath.set(
        m.path,
        replace !== undefined && replace.version === undefined && listed !== undefined
          ? {
              path: m.path,
              version: listed.version ?? '(devel)',
              sum: '',
              replace: { path: replace.path, version: '(devel)', sum: '' },
            }
          : { path: m.path, version: '(devel)', sum: '' },
      );
    }
    return ok(
      [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    );
  }

  /** Every compile node reachable from `start` (excluding it), by import path. */
  private transitiveDeps(start: string): { importPath: string; nodeId: string }[] {
    const seen = new Map<string, string>();
    const visit = (id: string): void => {
      const node = this.ctx.nodes.get(id);
      if (node?.kind !== 'compile') return;
      for (const dep of node.deps) {
        if (seen.has(dep.importPath)) continue;
        seen.set(dep.importPath, dep.nodeId);
        visit(dep.nodeId);
      }
    };
    visit(start);
    return [...seen]
      .map(([importPath, nodeId]) => ({ importPath, nodeId }))
      .sort((a, b) => (a.importPath < b.importPath ? -1 : 1));
  }
}
