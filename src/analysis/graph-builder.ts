import * as fs from 'node:fs';
import * as path from 'node:path';
import { type BuildInfoModule, buildSettings } from '../go/build-info';
import type { SourceFile } from '../go/compile-action';
import { checkGodebugSetting, defaultGodebug, mainModuleGoVersion } from '../go/default-godebug';
import { EXEC_ROOT, inPackageDir } from '../go/exec-root';
import { testBinaryName } from '../go/test-run-action';
import { type GoMod, compareGoVersions, langVersion } from '../go/go-mod';
import {
  type BuildContext,
  type GoFileInfo,
  type TestFunctions,
  checkGoDebugDirectives,
  combineTestFunctions,
  findTestFunctions,
  generateTestMain,
  scanGoFile,
} from '../go/scan';
import type { FileDigester } from '../hashing';
import {
  type GoCommandContext,
  type ModuleContext,
  type ModuleFetcher,
  modulePackageLabel,
  modulesProviding,
} from '../modules';
import { type Diagnostic, type Result, err, ok, unreachable } from '../util';
import { labelOf, nearestName, parseLabel, shortLabel } from '../workspace';
import type {
  BuildGraph,
  BuildNode,
  CompileNode,
  LinkNode,
  StdContext,
  TestRunNode,
  TestRunOptions,
} from './build-graph';
import type { Configuration } from './configuration';
import { ResolutionPath, dependencyCycleFailure, testImportCycle } from './dependency-cycle';
import { type AnalysisFailure, diagnosticFailure } from './failure';
import {
  type ReadSource,
  SourceReader,
  assemblePackage,
  importPathOf,
  lineOf,
  selectSources,
} from './go-package';
import { internalImportAllowed, internalImportMessage } from './internal-imports';
import { type ModulePackage, ModulePackages, noModuleMessage } from './module-packages';
import { ModuleResolution } from './module-resolution';
import type { PackageLoader } from './package-loader';
import type { ResolvedPackage } from './resolved-package';
import { testDataFiles } from './test-data';
import { type DeclaredTarget, listAttr } from './rule-api';
import { gcflagsSetting, packageGcflags, pgoNeutralizedWarning } from './gc-goopts';
import { type StampValues, binaryLinkopts } from './link-options';

/** How a configuration is chosen for a binary (PGO resolution plugs in here). */
export type ConfigForBinary = (
  binary: DeclaredTarget,
) => Promise<Result<Configuration, AnalysisFailure>>;

/**
 * Turns declared targets into the action graph: one compile node per (package, configuration),
 * standard library included, one link node per binary, one run node per test. Nodes are shared
 * whenever package and configuration are equal, so a library reached by two binaries with the same
 * configuration is compiled once.
 */
export class GraphBuilder {
  private readonly nodes = new Map<string, BuildNode>();
  private readonly resolved = new Map<
    string,
    Promise<Result<ResolvedPackage, AnalysisFailure[]>>
  >();
  readonly warnings: Diagnostic[] = [];
  /** `--gc_goopts`: flags for every compile (set by the session before analysis). */
  globalGcflags: readonly string[] = [];
  /** `--gotags`: build tags that select files by build constraints, as `go build -tags`. */
  globalTags: readonly string[] = [];
  /** `--linkopt`: extra linker flags for every binary, as `go build -ldflags`. */
  globalLinkopts: readonly string[] = [];
  /** `--stamp`: the `--workspace_status_command` values `{KEY}` in `x_defs` stands for. */
  stampValues: StampValues = undefined;
  /** Headers found per std package directory (the same for every configuration). */
  private readonly headersByDir = new Map<string, Promise<SourceFile[]>>();
  private readonly reader: SourceReader;
  /** Packages of required modules (implicit `@repo//dir:name` targets). */
  readonly modules: ModulePackages;
  private readonly moduleResolution: ModuleResolution;

  constructor(
    private readonly root: string,
    private readonly loader: PackageLoader,
    private readonly std: StdContext,
    private readonly digester: FileDigester,
    private readonly defaultConfig: Configuration,
    moduleTools: { readonly go: GoCommandContext; readonly fetcher: ModuleFetcher },
  ) {
    this.reader = new SourceReader(root);
    const libraryRule = loader.ruleNamed('go_library');
    this.modules = new ModulePackages({
      root,
      reader: this.reader,
      go: moduleTools.go,
      fetcher: moduleTools.fetcher,
      digest: (absPath) => this.digester.digest(absPath),
      buildContext: () => this.buildContext(),
      libraryRule,
    });
    this.moduleResolution = new ModuleResolution(
      this.modules,
      (importPath) => this.isStandardImport(importPath),
      libraryRule,
    );
  }

  /** Adds a warning unless the same one (a package resolved twice, e.g. for its test) is there. */
  private warnOnce(d: Diagnostic): void {
    const same = (w: Diagnostic): boolean =>
      w.message === d.message && w.span.file === d.span.file && w.span.line === d.span.line;
    if (!this.warnings.some(same)) this.warnings.push(d);
  }

  /** Whether `importPath` names a standard-library package (std's vendored copies excepted). */
  private isStandardImport(importPath: string): boolean {
    return this.std.stdlib.has(importPath) && !importPath.startsWith('vendor/');
  }

