import * as fs from 'node:fs';
import * as path from 'node:path';

/** BUILD file names in order of preference: Bazel reads `BUILD.bazel` when both exist. */
export const BUILD_FILE_NAMES = ['BUILD.bazel', 'BUILD'] as const;

/** Joins a workspace-relative package path and a name inside it ('' is the root package). */
export function joinPkgPath(pkg: string, name: string): string {
  return pkg === '' ? name : `${pkg}/${name}`;
}

/**
 * The BUILD file of a package, as a workspace-relative path (`examples/cmd/api/BUILD.bazel`,
 * `BUILD` for the root package) ready for diagnostics; join it with `root` to read it.
 * `BUILD.bazel` is preferred over `BUILD`; a directory named BUILD does not count. Undefined
 * when the package directory has no BUILD file.
 */
export async function buildFileOf(root: string, pkg: string): Promise<string | undefined> {
  for (const name of BUILD_FILE_NAMES) {
    const rel = joinPkgPath(pkg, name);
    // Synchronous and without exceptions: called once per package on every build, where a
    // thread-pool round trip (and an ENOENT exception) per probe would dominate a null build.
    const st = fs.statSync(path.join(root, rel), { throwIfNoEntry: false });
    if (st?.isFile() === true) return rel;
  }
  return undefined;
}
