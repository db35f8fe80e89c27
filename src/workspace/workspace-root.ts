import * as fs from 'node:fs';
import * as path from 'node:path';
import { isUnlistable } from './fs-errors';

/** Files whose presence marks a directory as the workspace root, as in Bazel. */
export const WORKSPACE_MARKERS = ['MODULE.bazel', 'WORKSPACE.bazel', 'WORKSPACE'] as const;

/** True when `dir` holds one of the {@link WORKSPACE_MARKERS} as a file (or symlink to one). */
async function hasMarker(dir: string): Promise<boolean> {
  for (const name of WORKSPACE_MARKERS) {
    try {
      if ((await fs.promises.stat(path.join(dir, name))).isFile()) return true;
    } catch (e) {
      // An unreadable ancestor (permission denied) simply has no marker we can see.
      if (!isUnlistable(e)) throw e;
    }
  }
  return false;
}

/**
 * Walks up from `startDir` (made absolute against the process cwd) to the nearest directory
 * holding a WORKSPACE, WORKSPACE.bazel or MODULE.bazel file, and returns its absolute path;
 * undefined when no ancestor has one.
 */
export async function findWorkspaceRoot(startDir: string): Promise<string | undefined> {
  let dir = path.resolve(startDir);
  for (;;) {
    if (await hasMarker(dir)) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * `absPath` relative to the workspace root with `/` separators, as packages are named: '' for the
 * root itself, and starting with `..` when `absPath` lies outside the workspace.
 */
export function workspaceRelative(root: string, absPath: string): string {
  return path.relative(root, absPath).split(path.sep).join('/');
}