  /**
   * Builds the graph for `targets`; `tests` (the `test` command) adds a run node per go_test, run
   * with those options.
   */
  async build(
    targets: readonly DeclaredTarget[],
    configFor: ConfigForBinary,
    tests: TestRunOptions | undefined,
  ): Promise<Result<BuildGraph, AnalysisFailure[]>> {
    const roots: string[] = [];
    const failures: AnalysisFailure[] = [];
    for (const target of targets) {
      const result = await this.rootFor(target, configFor, tests);
      if (result.ok) roots.push(result.value);
      // A library's failures reach every target that depends on it: report each once.
      else failures.push(...result.failure.filter((f) => !failures.includes(f)));
    }
    if (failures.length > 0) return err(failures);
    return ok({ nodes: this.nodes, roots });
  }

  private async rootFor(
    target: DeclaredTarget,
    configFor: ConfigForBinary,
    tests: TestRunOptions | undefined,
  ): Promise<Result<string, AnalysisFailure[]>> {
    switch (target.rule.name) {
      case 'go_library': {
        const pkg = await this.resolve(target);
        if (!pkg.ok) return pkg;
        return this.userCompileNode(pkg.value, this.defaultConfig);
      }
      case 'go_binary': {
        const config = await configFor(target);
        if (!config.ok) return err([config.failure]);
        return this.binaryNode(target, config.value);
      }
      case 'go_test': {
        // As `go test`: only the test of a main package that has a profile uses it.
        let config = this.defaultConfig;
        const first = listAttr(target, 'embed')[0];
        if (first !== undefined) {
          const underTest = await this.findTarget(first.value, target.pkg, first.span);
          const binary = underTest.ok ? await this.binaryOf(underTest.value) : undefined;
          if (binary !== undefined) {
            const c = await configFor(binary);
            if (!c.ok) return err([c.failure]);
            config = c.value;
          }
        }
        const link = await this.testBinaryNode(target, config);
        if (!link.ok || tests === undefined) return link;
        return this.testRunNode(target, link.value, config, tests);
      }
      default:
        return unreachable(target.rule.name);
    }
  }

  /**
   * The go_binary whose main package a test's embedded target is: the target itself, or (as
   * Gazelle lays out a command) the go_binary of the same package that embeds this go_library,
   * recognised by containing all of its sources.
   */
  private async binaryOf(underTest: DeclaredTarget): Promise<DeclaredTarget | undefined> {
    if (underTest.rule.name === 'go_binary') return underTest;
    if (underTest.rule.name !== 'go_library' || underTest.repo !== undefined) return undefined;
    const libSrcs = listAttr(underTest, 'srcs').map((s) => s.value);
    if (libSrcs.length === 0) return undefined;
    const pkg = await this.loader.load(underTest.pkg);
    if (!pkg.ok || pkg.value === undefined) return undefined;
    return [...pkg.value.targets.values()].find((t) => {
      if (t.rule.name !== 'go_binary') return false;
      const srcs = new Set(listAttr(t, 'srcs').map((s) => s.value));
      return libSrcs.every((s) => srcs.has(s));
    });
  }

  // ---------------------------------------------------------------- package resolution

  /** `chain`: the resolutions in progress that lead here (see ResolutionPath), ending at `target`. */
  private resolve(
    target: DeclaredTarget,
    chain = ResolutionPath.startingAt(target),
  ): Promise<Result<ResolvedPackage, AnalysisFailure[]>> {
    const key = labelOf(target);
    let pending = this.resolved.get(key);
    if (pending === undefined && target.external !== undefined) {
      pending = this.resolveModuleTarget(target, target.external);
      this.resolved.set(`${target.external.contextFile}\0${key}`, pending);
      return pending;
    }
    if (pending === undefined) {
      pending = this.resolveUncached(target, [], 'library', undefined, undefined, chain);
      this.resolved.set(key, pending);
    }
    return pending;
  }

  /** A module package named by a label, with everything it imports. */
  private async resolveModuleTarget(
    target: DeclaredTarget,
    external: NonNullable<DeclaredTarget['external']>,
  ): Promise<Result<ResolvedPackage, AnalysisFailure[]>> {
    const ctx = await this.modules.loadedContext(external.contextFile);
    if (ctx === undefined)
      throw new Error(`build list ${external.contextFile} not loaded before its target`);
    if (!ctx.ok) return err([ctx.failure]);
    return this.moduleResolution.resolve(ctx.value, external.importPath, {
      span: target.span,
      sourceLine: '',
    });
  }

