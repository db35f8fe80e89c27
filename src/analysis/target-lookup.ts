import * as path from 'node:path';
import { modulePackageLabel, modulesProviding } from '../modules';
import { type Diagnostic, type Result, err, ok } from '../util';
import { labelOf, nearestName, parseLabel, shortLabel } from '../workspace';
import type { AnalysisFailure } from './failure';
import type { GraphContext } from './graph-context';
import { noModuleMessage } from './module-packages';
import { type DeclaredTarget, isGoBinaryRule, listAttr, providesGoArchive } from './rule-api';

/**
 * Finds the targets labels name (workspace targets from BUILD files, module packages as implicit
 * `@repo//dir:name` targets), with "did you mean" help when a label names nothing.
 */
export class TargetLookup {
  constructor(private readonly ctx: GraphContext) {}

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
      return this.ctx.modules.targetFor({ ...parts.value, repo }, currentPkg, span);
    const pkg = await this.ctx.loader.load(parts.value.pkg);
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

  /**
   * The Go program (a go_binary, or a target of any rule with go_binary's transition) whose main
   * package a test's embedded target is: the target itself, or (as Gazelle lays out a command)
   * the program of the same package that embeds this library, recognised by containing all of
   * its sources.
   */
  async binaryOf(underTest: DeclaredTarget): Promise<DeclaredTarget | undefined> {
    if (isGoBinaryRule(underTest.rule)) return underTest;
    if (!providesGoArchive(underTest.rule) || underTest.repo !== undefined) return undefined;
    const libSrcs = listAttr(underTest, 'srcs').map((s) => s.value);
    if (libSrcs.length === 0) return undefined;
    const pkg = await this.ctx.loader.load(underTest.pkg);
    if (!pkg.ok || pkg.value === undefined) return undefined;
    return [...pkg.value.targets.values()].find((t) => {
      if (!isGoBinaryRule(t.rule)) return false;
      const srcs = new Set(listAttr(t, 'srcs').map((s) => s.value));
      return libSrcs.every((s) => srcs.has(s));
    });
  }

  /**
   * For an import no dep provides: how to fix it (`; add "//x" to deps`, the module label, or
   * `go mod tidy`), or '' when nothing provides it.
   */
  async suggestLabelFor(importPath: string, target: DeclaredTarget): Promise<string> {
    const mod = await this.ctx.reader.goModFor(target.pkg);
    if (!mod.ok || mod.value === undefined) return '';
    const m = mod.value;
    if (importPath !== m.modulePath && !importPath.startsWith(`${m.modulePath}/`))
      return this.suggestModuleLabelFor(importPath, target);
    const modDir = path.posix.dirname(m.file) === '.' ? '' : path.posix.dirname(m.file);
    const rel = importPath.slice(m.modulePath.length + 1);
    const pkg = [modDir, rel].filter((s) => s !== '').join('/');
    const loaded = await this.ctx.loader.load(pkg);
    if (!loaded.ok || loaded.value === undefined) return '';
    const lib = [...loaded.value.targets.values()].find((t) => providesGoArchive(t.rule));
    return lib === undefined ? '' : `; add "${shortLabel(lib)}" to deps`;
  }

  /** For a missing import outside the target's own module: the module label, or `go mod tidy`. */
  private async suggestModuleLabelFor(importPath: string, target: DeclaredTarget): Promise<string> {
    const ctx = await this.ctx.modules.contextFor(target.pkg);
    if (!ctx.ok || ctx.value === undefined) return '';
    const mod = modulesProviding(ctx.value, importPath)[0];
    if (mod === undefined) return `; ${noModuleMessage(ctx.value, importPath)}`;
    if (mod.main) {
      const goMod = ctx.value.mainGoMods.get(mod.path);
      if (goMod === undefined) return '';
      const modDir = path.posix.dirname(goMod.file) === '.' ? '' : path.posix.dirname(goMod.file);
      const rel = importPath === mod.path ? '' : importPath.slice(mod.path.length + 1);
      const pkg = [modDir, rel].filter((s) => s !== '').join('/');
      const loaded = await this.ctx.loader.load(pkg);
      if (!loaded.ok || loaded.value === undefined) return '';
      const lib = [...loaded.value.targets.values()].find((t) => providesGoArchive(t.rule));
      return lib === undefined ? '' : `; add "${shortLabel(lib)}" to deps`;
    }
    return `; add "${modulePackageLabel(mod.path, importPath)}" to deps (module ${mod.path} ${mod.version ?? ''})`;
  }
}
