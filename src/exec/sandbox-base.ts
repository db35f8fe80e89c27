import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

/** `statfs`'s type of Linux's memory file system. */
export const TMPFS_MAGIC = 0x01021994;

/** Where Linux mounts a memory file system for every user. */
const SHARED_MEMORY = '/dev/shm';

/**
 * The directory under which this user's builds make their exec roots (each build process its own
 * subdirectory):
 *
 * - under `$PGOBUILD_SANDBOX_BASE` when it is set (Bazel's `--sandbox_base`);
 * - else under /dev/shm when it is a memory file system (Linux), as Bazel users set with
 *   `--sandbox_base=/dev/shm`. Every action makes a tree of directories and links and removes it;
 *   on a disk file system those metadata writes cost the tool spawner about 7 ms of system CPU
 *   per action in a 1,000-package cold build, on the 2 cores the compilers need (bench/README.md,
 *   "Per-action overhead"). Exec roots hold links, the importcfg and the outputs until they are in
 *   the cache, so they take little memory;
 * - else under the temporary directory.
 *
 * The memory directory is used only if it is a real directory owned by this user (not a link
 * another user planted).
 */
export async function sandboxParent(): Promise<string> {
  const name = `pgobuild-sandbox-${process.getuid?.() ?? 'user'}`;
  const chosen = process.env['PGOBUILD_SANDBOX_BASE'];
  if (chosen !== undefined && chosen !== '') return path.join(path.resolve(chosen), name);
  const inMemory = path.join(SHARED_MEMORY, name);
  if ((await isMemoryFileSystem(SHARED_MEMORY)) && (await isOwnDirectory(inMemory))) {
    return inMemory;
  }
  return path.join(os.tmpdir(), name);
}

async function isMemoryFileSystem(dir: string): Promise<boolean> {
  try {
    return (await fsp.statfs(dir)).type === TMPFS_MAGIC;
  } catch {
    return false;
  }
}

/** Makes `dir` if missing; true if it is then a directory of this user's that it can write. */
async function isOwnDirectory(dir: string): Promise<boolean> {
  try {
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    const st = await fsp.lstat(dir);
    if (!st.isDirectory() || (process.getuid !== undefined && st.uid !== process.getuid())) {
      return false;
    }
    await fsp.access(dir, fsp.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