  /** Resolves a target's (or, for tests, a set of files') imports against deps and the std library. */
  private async resolveUncached(
    target: DeclaredTarget,
    extraDeps: readonly DeclaredTarget[],
    role: 'library' | 'test',
    preselected?: readonly ReadSource[],
    /** For an external test package: the package under test, which it may import without a dep. */
    underTest?: ResolvedPackage,
    chain = ResolutionPath.EMPTY,
  ): Promise<Result<ResolvedPackage, AnalysisFailure[]>> {
    const importPath = await importPathOf(target, this.reader);
    if (!importPath.ok) return err([importPath.failure]);
    let files: readonly ReadSource[];
    if (preselected !== undefined) files = preselected;
    else {
      const selected = await selectSources(target, role, this.buildContext(), this.reader);
      if (!selected.ok) return err([selected.failure]);
      files = selected.value;
    }
    const sources = await assemblePackage(target, files, extraDeps, this.reader, (d) =>
      this.warnOnce(d),
    );
    if (!sources.ok) return err([sources.failure]);
    // cmd/go's checkDirectives, for every package it compiles (a test variant with its _test.go
    // files): malformed, unknown, removed or repeated //go:debug keys stop the build.
    const badDirectives = checkGoDebugDirectives(
      sources.value.goFiles.flatMap((f) => (f.info === undefined ? [] : [f.info])),
      (key, value) =>
        checkGodebugSetting(
          this.std.sdk.goroot,
          this.std.sdk.version,
          '//go:debug setting',
          key,
          value,
        ),
    );
    if (badDirectives.length > 0)
      return err(badDirectives.map((d) => diagnosticFailure('go-source', d)));
    const deps = await this.resolveDeps([target, ...extraDeps], chain);
    if (!deps.ok) return deps;
    const imports = new Map<string, ResolvedPackage | undefined>();
    const failures: AnalysisFailure[] = [];
    const used = new Set<string>();
    for (const file of sources.value.goFiles) {
      for (const imp of (file.info as GoFileInfo).imports) {
        if (imports.has(imp.path)) continue;
        const dep =
          underTest?.importPath === imp.path ? { pkg: underTest } : deps.value.get(imp.path);
        const internalAllowed = internalImportAllowed(importPath.value.importPath, imp.path, false);
        if ((dep !== undefined || this.isStandardImport(imp.path)) && !internalAllowed) {
          if (dep !== undefined) used.add(imp.path);
          failures.push(
            diagnosticFailure('internal-import', {
              severity: 'error',
              span: imp.span,
              message: internalImportMessage(imp.path),
              sourceLine: lineOf(file.text, imp.span.line),
            }),
          );
        } else if (dep !== undefined) {
          used.add(imp.path);
          const required = await this.requiredModuleProblem(
            target,
            importPath.value.module,
            dep.pkg,
          );
          if (required !== undefined)
            failures.push(
              diagnosticFailure('missing-module', {
                severity: 'error',
                span: imp.span,
                message: required,
                sourceLine: lineOf(file.text, imp.span.line),
              }),
            );
          else imports.set(imp.path, dep.pkg);
        } else if (this.isStandardImport(imp.path)) {
          imports.set(imp.path, undefined);
        } else if (imp.path === 'C') {
          failures.push(
            diagnosticFailure('go-source', {
              severity: 'error',
              span: imp.span,
              message: 'import "C" (cgo) is not supported yet: pgobuild builds with CGO_ENABLED=0',
              sourceLine: lineOf(file.text, imp.span.line),
            }),
          );
        } else {
          const hint = await this.suggestLabelFor(imp.path, target);
          failures.push(
            diagnosticFailure('missing-dep', {
              severity: 'error',
              span: imp.span,
              message: `import "${imp.path}" is not provided by any dep of ${shortLabel(target)}${hint}`,
              sourceLine: lineOf(file.text, imp.span.line),
            }),
          );
        }
      }
    }
    if (failures.length > 0) return err(failures);
    if (role === 'library') {
      for (const [importPathOfDep, dep] of deps.value) {
        if (!used.has(importPathOfDep) && dep.declaredIn === target) {
          this.warnings.push({
            severity: 'warning',
            span: dep.span,
            message: `dep ${dep.pkg.label} (import path "${importPathOfDep}") is not imported by any source of ${shortLabel(target)}`,
            sourceLine: '',
          });
        }
      }
    }
    return ok({
      target,
      label: labelOf(target),
      importPath: importPath.value.importPath,
      module: importPath.value.module,
      sources: sources.value,
      imports,
    });
  }

  /**
   * Why cmd/go would refuse an import of workspace package `dep` from a package of module
   * `importer` (undefined when it would not): a package of another module of the workspace is
   * importable only when the importer's build list has that module as a main module (go.work) or
   * replaces it with that very directory; otherwise cmd/go uses no copy at all or another one.
   */
  private async requiredModuleProblem(
    from: DeclaredTarget,
    importer: GoMod | undefined,
    dep: ResolvedPackage,
  ): Promise<string | undefined> {
    const other = dep.module;
    if (dep.fromModule !== undefined || other === undefined || importer === undefined)
      return undefined;
    if (other.modulePath === importer.modulePath) return undefined;
    const ctx = await this.modules.contextFor(from.pkg);
    if (!ctx.ok || ctx.value === undefined) return undefined;
    const listed = ctx.value.modules.get(other.modulePath);
    const otherDir = path.join(this.root, path.posix.dirname(other.file));
    if (listed?.main === true) return undefined;
    if (listed?.localDir !== undefined && path.resolve(listed.localDir) === otherDir)
      return undefined;
    const where = `${dep.importPath} is in module ${other.modulePath} (${other.file})`;
    if (listed === undefined)
      return `no required module provides package ${dep.importPath}: ${where}, which ${ctx.value.file} does not require; add it to a go.work with this module, or require and replace it with its directory`;
    return `${where}, but ${ctx.value.file} selects ${listed.path}@${listed.version ?? ''}${listed.replace === undefined ? ' from the module cache' : ` replaced by ${listed.replace.path}`}: import it as ${modulePackageLabel(listed.path, dep.importPath)}, or replace the module with ${path.relative(ctx.value.dir, otherDir) || '.'}`;
  }

