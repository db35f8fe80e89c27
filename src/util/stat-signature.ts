import type { BigIntStats } from 'node:fs';

/**
 * A file modified this close to "now" may still change without its stat signature changing
 * (a second write within the filesystem's timestamp tick: git's "racy clean" problem), so its
 * signature is not trusted yet.
 */
export const RACY_WINDOW_MS = 2000;

/**
 * What identifies a file's contents without reading it: size, modification and change times in
 * nanoseconds, and inode. Any write changes ctime, which cannot be set back.
 */
export function statSignature(st: BigIntStats): string {
  return `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`;
}

/** The modification time (ns) inside a {@link statSignature}. */
export function signatureMtimeNs(signature: string): bigint {
  return BigInt(signature.split(':')[1] ?? '0');
}
