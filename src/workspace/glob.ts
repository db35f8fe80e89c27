import * as fs from 'node:fs';
import * as path from 'node:path';
import { err, ok, type Result } from '../util/result';
import { BUILD_FILE_NAMES, joinPkgPath } from './build-file';
import { isUnlistable } from './fs-errors';
import { isIgnoredPath, loadIgnoreList } from './ignore-list';
import { compareStrings, isToolOutputDir } from './package-discovery';

/** Why a glob call was rejected: one of its patterns is malformed. */
export type GlobError = {
  readonly reason: 'bad-glob';
  /** The offending pattern, as written. */
  readonly pattern: string;
  /** What is wrong with it and what is expected instead. */
  readonly message: string;
};

/** One pattern segment: `**` (any number of directories) or a single-segment matcher. */
type Segment =
  | { readonly kind: 'recursive' }
  | { readonly kind: 'name'; readonly test: (name: string) => boolean };

/**
 * Bazel's glob(): the files of package `pkg` (workspace-relative, '' for the root) that match any
 * `include` pattern and no `exclude` pattern, as sorted paths relative to the package directory.
 *
 * Semantics, following Bazel:
 * - patterns are `/`-separated and relative to the package; `*` matches any run of characters
 *   inside one segment, `**` as a whole segment matches zero or more directories;
 * - `*` and `**` alone also match names starting with '.'; any other segment matches such a name
 *   only if it starts with '.' itself (`*.go` does not match `.x.go`, `.*` does);
 * - only files are returned (exclude_directories = 1); symlinks to files count as files;
 * - the walk never enters a subpackage (a subdirectory with a BUILD or BUILD.bazel file), a
 *   directory listed in `.pgobuildignore`, or a top-level `pgobuild-*` output directory.
 *
 * Unlike Bazel, symlinked directories are not entered (no loops, and no sources from outside
 * the workspace), and `?` is rejected in every pattern (Bazel rejects it in includes).
 * A pattern that is empty, absolute, has an empty, `.` or `..` segment, or uses `**` inside a
 * segment is a `bad-glob` failure. Synchronous, because the BUILD evaluator calls it from a
 * builtin; directory listings are cached for the duration of one call.
 */
export function glob(
  root: string,
  pkg: string,
  include: readonly string[],
  exclude: readonly string[],
): Result<string[], GlobError> {
  const includes: Segment[][] = [];
  const excludes: Segment[][] = [];
  for (const [patterns, into] of [
    [include, includes],
    [exclude, excludes],
  ] as const) {
    for (const pattern of patterns) {
      const compiled = compilePattern(pattern);
      if (!compiled.ok) return compiled;
      into.push(compiled.value);
    }
  }

  const ignored = loadIgnoreList(root);
  if (isIgnoredPath(pkg, ignored)) return ok([]);
  const walker = new PackageWalker(root, pkg, ignored);
  const matched = new Set<string>();
  for (const segments of includes) walker.collect(segments, matched);

  const result = [...matched].filter((file) => {
    const parts = file.split('/');
    return !excludes.some((segments) => matchesPath(segments, 0, parts, 0));
  });
  return ok(result.sort(compareStrings));
}

/** Validates a pattern (the checks of Bazel's UnixGlob) and compiles its segments. */
function compilePattern(pattern: string): Result<Segment[], GlobError> {
  const fail = (problem: string): Result<Segment[], GlobError> =>
    err({
      reason: 'bad-glob',
      pattern,
      message: `invalid glob pattern '${pattern}': ${problem}`,
    });
  if (pattern === '') return fail('pattern cannot be empty');
  if (pattern.startsWith('/')) {
    return fail('pattern cannot be absolute; glob patterns are relative to the package directory');
  }
  if (pattern.includes('?')) return fail("wildcard '?' is not supported; use '*' or '**'");
  const segments: Segment[] = [];
  for (const segment of pattern.split('/')) {
    if (segment === '') return fail("empty segment not permitted (no '//' and no trailing '/')");
    if (segment === '.' || segment === '..') {
      return fail(`segment '${segment}' not permitted; a glob stays inside its package`);
    }
    if (segment === '**') {
      segments.push({ kind: 'recursive' });
    } else if (segment.includes('**')) {
      return fail("recursive wildcard '**' must be its own segment, as in 'dir/**/*.go'");
    } else {
      segments.push({ kind: 'name', test: segmentMatcher(segment) });
    }
  }
  return ok(segments);
}

/** A predicate for one segment without `**`, with Bazel's rule for names starting with '.'. */
function segmentMatcher(segment: string): (name: string) => boolean {
  if (segment === '*') return () => true;
  if (!segment.includes('*')) return (name) => name === segment;
  const regex = new RegExp(
    '^' +
      segment
        .split('*')
        .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
    's',
  );
  const explicitDot = segment.startsWith('.');
  return (name) => (explicitDot || !name.startsWith('.')) && regex.test(name);
}

