import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Diagnostic, type Result, err, ok, writeFileAtomicallySync } from '../util';
import {
  BUILD_FILE_NAMES,
  isSkippedByDiscovery,
  loadIgnoreList,
  parseTargetPattern,
} from '../workspace';
import { type GoDirectory, scanGoDirectory } from './go-directory';
import { generateRules, libraryLabel, ruleNames } from './generated-rules';
import { ImportResolver } from './import-resolver';
import { mergeBuildFile } from './merge-build-file';
import { ModuleContext } from './module-context';

/** What `pgobuild generate` did to one BUILD file. */
export interface BuildFileChange {
  /** Workspace-relative path of the BUILD file. */
  readonly path: string;
  readonly change: 'created' | 'updated';
}

/** The outcome of a generate run: files changed, files already up to date, problems found. */
export interface GenerateReport {
  readonly changed: readonly BuildFileChange[];
  readonly unchanged: number;
  readonly warnings: readonly Diagnostic[];
  /** Errors (an unparsable BUILD file or go.mod): those directories were left alone. */
  readonly errors: readonly Diagnostic[];
}

/** Directories Gazelle and cmd/go never take packages from. */
const SKIPPED_NAMES: ReadonlySet<string> = new Set(['vendor', 'testdata', 'node_modules']);

/**
 * `pgobuild generate [PATTERN…]`: writes or updates the BUILD.bazel (or existing BUILD) file of
 * every directory with Go files that the patterns select (`//...`, `//dir/...`, `//dir`). Every
 * Go package of the workspace is indexed first, so imports resolve to labels whatever the
 * patterns select. Skips hidden directories, `vendor/`, `testdata/`, `node_modules`,
 * `pgobuild-*` and `.pgobuildignore` entries. A bad pattern is a usage error.
 */
export function generateBuildFiles(
  root: string,
  patterns: readonly string[],
  cwdPkg: string,
): Result<GenerateReport, string> {
  const scopes: { pkg: string; recursive: boolean }[] = [];
  for (const p of patterns) {
    const parsed = parseTargetPattern(p, cwdPkg);
    if (!parsed.ok) return err(parsed.failure.message);
    const v = parsed.value;
    if (v.kind === 'target') scopes.push({ pkg: v.label.pkg, recursive: false });
    else scopes.push({ pkg: v.pkg, recursive: v.kind === 'recursive' });
  }
  const selected = (rel: string): boolean =>
    scopes.some((s) =>
      s.recursive ? s.pkg === '' || rel === s.pkg || rel.startsWith(`${s.pkg}/`) : rel === s.pkg,
    );

  const ignored = loadIgnoreList(root);
  const listing = walk(root, ignored);
  const modules = new ModuleContext(
    root,
    [...listing.keys()].filter((d) => listing.get(d)?.includes('go.mod')),
  );
  const warnings: Diagnostic[] = [];
  const errors: Diagnostic[] = [...modules.problems];

  const packages: { dir: GoDirectory; importPath: string }[] = [];
  const index = new Map<string, string>();
  for (const [rel, entries] of listing) {
    const scan = scanGoDirectory(root, rel, entries);
    if (selected(rel)) warnings.push(...scan.warnings);
    if (scan.dir === undefined) continue;
    const importPath = modules.importPathOf(rel);
    if (importPath === undefined) {
      if (selected(rel))
        warnings.push(
          placeWarning(rel, `no go.mod at or above ${rel || 'the workspace root'}; skipped`),
        );
      continue;
    }
    packages.push({ dir: scan.dir, importPath });
    const names = ruleNames(importPath, scan.dir.packageName, rel);
    if (scan.dir.library.srcs.some((s) => s.endsWith('.go')))
      index.set(importPath, libraryLabel(rel, names.library));
  }

  const resolver = new ImportResolver(modules, index);
  const loadLabel = fs.existsSync(path.join(root, 'MODULE.bazel'))
    ? '@rules_go//go:def.bzl'
    : '@io_bazel_rules_go//go:def.bzl';
  const changed: BuildFileChange[] = [];
  let unchanged = 0;
  for (const { dir, importPath } of packages) {
    if (!selected(dir.rel)) continue;
    const generated = generateRules(dir, importPath, resolver, (rel) => filesBelow(listing, rel));
    warnings.push(...generated.warnings);
    const entries = listing.get(dir.rel) ?? [];
    const existingName = BUILD_FILE_NAMES.find((n) => entries.includes(n));
    const file = joinRel(dir.rel, existingName ?? 'BUILD.bazel');
    const abs = path.join(root, file);
    const existing = existingName === undefined ? undefined : fs.readFileSync(abs, 'utf8');
    if (existing === undefined && generated.rules.length === 0) continue;
    const names = ruleNames(importPath, dir.packageName, dir.rel);
    const merged = mergeBuildFile(file, existing, generated.rules, names, loadLabel);
    if (!merged.ok) {
      errors.push(merged.failure);
      continue;
    }
    if (merged.value === existing) {
      unchanged++;
      continue;
    }
    writeFileAtomicallySync(abs, merged.value);
    changed.push({ path: file, change: existing === undefined ? 'created' : 'updated' });
  }
  return ok({ changed, unchanged, warnings, errors });
}

function joinRel(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

function placeWarning(rel: string, message: string): Diagnostic {
  return {
    severity: 'warning',
    span: { file: rel === '' ? '.' : rel, line: 1, col: 1, endCol: 1 },
    message,
    sourceLine: '',
  };
}

/**
 * Every directory pgobuild may take packages from, with its entries (directories end in `/`),
 * sorted. Symlinked directories are not followed.
 */
function walk(root: string, ignored: ReadonlySet<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const pending = [''];
  for (let rel = pending.pop(); rel !== undefined; rel = pending.pop()) {
    let dirents: fs.Dirent[];
    try {
      dirents = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    const entries: string[] = [];
    for (const d of dirents) {
      if (d.isDirectory()) {
        entries.push(`${d.name}/`);
        const child = joinRel(rel, d.name);
        if (!SKIPPED_NAMES.has(d.name) && !isSkippedByDiscovery(child, ignored))
          pending.push(child);
      } else entries.push(d.name);
    }
    out.set(rel, entries.sort());
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The files below a directory (relative to it), for //go:embed patterns: as cmd/go, not across
 * a nested module's go.mod; `testdata` and `vendor` included, hidden directories as listed.
 */
function filesBelow(listing: ReadonlyMap<string, readonly string[]>, rel: string): string[] {
  const files: string[] = [];
  const visit = (dir: string, prefix: string): void => {
    const entries = listing.get(dir);
    if (entries === undefined) return;
    if (prefix !== '' && entries.includes('go.mod')) return;
    for (const e of entries) {
      if (e.endsWith('/')) visit(joinRel(dir, e.slice(0, -1)), `${prefix}${e}`);
      else files.push(`${prefix}${e}`);
    }
  };
  visit(rel, '');
  return files.sort();
}
