import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { type Result, err, ok } from '../util';

/** The part of `node:fs` the check uses (tests inject failures). */
export type CacheRootFs = Pick<typeof nodeFs.promises, 'stat' | 'mkdir' | 'writeFile' | 'rm'>;

/** Most directory levels created for a cache root (a loop guard, far above any real path). */
const MAX_CREATED_LEVELS = 64;

/**
 * Checks `--disk_cache` before a command uses it, and creates it: an empty value, a path naming a
 * file or device (`/dev/null`), a directory that cannot be created (`/proc/x`, where Node's
 * recursive mkdir never returns) or one that is not writable (read-only mount, disk full) is a
 * usage error with a plain message naming the path, rather than an internal error later.
 *
 * Directories are created one level at a time so that a file system answering ENOENT to every
 * mkdir ends the walk instead of looping.
 *
 * @returns the absolute cache root, or a message for the user
 */
export async function prepareDiskCacheRoot(
  dir: string,
  cwd: string,
  fs: CacheRootFs = nodeFs.promises,
): Promise<Result<string, string>> {
  if (dir.trim() === '') {
    return err('--disk_cache is empty: name a directory (or leave the flag out for the default)');
  }
  const root = path.resolve(cwd, dir);
  const missing: string[] = [];
  let probe = root;
  for (;;) {
    const st = await statOrUndefined(fs, probe);
    if (st !== undefined) {
      if (!st.isDirectory()) {
        return err(
          probe === root
            ? `--disk_cache=${dir}: ${root} is not a directory`
            : `--disk_cache=${dir}: ${probe} is not a directory, so ${root} cannot be created in it`,
        );
      }
      break;
    }
    missing.push(probe);
    const parent = path.dirname(probe);
    if (parent === probe || missing.length > MAX_CREATED_LEVELS) {
      return err(`--disk_cache=${dir}: cannot create ${root}`);
    }
    probe = parent;
  }
  for (const d of missing.reverse()) {
    try {
      await fs.mkdir(d);
    } catch (e) {
      if (errnoCode(e) === 'EEXIST') continue;
      return err(`--disk_cache=${dir}: cannot create ${d}: ${describeErrno(e)}`);
    }
  }
  // A write probe: a read-only or full file system is found here, not in the middle of a build.
  const probeFile = path.join(root, `.pgobuild-write-probe-${process.pid}`);
  try {
    await fs.writeFile(probeFile, 'ok');
  } catch (e) {
    return err(`--disk_cache=${dir}: cannot write in ${root}: ${describeErrno(e)}`);
  } finally {
    await fs.rm(probeFile, { force: true }).catch(() => undefined);
  }
  return ok(root);
}

async function statOrUndefined(fs: CacheRootFs, p: string): Promise<nodeFs.Stats | undefined> {
  try {
    return await fs.stat(p);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined;
    if (errnoCode(e) === 'ENOTDIR') {
      // A component is a file: report it at the first existing ancestor that is not a directory.
      return undefined;
    }
    throw e;
  }
}

function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e
    ? String((e as { code: unknown }).code)
    : undefined;
}

/** A plain description of a file-system error for users (no stack). */
export function describeErrno(e: unknown): string {
  switch (errnoCode(e) ?? '') {
    case 'EROFS':
      return 'read-only file system';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'ENOTDIR':
      return 'a path component is not a directory';
    case 'ENOENT':
      return 'no such file or directory';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}