/** Whether path segments `parts[j..]` match pattern segments `segments[i..]`. */
function matchesPath(
  segments: readonly Segment[],
  i: number,
  parts: readonly string[],
  j: number,
): boolean {
  const segment = segments[i];
  if (segment === undefined) return j === parts.length;
  if (segment.kind === 'recursive') {
    // `**` takes zero directories, or one more and stays in place.
    return (
      matchesPath(segments, i + 1, parts, j) ||
      (j < parts.length && matchesPath(segments, i, parts, j + 1))
    );
  }
  const part = parts[j];
  return part !== undefined && segment.test(part) && matchesPath(segments, i + 1, parts, j + 1);
}

/** How glob sees a directory entry once symlinks are resolved. */
type EntryKind = 'file' | 'dir' | 'other';

/** A directory entry: its name and what it is. */
interface Entry {
  readonly name: string;
  readonly kind: EntryKind;
}

/** Names of BUILD files, for the subpackage check. */
const BUILD_NAMES: ReadonlySet<string> = new Set(BUILD_FILE_NAMES);

/**
 * Walks one package's directory tree for glob, caching each directory listing and each
 * "may the walk enter this directory" answer for the life of the walker (one glob call).
 */
class PackageWalker {
  private readonly listings = new Map<string, readonly Entry[]>();
  private readonly enterable = new Map<string, boolean>();

  constructor(
    private readonly root: string,
    private readonly pkg: string,
    private readonly ignored: ReadonlySet<string>,
  ) {}

  /** Adds to `out` every file (path relative to the package) that `segments` matches. */
  collect(segments: readonly Segment[], out: Set<string>): void {
    // Two `**` in one pattern can reach the same (directory, segment) state many ways.
    const visited = new Set<string>();
    const visit = (dir: string, i: number): void => {
      const key = `${i}\0${dir}`;
      if (visited.has(key)) return;
      visited.add(key);
      const segment = segments[i];
      if (segment === undefined) return;
      const last = i === segments.length - 1;
      if (segment.kind === 'recursive') {
        if (last) {
          for (const e of this.list(dir)) if (e.kind === 'file') out.add(joinPkgPath(dir, e.name));
        } else {
          visit(dir, i + 1);
        }
        for (const e of this.list(dir)) {
          const child = joinPkgPath(dir, e.name);
          if (this.canEnter(child, e)) visit(child, i);
        }
        return;
      }
      for (const e of this.list(dir)) {
        if (!segment.test(e.name)) continue;
        const child = joinPkgPath(dir, e.name);
        if (last) {
          if (e.kind === 'file') out.add(child);
        } else if (this.canEnter(child, e)) {
          visit(child, i + 1);
        }
      }
    };
    visit('', 0);
  }

  /** The entries of a directory (relative to the package); empty when it cannot be listed. */
  private list(dir: string): readonly Entry[] {
    const cached = this.listings.get(dir);
    if (cached !== undefined) return cached;
    const abs = path.join(this.root, this.pkg, dir);
    let dirents: fs.Dirent[];
    try {
      dirents = fs.readdirSync(abs, { withFileTypes: true });
    } catch (e) {
      if (!isUnlistable(e)) throw e;
      dirents = [];
    }
    const entries = dirents.map((d): Entry => ({ name: d.name, kind: entryKind(abs, d) }));
    this.listings.set(dir, entries);
    return entries;
  }

  /**
   * Whether the walk may enter `dir`: a real directory (not a symlink), not ignored, not a
   * top-level `pgobuild-*` output directory, and not a subpackage.
   */
  private canEnter(dir: string, entry: Entry): boolean {
    if (entry.kind !== 'dir') return false;
    const cached = this.enterable.get(dir);
    if (cached !== undefined) return cached;
    const wsPath = joinPkgPath(this.pkg, dir);
    const answer =
      !isToolOutputDir(wsPath) &&
      !isIgnoredPath(wsPath, this.ignored) &&
      !this.list(dir).some((e) => e.kind === 'file' && BUILD_NAMES.has(e.name));
    this.enterable.set(dir, answer);
    return answer;
  }
}

/**
 * Classifies a directory entry. A symlink counts as the file it points to; a symlink to a
 * directory, a dangling symlink and special files are `other` (never matched, never entered).
 */
function entryKind(dirAbs: string, d: fs.Dirent): EntryKind {
  if (d.isFile()) return 'file';
  if (d.isDirectory()) return 'dir';
  if (!d.isSymbolicLink()) return 'other';
  try {
    return fs.statSync(path.join(dirAbs, d.name)).isFile() ? 'file' : 'other';
  } catch {
    return 'other';
  }
}