  /** The deps of targets, by the import path each provides. */
  private async resolveDeps(
    targets: readonly DeclaredTarget[],
    chain: ResolutionPath,
  ): Promise<
    Result<
      Map<string, { pkg: ResolvedPackage; span: Diagnostic['span']; declaredIn: DeclaredTarget }>,
      AnalysisFailure[]
    >
  > {
    const byImportPath = new Map<
      string,
      { pkg: ResolvedPackage; span: Diagnostic['span']; declaredIn: DeclaredTarget }
    >();
    const failures: AnalysisFailure[] = [];
    for (const target of targets) {
      for (const dep of listAttr(target, 'deps')) {
        const found = await this.findTarget(dep.value, target.pkg, dep.span);
        if (!found.ok) {
          failures.push(found.failure);
          continue;
        }
        if (found.value.rule.name !== 'go_library') {
          failures.push({
            reason: 'wrong-target-kind',
            message: `${shortLabel(found.value)} is a ${found.value.rule.name}`,
            diagnostic: {
              severity: 'error',
              span: dep.span,
              message: `deps must be go_library targets, but ${shortLabel(found.value)} is a ${found.value.rule.name}`,
              sourceLine: '',
            },
          });
          continue;
        }
        const edge = { from: target, to: found.value, attr: 'deps' as const, span: dep.span };
        const cycle = chain.cycleClosedBy(edge);
        if (cycle !== undefined) {
          failures.push(dependencyCycleFailure(cycle));
          continue;
        }
        const pkg = await this.resolve(found.value, chain.extend(edge));
        if (!pkg.ok) {
          failures.push(...pkg.failure);
          continue;
        }
        const existing = byImportPath.get(pkg.value.importPath);
        if (existing !== undefined && existing.pkg.label !== pkg.value.label) {
          failures.push({
            reason: 'import-conflict',
            message: `two deps provide "${pkg.value.importPath}"`,
            diagnostic: {
              severity: 'error',
              span: dep.span,
              message: `${pkg.value.label} and ${existing.pkg.label} both provide import path "${pkg.value.importPath}"`,
              sourceLine: '',
            },
          });
          continue;
        }
        byImportPath.set(pkg.value.importPath, {
          pkg: pkg.value,
          span: dep.span,
          declaredIn: target,
        });
      }
    }
    return failures.length > 0 ? err(failures) : ok(byImportPath);
  }

  /**
   * The module packages a module package target imports (its dependency edges, which no BUILD
   * file lists), for `query`. Resolving loads (and fetches) them.
   */
  async moduleImportsOf(
    target: DeclaredTarget,
  ): Promise<Result<DeclaredTarget[], AnalysisFailure[]>> {
    if (target.external === undefined) return ok([]);
    const pkg = await this.resolve(target);
    if (!pkg.ok) return pkg;
    return ok(
      [...pkg.value.imports.values()].flatMap((dep) => (dep === undefined ? [] : [dep.target])),
    );
  }

  /** Loads the target a label names, with "did you mean" help for unknown packages and targets. */
  async findTarget(
    text: string,
    currentPkg: string,
    span: Diagnostic['span'],
  ): Promise<Result<DeclaredTarget, AnalysisFailure>> {
    const parts = parseLabel(text, currentPkg);
    if (!parts.ok)
      return err({
        reason: 'bad-label',
        message: parts.failure.message,
        diagnostic: { severity: 'error', span, message: parts.failure.message, sourceLine: '' },
      });
    const repo = parts.value.repo;
    if (repo !== undefined)
      return this.modules.targetFor({ ...parts.value, repo }, currentPkg, span);
    const pkg = await this.loader.load(parts.value.pkg);
    if (!pkg.ok) return err(pkg.failure);
    if (pkg.value === undefined) {
      const message = `no such package '${parts.value.pkg}': no BUILD or BUILD.bazel file in ${parts.value.pkg === '' ? 'the workspace root' : parts.value.pkg}`;
      return err({
        reason: 'unknown-package',
        message,
        diagnostic: { severity: 'error', span, message, sourceLine: '' },
      });
    }
    const target = pkg.value.targets.get(parts.value.name);
    if (target === undefined) {
      const hint = nearestName(parts.value.name, pkg.value.targets.keys());
      const message = `no such target '${labelOf(parts.value)}'${hint === undefined ? '' : `; did you mean '${shortLabel({ pkg: parts.value.pkg, name: hint })}'?`}`;
      return err({
        reason: 'unknown-target',
        message,
        diagnostic: { severity: 'error', span, message, sourceLine: '' },
      });
    }
    return ok(target);
  }

  /** For a missing import inside the main module, name the package that would provide it. */
  private async suggestLabelFor(importPath: string, target: DeclaredTarget): Promise<string> {
    const mod = await this.reader.goModFor(target.pkg);
    if (!mod.ok || mod.value === undefined) return '';
    const m = mod.value;
    if (importPath !== m.modulePath && !importPath.startsWith(`${m.modulePath}/`))
      return this.suggestModuleLabelFor(importPath, target);
    const modDir = path.posix.dirname(m.file) === '.' ? '' : path.posix.dirname(m.file);
    const rel = importPath.slice(m.modulePath.length + 1);
    const pkg = [modDir, rel].filter((s) => s !== '').join('/');
    const loaded = await this.loader.load(pkg);
    if (!loaded.ok || loaded.value === undefined) return '';
    const lib = [...loaded.value.targets.values()].find((t) => t.rule.name === 'go_library');
    return lib === undefined ? '' : `; add "${shortLabel(lib)}" to deps`;
  }

