import type { BigIntStats } from 'node:fs';
import type { ActionKey } from '../actions/action-key';
import type { Digest } from '../util/digest';
import type { ActionResult } from './action-result';

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

/** At most this many decoded records are kept; past it the memo starts over (a rare reread). */
const MAX_RECORDS = 200_000;

/**
 * Remembers the action records this process has read, decoded and validated, with the state of
 * their files (as {@link VerifiedMemo} does for blobs): while a record's file keeps the same
 * identity and timestamps it holds the same bytes, so a warm server's next build answers its
 * hundreds of cached actions with one `lstat` each instead of reading and decoding every record.
 * A record that is replaced, edited or touched for LRU is read again.
 */
export class RecordMemo {
  private readonly seen = new Map<
    ActionKey,
    { readonly at: string; readonly result: ActionResult }
  >();

  /** The decoded record, if the file described by `stats` is the one that was decoded. */
  get(key: ActionKey, stats: BigIntStats): ActionResult | undefined {
    const known = this.seen.get(key);
    return known !== undefined && known.at === fingerprint(stats) ? known.result : undefined;
  }

  /** Records that the file described by `stats` decodes to `result`. */
  remember(key: ActionKey, stats: BigIntStats, result: ActionResult): void {
    if (this.seen.size >= MAX_RECORDS) this.seen.clear();
    this.seen.set(key, { at: fingerprint(stats), result });
  }
}

function fingerprint(s: BigIntStats): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}
