import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Digest } from '../util/digest';

// Large enough to amortize syscalls, small enough that a blob is never held in memory whole.
const CHUNK_BYTES = 1 << 20;

/** This host's name as temp names carry it: only letters, digits and dots, so `-` separates. */
const HOST = os.hostname().replace(/[^A-Za-z0-9.]/g, '') || 'localhost';

/** `<prefix><host>-<pid>-<16 hex digits>.tmp`; the writer is recoverable from the end of the name. */
const TEMP_NAME = /([A-Za-z0-9.]+)-(\d+)-[0-9a-f]{16}\.tmp$/;

/**
 * A file name no other writer (process or async task) will pick: host, pid and 64 random bits.
 * Two builds writing the same entry at once therefore never share a temp file, and a temp file
 * left by a killed build can be recognised as such ({@link tempFileWriter}).
 */
export function uniqueTempName(prefix = ''): string {
  return `${prefix}${HOST}-${process.pid}-${randomBytes(8).toString('hex')}.tmp`;
}

/**
 * The pid of the process that created a temp file named by {@link uniqueTempName}, when that
 * process ran on this host; undefined for other names and other hosts (a cache directory may be
 * shared over a network filesystem, where a pid means nothing here).
 */
export function tempFileWriter(name: string): number | undefined {
  const m = TEMP_NAME.exec(name);
  return m !== null && m[1] === HOST ? Number(m[2]) : undefined;
}

/** SHA-256 and length of everything readable from `handle`'s current position, in chunks. */
export async function hashHandle(handle: fs.FileHandle): Promise<{ digest: Digest; size: number }> {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let size = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buf, 0, buf.length, null);
    if (bytesRead === 0) break;
    hash.update(buf.subarray(0, bytesRead));
    size += bytesRead;
  }
  return { digest: hash.digest('hex') as Digest, size };
}

/**
 * Copies everything readable from `src` (from its current position; it may be a pipe) into a new
 * file `dest` created with `mode`, hashing on the way: one read pass, one chunk in memory. `dest`
 * must not exist. On failure `dest` is removed.
 */
export async function copyAndHash(
  src: fs.FileHandle,
  dest: string,
  mode: number,
): Promise<{ digest: Digest; size: number }> {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let size = 0;
  const out = await fs.open(dest, 'wx', mode);
  try {
    for (;;) {
      const { bytesRead } = await src.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      let written = 0;
      while (written < bytesRead) {
        const r = await out.write(buf, written, bytesRead - written, null);
        written += r.bytesWritten;
      }
      size += bytesRead;
    }
  } catch (e) {
    await out.close();
    await fs.rm(dest, { force: true });
    throw e;
  }
  await out.close();
  return { digest: hash.digest('hex') as Digest, size };
}

/**
 * Replaces `dest` atomically: `fill` writes a temp file next to it (same directory, hence same
 * filesystem), which is then chmod-ed to `mode` and renamed over `dest`. Parent directories are
 * created. If `fill` resolves to false or anything throws, the temp file is removed and `dest` is
 * left as it was. A process killed in between leaves only a `.<name>.pgobuild-*.tmp` file.
 */
export async function replaceFileAtomically(
  dest: string,
  mode: number,
  fill: (tmp: string) => Promise<boolean>,
): Promise<boolean> {
  const dir = path.dirname(dest);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, uniqueTempName(`.${path.basename(dest)}.pgobuild-`));
  try {
    if (!(await fill(tmp))) {
      await fs.rm(tmp, { force: true });
      return false;
    }
    await fs.chmod(tmp, mode);
    await fs.rename(tmp, dest);
    return true;
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** Opens a file for reading, or undefined when it does not exist. */
export async function openIfExists(p: string): Promise<fs.FileHandle | undefined> {
  try {
    return await fs.open(p, 'r');
  } catch (e) {
    if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR')) return undefined;
    throw e;
  }
}

/** True when `e` is a Node system error with the given code. */
export function isErrno(e: unknown, code: string): boolean {
  // Not `instanceof Error`: errors from Node internals may come from another realm (e.g. jest's vm).
  return typeof e === 'object' && e !== null && (e as NodeJS.ErrnoException).code === code;
}