  /** For a missing import outside the target's own module: the module label, or `go mod tidy`. */
  private async suggestModuleLabelFor(importPath: string, target: DeclaredTarget): Promise<string> {
    const ctx = await this.modules.contextFor(target.pkg);
    if (!ctx.ok || ctx.value === undefined) return '';
    const mod = modulesProviding(ctx.value, importPath)[0];
    if (mod === undefined) return `; ${noModuleMessage(ctx.value, importPath)}`;
    if (mod.main) {
      const goMod = ctx.value.mainGoMods.get(mod.path);
      if (goMod === undefined) return '';
      const modDir = path.posix.dirname(goMod.file) === '.' ? '' : path.posix.dirname(goMod.file);
      const rel = importPath === mod.path ? '' : importPath.slice(mod.path.length + 1);
      const pkg = [modDir, rel].filter((s) => s !== '').join('/');
      const loaded = await this.loader.load(pkg);
      if (!loaded.ok || loaded.value === undefined) return '';
      const lib = [...loaded.value.targets.values()].find((t) => t.rule.name === 'go_library');
      return lib === undefined ? '' : `; add "${shortLabel(lib)}" to deps`;
    }
    return `; add "${modulePackageLabel(mod.path, importPath)}" to deps (module ${mod.path} ${mod.version ?? ''})`;
  }

  private buildContext(): BuildContext {
    const p = this.defaultConfig.platform;
    return {
      goos: p.goos,
      goarch: p.goarch,
      goMinor: this.std.sdk.minor,
      cgoEnabled: p.cgoEnabled,
      compiler: 'gc',
      buildTags: this.globalTags,
    };
  }

  // ---------------------------------------------------------------- nodes

  /** `-lang` for a package of a module whose go.mod says `go <goVersion>` (1.16 when absent). */
  private lang(module: { readonly goVersion?: string } | undefined): string | undefined {
    const sdk = this.std.sdk;
    const toolchain = sdk.version.replace(/^go/, '');
    if (module !== undefined) {
      const v = module.goVersion ?? '1.16';
      if (compareGoVersions(v, toolchain) <= 0) return langVersion(v);
      return sdk.minor >= 23 ? langVersion(toolchain) : undefined;
    }
    return sdk.minor >= 23 ? langVersion(toolchain) : undefined;
  }

