import { type Result, err, ok, unreachable } from '../util';
import { discoverPackages, nearestName, parseTargetPattern, shortLabel } from '../workspace';
import type { AnalysisFailure } from './failure';
import type { GraphBuilder } from './graph-builder';
import type { PackageLoader } from './package-loader';
import type { DeclaredTarget } from './rule-api';

/**
 * Expands command-line target patterns (`//examples/...`, `//a/b:c`, `:c`, `//a:all`) into
 * declared targets, in pattern order without duplicates. Unknown packages and targets are errors
 * that suggest the nearest existing name.
 */
export async function expandPatterns(
  root: string,
  patterns: readonly string[],
  cwdPkg: string,
  loader: PackageLoader,
  graph: GraphBuilder,
): Promise<Result<DeclaredTarget[], AnalysisFailure[]>> {
  const targets = new Map<string, DeclaredTarget>();
  const failures: AnalysisFailure[] = [];
  const add = (t: DeclaredTarget): void => {
    targets.set(`${t.pkg}:${t.name}`, t);
  };
  for (const text of patterns) {
    const pattern = parseTargetPattern(text, cwdPkg);
    if (!pattern.ok) {
      failures.push({ reason: 'bad-pattern', message: pattern.failure.message });
      continue;
    }
    const p = pattern.value;
    switch (p.kind) {
      case 'target': {
        const pkg = p.label.repo === undefined ? await loader.load(p.label.pkg) : ok(null);
        if (pkg.ok && pkg.value === undefined) {
          failures.push(await unknownPackage(root, p.label.pkg, loader));
          continue;
        }
        // A module label is resolved in the build list of the working directory's module.
        const found = await graph.findTarget(shortLabel(p.label), cwdPkg, {
          file: '<command line>',
          line: 1,
          col: 1,
          endCol: 1,
        });
        if (found.ok) add(found.value);
        // Unknown names come from the command line, not from a file: drop the placeholder span.
        else if (found.failure.reason === 'unknown-target' || found.failure.reason === 'bad-label')
          failures.push({ ...found.failure, diagnostic: undefined });
        else failures.push(found.failure);
        break;
      }
      case 'package': {
        const pkg = await loader.load(p.pkg);
        if (!pkg.ok) failures.push(pkg.failure);
        else if (pkg.value === undefined) failures.push(await unknownPackage(root, p.pkg, loader));
        else for (const t of pkg.value.targets.values()) add(t);
        break;
      }
      case 'recursive': {
        const pkgs = await discoverPackages(root, p.pkg);
        if (pkgs.length === 0) {
          failures.push({
            reason: 'unknown-package',
            message: `no packages match '${text}': no BUILD or BUILD.bazel file at or below ${p.pkg === '' ? 'the workspace root' : p.pkg}`,
          });
          continue;
        }
        // Loaded concurrently, added in package order.
        const loaded = await Promise.all(pkgs.map((pkgName) => loader.load(pkgName)));
        for (const pkg of loaded) {
          if (!pkg.ok) failures.push(pkg.failure);
          else if (pkg.value !== undefined) for (const t of pkg.value.targets.values()) add(t);
        }
        break;
      }
      default:
        return unreachable(p);
    }
  }
  return failures.length > 0 ? err(failures) : ok([...targets.values()]);
}

async function unknownPackage(
  root: string,
  pkg: string,
  _loader: PackageLoader,
): Promise<AnalysisFailure> {
  const all = await discoverPackages(root, '');
  const hint = nearestName(pkg, all);
  return {
    reason: 'unknown-package',
    message: `no such package '//${pkg}': no BUILD or BUILD.bazel file in ${pkg === '' ? 'the workspace root' : pkg}${hint === undefined ? '' : `; did you mean '//${hint}'?`}`,
  };
}
