import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUILD_FILE_NAMES, joinPkgPath } from './build-file';
import { isUnlistable } from './fs-errors';
import { isIgnoredPath, loadIgnoreList } from './ignore-list';

/**
 * True for a top-level directory that pgobuild itself creates (`pgobuild-out` and any other
 * `pgobuild-*` convenience directory). Such directories hold outputs, never sources.
 */
export function isToolOutputDir(relPath: string): boolean {
  return !relPath.includes('/') && relPath.startsWith('pgobuild-');
}

/**
 * True when package discovery never looks into the workspace-relative directory `relPath`:
 * it, or one of its ancestors, is hidden (name starts with '.'), is `node_modules`, is a
 * top-level `pgobuild-*` directory, or is listed in `.pgobuildignore`.
 */
export function isSkippedByDiscovery(relPath: string, ignored: ReadonlySet<string>): boolean {
  if (relPath === '') return false;
  const segments = relPath.split('/');
  if (segments.some((s) => s.startsWith('.') || s === 'node_modules')) return true;
  return isToolOutputDir(segments[0] ?? '') || isIgnoredPath(relPath, ignored);
}

/** Names of BUILD files, for the per-directory check. */
const BUILD_NAMES: ReadonlySet<string> = new Set(BUILD_FILE_NAMES);

/**
 * True when a directory entry is a BUILD file: a regular file, or a symlink to one (a directory
 * named BUILD does not make a package).
 */
async function isBuildFileEntry(dir: string, entry: fs.Dirent): Promise<boolean> {
  if (!BUILD_NAMES.has(entry.name)) return false;
  if (entry.isFile()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return (await fs.promises.stat(path.join(dir, entry.name))).isFile();
  } catch {
    // A dangling BUILD symlink does not make a package.
    return false;
  }
}

/**
 * All packages (directories with a BUILD or BUILD.bazel file) at or under `pkg`, as sorted
 * workspace-relative paths ('' for the root package).
 *
 * Skips hidden directories, `node_modules`, top-level `pgobuild-*` directories and everything
 * listed in `<root>/.pgobuildignore` (see {@link isSkippedByDiscovery}); when `pkg` itself lies in
 * a skipped directory the result is empty, so `//a/...` always selects a subset of `//...`.
 * Symlinked directories are not followed (this also makes symlink loops harmless). Directories
 * that cannot be listed (vanished, permission denied) are treated as empty.
 */
export async function discoverPackages(root: string, pkg: string): Promise<string[]> {
  const ignored = loadIgnoreList(root);
  if (isSkippedByDiscovery(pkg, ignored)) return [];

  const found: string[] = [];
  // An explicit stack rather than recursion: deep trees cannot overflow, and one directory is
  // listed at a time, which keeps file-descriptor use bounded.
  const pending: string[] = [pkg];
  for (let rel = pending.pop(); rel !== undefined; rel = pending.pop()) {
    const dir = path.join(root, rel);
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (isUnlistable(e)) continue;
      throw e;
    }
    let isPackage = false;
    for (const entry of entries) {
      if (!isPackage && (await isBuildFileEntry(dir, entry))) isPackage = true;
      // Dirent.isDirectory() is false for a symlink, so symlinked directories are never entered.
      if (entry.isDirectory()) {
        const child = joinPkgPath(rel, entry.name);
        if (!isSkippedByDiscovery(child, ignored)) pending.push(child);
      }
    }
    if (isPackage) found.push(rel);
  }
  return found.sort(compareStrings);
}

/** Orders strings by UTF-16 code units, independent of locale (so output is reproducible). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