  private async userCompileNode(
    pkg: ResolvedPackage,
    config: Configuration,
    variant?: { suffix: string; packagePath: string; overrides: Map<string, string> },
    /** The package whose build list this graph is built in (the binary, test or library asked for). */
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
    if (this.nodes.has(id)) return ok(id);
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
          ? await this.stdCompileNode(importPath, config)
          : await this.userCompileNode(dep, config, undefined, root);
      if (!nodeId.ok) return nodeId;
      deps.push({ importPath, nodeId: nodeId.value });
    }
    const isMain = pkg.sources.packageName === 'main' && variant === undefined;
    if (isMain && !pkg.imports.has('runtime')) {
      const runtime = await this.stdCompileNode('runtime', config);
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
        lang: this.lang(fromModule === undefined ? pkg.module : fromModule.module),
        gcflags: packageGcflags(
          this.globalGcflags,
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
    this.nodes.set(id, node);
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
    const ctx = await this.modules.contextFor(root.target.pkg);
    if (!ctx.ok || ctx.value === undefined) return undefined;
    const listed = ctx.value.modules.get(own.modulePath);
    if (listed === undefined || listed.main || listed.version === undefined) return undefined;
    return `${listed.path}@${listed.version}${pkg.importPath.slice(listed.path.length)}`;
  }

  private async stdCompileNode(
    importPath: string,
    config: Configuration,
  ): Promise<Result<string, AnalysisFailure[]>> {
    const id = `compile:std/${importPath}@${config.id}`;
    if (this.nodes.has(id)) return ok(id);
    const sp = this.std.stdlib.get(importPath);
    if (sp === undefined)
      return err([
        {
          reason: 'stdlib-list-failed',
          message: `standard library package "${importPath}" not found in ${this.std.sdk.goroot}`,
        },
      ]);
    const deps: { importPath: string; nodeId: string }[] = [];
    for (const imp of sp.imports) {
      if (imp === 'unsafe') continue;
      const nodeId = await this.stdCompileNode(imp, config);
      if (!nodeId.ok) return nodeId;
      deps.push({ importPath: imp, nodeId: nodeId.value });
    }
    const goroot = this.std.sdk.goroot;
    const files = async (names: readonly string[]): Promise<SourceFile[]> =>
      Promise.all(
        names.map(async (name) => {
          const absPath = path.join(goroot, sp.dir, name);
          return { name, absPath, digest: await this.digester.digest(absPath) };
        }),
      );
    const node: CompileNode = {
      kind: 'compile',
      id,
      owner: importPath,
      config,
      unit: {
        importPath,
        packagePath: importPath,
        standard: true,
        dir: `${EXEC_ROOT.goroot}/${sp.dir}`,
        goFiles: await files(sp.goFiles),
        sFiles: await files(sp.sFiles),
        hFiles: await files(sp.hFiles),
        includedHeaders: await this.includedHeaders(path.join(goroot, sp.dir), [
          ...sp.sFiles,
          ...sp.hFiles,
        ]),
        importMap: Object.entries(sp.importMap).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        lang:
          this.std.sdk.minor >= 23
            ? langVersion(this.std.sdk.version.replace(/^go/, ''))
            : undefined,
        gcflags: [...this.globalGcflags],
      },
      deps,
    };
    this.nodes.set(id, node);
    return ok(id);
  }

  /**
   * Headers that a std package's assembly includes from subdirectories (`#include "cgo/abi_amd64.h"`
   * in runtime): cmd/go exposes all of GOROOT, a sandbox only what is declared, so find them.
   */
  private includedHeaders(dir: string, names: readonly string[]): Promise<SourceFile[]> {
    let pending = this.headersByDir.get(dir);
    if (pending === undefined) {
      pending = this.findIncludedHeaders(dir, names);
      this.headersByDir.set(dir, pending);
    }
    return pending;
  }

  private async findIncludedHeaders(dir: string, names: readonly string[]): Promise<SourceFile[]> {
    const found = new Map<string, SourceFile>();
    const queue = [...names];
    const seen = new Set(names);
    while (queue.length > 0) {
      const name = queue.pop() as string;
      let text: string;
      try {
        text = fs.readFileSync(path.join(dir, name), 'utf8');
      } catch {
        continue;
      }
      for (const m of text.matchAll(/^\s*#include\s+"([^"]+)"/gm)) {
        const inc = m[1] as string;
        if (!inc.includes('/') || seen.has(inc)) continue;
        seen.add(inc);
        const absPath = path.join(dir, inc);
        try {
          found.set(inc, { name: inc, absPath, digest: await this.digester.digest(absPath) });
          queue.push(inc);
        } catch {
          // Not relative to the package directory (e.g. an -I include path): nothing to add.
        }
      }
    }
    return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
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
      const node = this.nodes.get(nodeId);
      const m = node?.kind === 'compile' ? node.module : undefined;
      if (m === undefined || m.path === mainModule || byPath.has(m.path)) continue;
      if (m.buildInfo !== undefined) {
        byPath.set(m.path, m.buildInfo);
        continue;
      }
      if (ctx === undefined) {
        const loaded = await this.modules.contextFor(binary.pkg);
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
      const node = this.nodes.get(id);
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

  /**
   * The DefaultGODEBUG of a main package (or test main) of `target`'s module with `directives`
   * (cmd/go `defaultGODEBUG`): the go.work or go.mod `godebug` lines, whose keys are checked as
   * cmd/go checks them when it loads the file (an unknown key stops every build of the module).
   */
  private defaultGodebugFor(
    target: DeclaredTarget,
    mod: GoMod | undefined,
    directives: readonly { readonly key: string; readonly value: string }[],
  ): Result<string, AnalysisFailure[]> {
    const sdk = this.std.sdk;
    const source = this.modules.goWorkFor(target.pkg) ?? mod;
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

  private async binaryNode(
    target: DeclaredTarget,
    config: Configuration,
  ): Promise<Result<string, AnalysisFailure[]>> {
    const pkg = await this.resolve(target);
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
    const main = await this.userCompileNode(pkg.value, config);
    if (!main.ok) return main;
    const id = `link:${pkg.value.label}@${config.id}`;
    if (this.nodes.has(id)) return ok(id);
    if (config.pgo !== undefined) {
      const neutralized = pgoNeutralizedWarning(this.globalGcflags, target, config.pgo.file);
      if (neutralized !== undefined) this.warnings.push(neutralized);
    }
    const mod = pkg.value.module;
    const directives = pkg.value.sources.goFiles.flatMap((f) => (f.info as GoFileInfo).goDebug);
    const defaults = this.defaultGodebugFor(target, mod, directives);
    if (!defaults.ok) return defaults;
    const godebug = defaults.value;
    const p = config.platform;
    const linked = this.transitiveDeps(main.value);
    const depModules = await this.buildInfoDeps(target, mod?.modulePath, linked);
    if (!depModules.ok) return depModules;
    const ldflags = binaryLinkopts(this.globalLinkopts, target, 'main', this.stampValues);
    if (!ldflags.ok) return err([diagnosticFailure('bad-attribute', ldflags.failure)]);
    const node: LinkNode = {
      kind: 'link',
      id,
      owner: shortLabel(target),
      config,
      mainImportPath: pkg.value.importPath,
      mainNodeId: main.value,
      deps: linked,
      buildInfo: {
        path: pkg.value.importPath,
        mainModule:
          mod === undefined ? undefined : { path: mod.modulePath, version: '(devel)', sum: '' },
        deps: depModules.value,
        settings: buildSettings({
          goMinor: this.std.sdk.minor,
          goos: p.goos,
          goarch: p.goarch,
          archEnv: p.archEnv === undefined ? undefined : [p.archEnv, p.archLevel],
          cgoEnabled: p.cgoEnabled,
          defaultGodebug: godebug,
          pgo: config.pgo?.basename,
          gcflags: gcflagsSetting(this.globalGcflags, target),
          tags: this.globalTags,
        }),
      },
      defaultGodebug: godebug,
      stripDebug: false,
      ldflags: ldflags.value,
      outputPath: path.posix.join('pgobuild-out', 'bin', target.pkg, target.name),
    };
    this.nodes.set(id, node);
    return ok(id);
  }

  /**
   * A go_test binary, as `go test` builds it: the package under test recompiled with its internal
   * _test.go files (as a library: `-p <importpath>`), the external `_test` package, and a
   * generated `_testmain.go` compiled as `-p main -dwarf=false` and linked with `-s -w`.
   */
  private async testBinaryNode(
    target: DeclaredTarget,
    config: Configuration,
  ): Promise<Result<string, AnalysisFailure[]>> {
    const embedded: DeclaredTarget[] = [];
    for (const e of listAttr(target, 'embed')) {
      const found = await this.findTarget(e.value, target.pkg, e.span);
      if (!found.ok) return err([found.failure]);
      embedded.push(found.value);
    }
    const testFiles = await selectSources(target, 'test', this.buildContext(), this.reader);
    if (!testFiles.ok) return err([testFiles.failure]);
    const underTest = embedded[0];
    let libFiles: ReadSource[] = [];
    if (underTest !== undefined) {
      const sel = await selectSources(underTest, 'library', this.buildContext(), this.reader);
      if (!sel.ok) return err([sel.failure]);
      libFiles = sel.value;
    }
    const basePackageName = libFiles.find((f) => f.info !== undefined)?.info?.packageName;
    const isExternal = (f: ReadSource): boolean =>
      f.info !== undefined &&
      f.info.packageName.endsWith('_test') &&
      f.info.packageName !== basePackageName;
    const internalTests = testFiles.value.filter((f) => !isExternal(f));
    const externalTests = testFiles.value.filter(isExternal);
    const owner = underTest ?? target;
    const failures: AnalysisFailure[] = [];
    let internal: ResolvedPackage | undefined;
    if (libFiles.length + internalTests.length > 0) {
      const r = await this.resolveUncached(owner, owner === target ? [] : [target], 'test', [
        ...libFiles,
        ...internalTests,
      ]);
      const cycle =
        r.ok && underTest !== undefined
          ? await testImportCycle(target, underTest, r.value, (t, p, s) => this.findTarget(t, p, s))
          : undefined;
      if (cycle !== undefined) failures.push(cycle);
      else if (r.ok) internal = r.value;
      else failures.push(...r.failure);
    }
    let external: ResolvedPackage | undefined;
    if (externalTests.length > 0) {
      const r = await this.resolveUncached(
        target,
        owner === target ? [] : [owner],
        'test',
        externalTests,
        internal,
      );
      if (r.ok) external = r.value;
      else failures.push(...r.failure);
    }
    if (failures.length > 0) return err(failures);
    let basePath = internal?.importPath;
    if (basePath === undefined) {
      const own = await importPathOf(owner, this.reader);
      if (!own.ok) return err([own.failure]);
      basePath = own.value.importPath;
    }
    const suffix = ` [${shortLabel(target)}]`;
    const overrides = new Map<string, string>();
    let internalId: string | undefined;
    if (internal !== undefined) {
      const r = await this.userCompileNode(internal, config, {
        suffix,
        packagePath: internal.importPath,
        overrides: new Map(),
      });
      if (!r.ok) return r;
      internalId = r.value;
      overrides.set(internal.importPath, internalId);
    }
    let externalId: string | undefined;
    if (external !== undefined) {
      const r = await this.userCompileNode(
        { ...external, importPath: `${basePath}_test` },
        config,
        { suffix: `_test${suffix}`, packagePath: `${basePath}_test`, overrides },
      );
      if (!r.ok) return r;
      externalId = r.value;
    }
    const testmain = testMainSource(basePath, internalTests, externalTests, internal, external);
    if (!testmain.ok) return err([testmain.failure]);
    const testmainText = testmain.value;
    const testmainInfo = scanGoFile('_testmain.go', testmainText);
    if (!testmainInfo.ok)
      throw new Error(`generated _testmain.go does not scan: ${testmainInfo.failure.message}`);
    const testmainDeps: { importPath: string; nodeId: string }[] = [];
    for (const imp of testmainInfo.value.imports) {
      if (imp.path === basePath && internalId !== undefined)
        testmainDeps.push({ importPath: imp.path, nodeId: internalId });
      else if (imp.path === `${basePath}_test` && externalId !== undefined)
        testmainDeps.push({ importPath: imp.path, nodeId: externalId });
      else {
        const r = await this.stdCompileNode(imp.path, config);
        if (!r.ok) return r;
        testmainDeps.push({ importPath: imp.path, nodeId: r.value });
      }
    }
    if (!testmainDeps.some((d) => d.importPath === 'runtime')) {
      const r = await this.stdCompileNode('runtime', config);
      if (!r.ok) return r;
      testmainDeps.push({ importPath: 'runtime', nodeId: r.value });
    }
    const mainId = `compile:${labelOf(target)}[testmain]@${config.id}`;
    this.nodes.set(mainId, {
      kind: 'compile',
      id: mainId,
      owner: `${shortLabel(target)} [testmain]`,
      config,
      unit: {
        importPath: `${basePath}.test`,
        packagePath: 'main',
        standard: false,
        dir: inPackageDir(target.pkg, '_testmain'),
        goFiles: [],
        generatedGoFiles: [{ name: '_testmain.go', content: testmainText }],
        sFiles: [],
        hFiles: [],
        importMap: [],
        lang: this.lang(internal?.module ?? external?.module),
        omitDebug: true,
      },
      deps: testmainDeps,
    });
    const linkId = `link:${labelOf(target)}@${config.id}`;
    const mod = (internal ?? external)?.module;
    const linked = this.transitiveDeps(mainId);
    const depModules = await this.buildInfoDeps(target, mod?.modulePath, linked);
    if (!depModules.ok) return depModules;
    // cmd/go's test main takes the //go:debug lines of the package's files, then of its internal
    // and external _test.go files (load/test.go, defaultGODEBUG with pb.Directives,
    // TestDirectives, XTestDirectives).
    const goDebugOf = (files: readonly ReadSource[]): GoFileInfo['goDebug'] =>
      files.flatMap((f) => f.info?.goDebug ?? []);
    const packageDefaults = this.defaultGodebugFor(target, mod, goDebugOf(libFiles));
    if (!packageDefaults.ok) return packageDefaults;
    const testDefaults = this.defaultGodebugFor(target, mod, [
      ...goDebugOf(libFiles),
      ...goDebugOf(internalTests),
      ...goDebugOf(externalTests),
    ]);
    if (!testDefaults.ok) return testDefaults;
    const godebug = testDefaults.value;
    // The test of a main package whose _test.go files change no GODEBUG shares the package's
    // build info (its path is the package's); otherwise cmd/go gives the test main its own.
    const sharesMainBuildInfo =
      internal?.sources.packageName === 'main' && packageDefaults.value === godebug;
    const p = config.platform;
    const ldflags = binaryLinkopts(this.globalLinkopts, target, basePath, this.stampValues);
    if (!ldflags.ok) return err([diagnosticFailure('bad-attribute', ldflags.failure)]);
    const link: LinkNode = {
      kind: 'link',
      id: linkId,
      owner: shortLabel(target),
      config,
      mainImportPath: `${basePath}.test`,
      mainNodeId: mainId,
      deps: linked,
      buildInfo: {
        path: sharesMainBuildInfo ? basePath : `${basePath}.test`,
        mainModule:
          mod === undefined ? undefined : { path: mod.modulePath, version: '(devel)', sum: '' },
        deps: depModules.value,
        settings: buildSettings({
          goMinor: this.std.sdk.minor,
          goos: p.goos,
          goarch: p.goarch,
          archEnv: p.archEnv === undefined ? undefined : [p.archEnv, p.archLevel],
          cgoEnabled: p.cgoEnabled,
          defaultGodebug: godebug,
          pgo: config.pgo?.basename,
          tags: this.globalTags,
        }),
      },
      defaultGodebug: godebug,
      stripDebug: true,
      ldflags: ldflags.value,
    };
    this.nodes.set(linkId, link);
    return ok(linkId);
  }

  /**
   * Running a go_test binary as `go test` runs it: in its package directory, with the package's
   * files (sources, embedded files, testdata/) and the `data` files around it, and the options'
   * arguments after cmd/go's own. Data files keep their workspace paths, so a test reads its own
   * package's as `name` and another package's as `../other/name`.
   */
  private async testRunNode(
    target: DeclaredTarget,
    linkId: string,
    config: Configuration,
    tests: TestRunOptions,
  ): Promise<Result<string, AnalysisFailure[]>> {
    const id = `test:${labelOf(target)}@${config.id}`;
    const dataFiles: SourceFile[] = [];
    const names = new Set<string>();
    const owners = [target];
    for (const e of listAttr(target, 'embed')) {
      const found = await this.findTarget(e.value, target.pkg, e.span);
      if (found.ok) owners.push(found.value);
    }
    for (const t of owners)
      for (const attr of ['srcs', 'embedsrcs'])
        for (const s of listAttr(t, attr))
          names.add(`${t.pkg === '' ? '' : `${t.pkg}/`}${s.value.replace(/^:/, '')}`);
    for (const rel of this.testdataFiles(target.pkg)) names.add(rel);
    const data = await testDataFiles(target, this.root, this.loader);
    if (!data.ok) return data;
    for (const rel of data.value) names.add(rel);
    for (const display of [...names].sort()) {
      const f = await this.reader.read(display);
      if (f.ok)
        dataFiles.push({
          name: path.posix.relative(target.pkg, display),
          absPath: f.value.absPath,
          digest: f.value.digest,
        });
    }
    const link = this.nodes.get(linkId);
    const mainImportPath = link?.kind === 'link' ? link.mainImportPath : `${target.name}.test`;
    const node: TestRunNode = {
      kind: 'test-run',
      id,
      owner: shortLabel(target),
      config,
      linkNodeId: linkId,
      dir: target.pkg,
      dataFiles,
      binaryName: testBinaryName(mainImportPath.replace(/\.test$/, '')),
      args: tests.args,
    };
    this.nodes.set(id, node);
    return ok(id);
  }

  /** Files under `<pkg>/testdata`, which `go test` lets tests read by convention. */
  private testdataFiles(pkg: string): string[] {
    const out: string[] = [];
    const walk = (rel: string): void => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(path.join(this.root, rel), { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const child = `${rel}/${e.name}`;
        if (e.isDirectory()) walk(child);
        else if (e.isFile()) out.push(child);
      }
    };
    walk(pkg === '' ? 'testdata' : `${pkg}/testdata`);
    return out;
  }
}

/**
 * The `_testmain.go` cmd/go would generate for a test: the test functions of the internal and
 * external test files (a wrong signature or two TestMains are diagnostics).
 */
function testMainSource(
  importPath: string,
  internalTests: readonly ReadSource[],
  externalTests: readonly ReadSource[],
  internal: ResolvedPackage | undefined,
  external: ResolvedPackage | undefined,
): Result<string, AnalysisFailure> {
  const functionsOf = (files: readonly ReadSource[]): Result<TestFunctions, Diagnostic> => {
    const parts: TestFunctions[] = [];
    for (const f of files) {
      const found = findTestFunctions(f.display, f.text);
      if (!found.ok) return found;
      parts.push(found.value);
    }
    return combineTestFunctions(parts);
  };
  const internalFns = functionsOf(internalTests);
  if (!internalFns.ok) return err(diagnosticFailure('go-source', internalFns.failure));
  const externalFns = functionsOf(externalTests);
  if (!externalFns.ok) return err(diagnosticFailure('go-source', externalFns.failure));
  const both = combineTestFunctions([internalFns.value, externalFns.value]);
  if (!both.ok) return err(diagnosticFailure('go-source', both.failure));
  return ok(
    generateTestMain({
      importPath,
      modulePath: (internal ?? external)?.module?.modulePath,
      // Without `embed` there is no package under test to import (the external test package
      // reaches the library through its deps).
      packageHasGoFiles: internal !== undefined,
      internal: internal !== undefined ? internalFns.value : undefined,
      external: external !== undefined ? externalFns.value : undefined,
    }),
  );
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
