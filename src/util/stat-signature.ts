import type { BigIntStats } from 'node:fs';

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
