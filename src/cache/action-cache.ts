import type { ActionKey } from '../actions/action-key';
import type { Digest } from '../util/digest';
import type { ActionResult } from './action-result';
import type { CacheStats } from './cache-stats';

/**
 * Something a cache noticed that the build should report but that never fails it. A corrupt
 * entry has already been evicted and was answered as a miss, so the caller simply rebuilds.
 */
export type CacheEvent = {
  readonly kind: 'corrupt-entry';
  readonly what: 'blob' | 'action';
  /** The blob digest or the action key. */
  readonly id: string;
  /** Where the entry lived (a file path for the disk cache, a URL or pseudo-path otherwise). */
  readonly path: string;
  readonly detail: string;
};

/** Receives {@link CacheEvent}s; must not throw. */
export type CacheEventSink = (event: CacheEvent) => void;

/** Options for {@link ContentStore.putFile}. */
export interface PutFileOptions {
  /**
   * The file's digest when the caller already computed it: skips hashing on the way in. Safe
   * because every read verifies, so a wrong digest can only cost a miss, never a wrong output.
   */
  readonly knownDigest?: Digest;
  /**
   * Allow taking the file itself instead of copying it (the caller gives it up, e.g. an output in
   * a sandbox that is about to be deleted). Implementations may still copy.
   */
  readonly move?: boolean;
}

/**
 * A content-addressed store (CAS). Every read verifies the bytes against the digest: a mismatch
 * is reported as a `corrupt-entry` event, the entry is evicted, and the read answers "missing".
 *
 * `size`, where accepted, is the blob's size when the caller knows it (it always does for outputs
 * of an {@link ActionResult}). Remote backends need it to address blobs (REAPI names blobs by hash
 * and size); every backend answers "missing" when the stored blob has a different size.
 *
 * I/O errors that are not about the cache's own entries (e.g. the materialize destination is not
 * writable) are thrown.
 */
export interface ContentStore {
  /** True when the blob is present (cheap: existence and size, no hashing). */
  hasBlob(digest: Digest, size?: number): Promise<boolean>;
  /** Stores bytes; returns their digest. Idempotent, and safe to call concurrently. */
  putBlob(bytes: Uint8Array): Promise<Digest>;
  /** Stores a file's contents without holding it in memory; returns its digest and size. */
  putFile(absPath: string, opts?: PutFileOptions): Promise<{ digest: Digest; size: number }>;
  /** The verified bytes, or undefined when missing or corrupt. */
  getBlob(digest: Digest, size?: number): Promise<Uint8Array | undefined>;
  /**
   * Writes a verified, independent copy (never a link: the user may edit it) to `dest`, replacing
   * it atomically and creating parent directories; mode 0755 if `executable`, else 0644.
   * Returns false when the blob is missing or corrupt (then `dest` is left untouched).
   */
  materialize(digest: Digest, dest: string, executable: boolean, size?: number): Promise<boolean>;
  /**
   * A path to a verified, read-only copy of the blob, for symlinking into a sandbox as an input;
   * undefined when missing or corrupt. With `executable` the file is also executable (mode 0555).
   * The path stays valid until garbage collection; the caller must not write to it.
   */
  verifiedPath(digest: Digest, executable?: boolean, size?: number): Promise<string | undefined>;
}

/** A {@link ContentStore} plus the action cache (AC): {@link ActionKey} → {@link ActionResult}. */
export interface ActionCache extends ContentStore {
  /**
   * A hit only when the entry is intact and every blob it refers to (outputs, stdout, stderr) is
   * present with the recorded size; anything else is a miss (and a corrupt entry is reported and
   * evicted). Output blobs are hashed later, when they are read.
   */
  getAction(key: ActionKey): Promise<ActionResult | undefined>;
  /** Records a result; last writer wins. Store the referenced blobs first. */
  putAction(key: ActionKey, result: ActionResult): Promise<void>;
  /** Counters since this instance was created. */
  stats(): CacheStats;
}
