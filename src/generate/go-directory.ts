import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanGoFile } from '../go/scan';
import type { Diagnostic } from '../util';

/** The Go files of one group of a directory (library, tests) and what they import and embed. */
export interface GoFileGroup {
  /** File names (.go, plus .s/.S/.h for the library), sorted. */
  readonly srcs: readonly string[];
  readonly imports: ReadonlySet<string>;
  readonly embedPatterns: readonly string[];
}

/** The Go package of a directory, as Gazelle sees it (every file, whatever its build constraints). */
export interface GoDirectory {
  /** Workspace-relative directory ('' for the root). */
  readonly rel: string;
  readonly packageName: string;
  readonly library: GoFileGroup;
  /** Internal (same package) and external (`_test` package) test files together, as Gazelle does. */
  readonly tests: GoFileGroup;
  readonly hasInternalTests: boolean;
  readonly hasTestdata: boolean;
}

/** What reading a directory gives: its package (if it has Go files) and problems to report. */
export interface DirectoryScan {
  readonly dir?: GoDirectory;
  readonly warnings: readonly Diagnostic[];
}

const OTHER_SOURCES = /\.(s|S|h)$/;

/**
 * Reads the Go files of a directory like Gazelle: all `.go` files whatever their build
 * constraints, except files only `//go:build ignore` selects and `package documentation`;
 * `.s`, `.S` and `.h` files join the library. When several packages remain, the one named like
 * the directory wins (otherwise the directory is skipped with a warning naming the packages).
 */
export function scanGoDirectory(
  root: string,
  rel: string,
  entries: readonly string[],
): DirectoryScan {
  const warnings: Diagnostic[] = [];
  interface FileInfo {
    name: string;
    pkg: string;
    test: boolean;
    imports: string[];
    embeds: string[];
  }
  const files: FileInfo[] = [];
  for (const name of entries) {
    if (!name.endsWith('.go') || name.startsWith('.') || name.startsWith('_')) continue;
    const display = rel === '' ? name : `${rel}/${name}`;
    let text: string;
    try {
      text = fs.readFileSync(path.join(root, display), 'utf8');
    } catch {
      continue;
    }
    const info = scanGoFile(display, text);
    if (!info.ok) {
      warnings.push({ ...info.failure, severity: 'warning' });
      continue;
    }
    const v = info.value;
    if (v.packageName === 'documentation') continue;
    if (v.goBuild !== undefined && /^ignore$/.test(v.goBuild.expr.trim())) continue;
    files.push({
      name,
      pkg: v.packageName,
      test: name.endsWith('_test.go'),
      imports: v.imports.map((i) => i.path),
      embeds: v.embedPatterns.map((e) => e.pattern),
    });
  }
  // A `_test.go` file of package `p_test` belongs to package p (its external tests).
  const owner = (f: FileInfo): string =>
    f.test && f.pkg.endsWith('_test') ? f.pkg.slice(0, -'_test'.length) : f.pkg;
  const names = [...new Set(files.map(owner))].sort();
  if (names.length === 0) return { warnings };
  let packageName = names[0] as string;
  if (names.length > 1) {
    // External-test-only names (`x_test` with no package x) fold into the one real package.
    const real = [...new Set(files.filter((f) => !f.test).map((f) => f.pkg))];
    const base = path.posix.basename(rel === '' ? root : rel);
    if (real.length === 1) packageName = real[0] as string;
    else if (names.includes(base)) packageName = base;
    else {
      warnings.push({
        severity: 'warning',
        span: { file: rel === '' ? '.' : rel, line: 1, col: 1, endCol: 1 },
        message: `found packages ${names.join(', ')} in ${rel === '' ? 'the workspace root' : rel}; no BUILD file generated for it`,
        sourceLine: '',
      });
      return { warnings };
    }
  }
  const mine = files.filter((f) => owner(f) === packageName || (f.test && f.pkg === packageName));
  const lib = mine.filter((f) => !f.test);
  const tests = mine.filter((f) => f.test);
  const other = entries.filter((e) => OTHER_SOURCES.test(e) && !e.startsWith('.'));
  const group = (fs_: FileInfo[], extra: readonly string[]): GoFileGroup => ({
    srcs: [...fs_.map((f) => f.name), ...extra].sort(),
    imports: new Set(fs_.flatMap((f) => f.imports)),
    embedPatterns: [...new Set(fs_.flatMap((f) => f.embeds))],
  });
  return {
    warnings,
    dir: {
      rel,
      packageName,
      library: group(lib, lib.length > 0 || other.length > 0 ? other : []),
      tests: group(tests, []),
      hasInternalTests: tests.some((f) => f.pkg === packageName),
      hasTestdata: entries.includes('testdata/'),
    },
  };
}
