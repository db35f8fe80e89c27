import * as path from 'node:path';
import { resolveEmbedPatterns } from '../analysis/embed';
import { packageTargetName } from '../modules/repo-name';
import type { Diagnostic } from '../util';
import type { AttrSyntax, RuleArg } from './buildifier-format';
import type { GoDirectory, GoFileGroup } from './go-directory';
import type { ImportResolver } from './import-resolver';

/** The Go rule kinds `pgobuild generate` writes. */
export type GeneratedKind = 'go_library' | 'go_binary' | 'go_test';

/** A rule as generated: its kind, name, and the arguments it would be written with. */
export interface GeneratedRule {
  readonly kind: GeneratedKind;
  readonly name: string;
  /** Every argument but `name`, in the order Gazelle writes them. */
  readonly args: readonly RuleArg[];
}

/**
 * The attributes `generate` owns on an existing rule (Gazelle's mergeable and resolved
 * attributes): rewritten from the sources on every run unless marked `# keep`. Others, such as
 * `visibility`, `data`, `pgo`, are written when the rule is created and left alone afterwards.
 */
export const MANAGED_ATTRS: ReadonlySet<string> = new Set([
  'srcs',
  'embedsrcs',
  'embed',
  'importpath',
  'deps',
]);

/** The names Gazelle's `import` convention gives the rules of a package. */
export interface RuleNames {
  readonly library: string;
  readonly binary: string;
  readonly test: string;
}

/** Rule names for a package with import path `importPath` in directory `rel`. */
export function ruleNames(importPath: string, packageName: string, rel: string): RuleNames {
  const base = packageTargetName(importPath);
  return {
    library: packageName === 'main' ? `${base}_lib` : base,
    // Gazelle names a binary after its directory (the import path's last element at the root).
    binary: rel === '' ? base : path.posix.basename(rel),
    test: `${base}_test`,
  };
}

/** The label other packages' `deps` use for the library of a package. */
export function libraryLabel(rel: string, libraryName: string): string {
  const last = rel.slice(rel.lastIndexOf('/') + 1);
  if (rel !== '' && last === libraryName) return `//${rel}`;
  return `//${rel}:${libraryName}`;
}

/** Where an embed pattern's candidate files come from: every file below the package directory. */
export type FilesBelow = (rel: string) => readonly string[];

/**
 * The go_library / go_binary / go_test rules of one directory, as Gazelle generates them with the
 * `import` naming convention. Problems (an import nothing provides, an embed pattern matching
 * nothing) are warnings: the rest of the rule is still written.
 */
export function generateRules(
  dir: GoDirectory,
  importPath: string,
  resolver: ImportResolver,
  filesBelow: FilesBelow,
): { rules: GeneratedRule[]; warnings: Diagnostic[] } {
  const names = ruleNames(importPath, dir.packageName, dir.rel);
  const warnings: Diagnostic[] = [];
  const rules: GeneratedRule[] = [];
  const warn = (message: string): void => {
    warnings.push({
      severity: 'warning',
      span: { file: dir.rel === '' ? '.' : dir.rel, line: 1, col: 1, endCol: 1 },
      message,
      sourceLine: '',
    });
  };
  const hasLibrary = dir.library.srcs.some((s) => s.endsWith('.go'));

  const deps = (group: GoFileGroup, skipSelf: boolean): AttrSyntax | undefined => {
    const labels: string[] = [];
    for (const imp of [...group.imports].sort()) {
      if (imp === 'C' || (skipSelf && imp === importPath)) continue;
      const r = resolver.resolve(imp, dir.rel);
      switch (r.kind) {
        case 'std':
          break;
        case 'unresolved':
          warn(`${dir.rel || '.'}: import "${imp}": ${r.message}`);
          break;
        case 'label':
          labels.push(relativeLabel(r.label, dir.rel));
          break;
        default:
          break;
      }
    }
    return labels.length === 0 ? undefined : list(labels);
  };
  const embedsrcs = (group: GoFileGroup): AttrSyntax | undefined => {
    if (group.embedPatterns.length === 0) return undefined;
    const available = filesBelow(dir.rel);
    const files = new Set<string>();
    for (const pattern of group.embedPatterns) {
      const r = resolveEmbedPatterns([pattern], available);
      if (!r.ok) warn(`${dir.rel || '.'}: //go:embed ${pattern}: ${r.failure.message}`);
      else for (const f of r.value.files) files.add(f);
    }
    return files.size === 0 ? undefined : list([...files].sort());
  };

  if (hasLibrary) {
    const args: RuleArg[] = [{ name: 'srcs', value: list(dir.library.srcs) }];
    push(args, 'embedsrcs', embedsrcs(dir.library));
    args.push({ name: 'importpath', value: { kind: 'string', value: importPath } });
    args.push({ name: 'visibility', value: list(visibility(dir, importPath)) });
    push(args, 'deps', deps(dir.library, false));
    rules.push({ kind: 'go_library', name: names.library, args });
    if (dir.packageName === 'main')
      rules.push({
        kind: 'go_binary',
        name: names.binary,
        args: [
          { name: 'embed', value: list([`:${names.library}`]) },
          { name: 'visibility', value: list(['//visibility:public']) },
        ],
      });
  }
  if (dir.tests.srcs.length > 0) {
    const embeds = dir.hasInternalTests && hasLibrary;
    const args: RuleArg[] = [{ name: 'srcs', value: list(dir.tests.srcs) }];
    if (dir.hasTestdata)
      args.push({ name: 'data', value: { kind: 'glob', patterns: ['testdata/**'] } });
    push(args, 'embedsrcs', embedsrcs(dir.tests));
    if (embeds) args.push({ name: 'embed', value: list([`:${names.library}`]) });
    push(args, 'deps', deps(dir.tests, embeds));
    rules.push({ kind: 'go_test', name: names.test, args });
  }
  return { rules, warnings };
}

/** Gazelle's default visibility: private for a main package's library, `internal/` rules. */
function visibility(dir: GoDirectory, importPath: string): string[] {
  if (dir.packageName === 'main') return ['//visibility:private'];
  const segments = dir.rel.split('/');
  const i = segments.lastIndexOf('internal');
  if (dir.rel !== '' && i >= 0) return [`//${segments.slice(0, i).join('/')}:__subpackages__`];
  if (importPath.split('/').includes('internal')) return ['//:__subpackages__'];
  return ['//visibility:public'];
}

/** `//dir:name` written `:name` inside `dir`, as Gazelle writes labels of the same package. */
function relativeLabel(label: string, fromDir: string): string {
  if (label.startsWith('@')) return label;
  const colon = label.indexOf(':');
  const pkg = colon < 0 ? label.slice(2) : label.slice(2, colon);
  if (pkg !== fromDir) return label;
  return colon < 0 ? `:${pkg.slice(pkg.lastIndexOf('/') + 1)}` : label.slice(colon);
}

function list(values: readonly string[]): AttrSyntax {
  return { kind: 'list', items: values.map((value) => ({ value })) };
}

function push(args: RuleArg[], name: string, value: AttrSyntax | undefined): void {
  if (value !== undefined) args.push({ name, value });
}
