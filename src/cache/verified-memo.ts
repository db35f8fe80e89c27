import type { BigIntStats } from 'node:fs';
import type { Digest } from '../util/digest';

/**
 * Remembers which blob files this process has already hashed and found intact, so repeated reads
 * of the same blob skip rehashing. A blob counts as verified only while its file still has the
 * same identity and timestamps (device, inode, size, mtime and ctime in nanoseconds): any write,
 * replacement or chmod changes one of them and forces a rehash. ctime cannot be set by ordinary
 * users, so resetting the mtime after an edit does not fool it.
 */
export class VerifiedMemo {
  private readonly seen = new Map<Digest, string>();

  /** True when `stats` describes the same file state that was verified for `digest`. */
  isVerified(digest: Digest, stats: BigIntStats): boolean {
    return this.seen.get(digest) === fingerprint(stats);
  }

  /** Records that the file described by `stats` was hashed and holds `digest`'s bytes. */
  remember(digest: Digest, stats: BigIntStats): void {
    this.seen.set(digest, fingerprint(stats));
  }

  /** Forgets `digest` (its file was evicted or found corrupt). */
  forget(digest: Digest): void {
    this.seen.delete(digest);
  }
}

function fingerprint(s: BigIntStats): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}
