import * as path from 'node:path';
import { checkGodebugSetting } from '../go/default-godebug';
import type { GoMod } from '../go/go-mod';
import { type GoFileInfo, checkGoDebugDirectives } from '../go/scan';
import { modulePackageLabel } from '../modules';
import { type Diagnostic, type Result, err, ok } from '../util';
import { labelOf, shortLabel } from '../workspace';
import { ResolutionPath, dependencyCycleFailure } from './dependency-cycle';
import { type AnalysisFailure, diagnosticFailure } from './failure';
import {
  type ReadSource,
  assemblePackage,
  importPathOf,
  lineOf,
  selectSources,
} from './go-package';
import { type GraphContext, buildContextOf, isStandardImport, warnOnce } from './graph-context';
import { internalImportAllowed, internalImportMessage } from './internal-imports';
import { ModuleResolution } from './module-resolution';
import type { ResolvedPackage } from './resolved-package';
import { type DeclaredTarget, listAttr, providesGoArchive } from './rule-api';
import type { TargetLookup } from './target-lookup';

/** A dep of a target, by the import path it provides. */
interface ResolvedDep {
  readonly pkg: ResolvedPackage;
  readonly span: Diagnostic['span'];
  readonly declaredIn: DeclaredTarget;
}

/**
 * Resolves targets into packages: their files selected by build constraints, and every import
 * matched against deps, the standard library and the module packages of the build list, with
 * cmd/go's internal-package, required-module and dependency-cycle checks. A library is resolved
 * once per command (memoized by label); a test's package variants are resolved afresh.
 */
export class ImportResolver {
  private readonly resolved = new Map<
    string,
    Promise<Result<ResolvedPackage, AnalysisFailure[]>>
  >();
  private readonly moduleResolution: ModuleResolution;

  constructor(
    private readonly ctx: GraphContext,
    private readonly lookup: TargetLookup,
  ) {
    this.moduleResolution = new ModuleResolution(
      ctx.modules,
      (importPath) => isStandardImport(ctx.std, importPath),
      ctx.loader.ruleNamed('go_library'),
    );
  }

  /**
   * A target's package with everything it imports. `tags`: the build tags files are selected
   * with, a configuration's `gotags` transition's (undefined: `--gotags`); a package is resolved
   * once per tag set. `chain`: the resolutions in progress that lead here (see ResolutionPath),
   * ending at `target`.
   */
  resolve(
    target: DeclaredTarget,
    tags?: readonly string[],
    chain = ResolutionPath.startingAt(target),
  ): Promise<Result<ResolvedPackage, AnalysisFailure[]>> {
    const key = tags === undefined ? labelOf(target) : `${labelOf(target)}\0tags=${tags.join(',')}`;
    let pending = this.resolved.get(key);
    if (pending === undefined && target.external !== undefined) {
      pending = this.resolveModuleTarget(target, target.external, tags);
      this.resolved.set(`${target.external.contextFile}\0${key}`, pending);
      return pending;
    }
    if (pending === undefined) {
      pending = this.resolveFiles(target, [], 'library', { tags, chain });
      this.resolved.set(key, pending);
    }
    return pending;
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

  /** A module package named by a label, with everything it imports. */
  private async resolveModuleTarget(
    target: DeclaredTarget,
    external: NonNullable<DeclaredTarget['external']>,
    tags: readonly string[] | undefined,
  ): Promise<Result<ResolvedPackage, AnalysisFailure[]>> {
    const ctx = await this.ctx.modules.loadedContext(external.contextFile);
    if (ctx === undefined)
      throw new Error(`build list ${external.contextFile} not loaded before its target`);
    if (!ctx.ok) return err([ctx.failure]);
    return this.moduleResolution.resolve(
      ctx.value,
      external.importPath,
      { span: target.span, sourceLine: '' },
      tags,
    );
  }

  /** Resolves a target's (or, for tests, a set of files') imports against deps and the std library. */
  async resolveFiles(
    target: DeclaredTarget,
    extraDeps: readonly DeclaredTarget[],
    role: 'library' | 'test',
    opts: {
      /** The files, when the caller selected them (a test's variants of a package). */
      readonly preselected?: readonly ReadSource[];
      /** For an external test package: the package under test, which it may import without a dep. */
      readonly underTest?: ResolvedPackage;
      /** Build tags of the configuration (undefined: `--gotags`). */
      readonly tags?: readonly string[];
      readonly chain?: ResolutionPath;
    } = {},
  ): Promise<Result<ResolvedPackage, AnalysisFailure[]>> {
    const importPath = await importPathOf(target, this.ctx.reader);
    if (!importPath.ok) return err([importPath.failure]);
    let files: readonly ReadSource[];
    const { preselected, underTest, tags, chain = ResolutionPath.EMPTY } = opts;
    if (preselected !== undefined) files = preselected;
    else {
      const selected = await selectSources(
        target,
        role,
        buildContextOf(this.ctx, tags),
        this.ctx.reader,
      );
      if (!selected.ok) return err([selected.failure]);
      files = selected.value;
    }
    const sources = await assemblePackage(target, files, extraDeps, this.ctx.reader, (d) =>
      warnOnce(this.ctx, d),
    );
    if (!sources.ok) return err([sources.failure]);
    // cmd/go's checkDirectives, for every package it compiles (a test variant with its _test.go
    // files): malformed, unknown, removed or repeated //go:debug keys stop the build.
    const badDirectives = checkGoDebugDirectives(
      sources.value.goFiles.flatMap((f) => (f.info === undefined ? [] : [f.info])),
      (key, value) =>
        checkGodebugSetting(
          this.ctx.std.sdk.goroot,
          this.ctx.std.sdk.version,
          '//go:debug setting',
          key,
          value,
        ),
    );
    if (badDirectives.length > 0)
      return err(badDirectives.map((d) => diagnosticFailure('go-source', d)));
    const deps = await this.resolveDeps([target, ...extraDeps], tags, chain);
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
        if ((dep !== undefined || isStandardImport(this.ctx.std, imp.path)) && !internalAllowed) {
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
        } else if (isStandardImport(this.ctx.std, imp.path)) {
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
          const hint = await this.lookup.suggestLabelFor(imp.path, target);
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
          this.ctx.warnings.push({
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
    const ctx = await this.ctx.modules.contextFor(from.pkg);
    if (!ctx.ok || ctx.value === undefined) return undefined;
    const listed = ctx.value.modules.get(other.modulePath);
    const otherDir = path.join(this.ctx.root, path.posix.dirname(other.file));
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
    tags: readonly string[] | undefined,
    chain: ResolutionPath,
  ): Promise<Result<Map<string, ResolvedDep>, AnalysisFailure[]>> {
    const byImportPath = new Map<string, ResolvedDep>();
    const failures: AnalysisFailure[] = [];
    for (const target of targets) {
      for (const dep of listAttr(target, 'deps')) {
        const found = await this.lookup.findTarget(dep.value, target.pkg, dep.span);
        if (!found.ok) {
          failures.push(found.failure);
          continue;
        }
        if (!providesGoArchive(found.value.rule)) {
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
        const pkg = await this.resolve(found.value, tags, chain.extend(edge));
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
}
