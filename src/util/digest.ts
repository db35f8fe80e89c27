import { createHash } from 'node:crypto';

/**
 * A SHA-256 content digest in lowercase hex. Branded so that it cannot be confused with other
 * strings (paths, keys, labels).
 */
export type Digest = string & { readonly __brand: 'Digest' };

/** SHA-256 of bytes, as a {@link Digest}. */
export function sha256(data: Uint8Array | string): Digest {
  return createHash('sha256').update(data).digest('hex') as Digest;
}

/** True when `s` looks like a digest (64 lowercase hex characters). */
export function isDigest(s: string): s is Digest {
  return /^[0-9a-f]{64}$/.test(s);
}
