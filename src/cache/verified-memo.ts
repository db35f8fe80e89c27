import type { BigIntStats } from 'node:fs';
import type { ActionKey } from '../actions/action-key';
import type { Digest } from '../util/digest';
import type { ActionResult } from './action-result';

/** At most this many files are remembered per memo; past it the memo starts over (a rare reread). */
const MAX_ENTRIES = 200_000;

/**
 * What this process learned from reading a cache file, kept with the state of the file it read:
 * the answer holds only while the file still has the same identity and timestamps (device, inode,
 * size, mtime and ctime in nanoseconds). Any write, replacement, chmod or touch changes one of
 * them and forces a reread; ctime cannot be set by ordinary users, so resetting the mtime after an
 * edit does not fool it. Bounded, because a server keeps its memos for its whole life.
 */
class FileStateMemo<K, V> {
  private readonly seen = new Map<K, { readonly at: string; readonly value: V }>();

  /** What was learned from the file `stats` describes, if it is the one that was read. */
  get(key: K, stats: BigIntStats): V | undefined {
    const known = this.seen.get(key);
    return known !== undefined && known.at === fingerprint(stats) ? known.value : undefined;
  }

  /** Records that the file described by `stats` gave `value`. */
  remember(key: K, stats: BigIntStats, value: V): void {
    if (this.seen.size >= MAX_ENTRIES) this.seen.clear();
    this.seen.set(key, { at: fingerprint(stats), value });
  }

  forget(key: K): void {
    this.seen.delete(key);
  }
}

/**
 * Remembers which blob files this process has already hashed and found intact, so repeated reads
 * of the same blob skip rehashing while its file is unchanged (see {@link FileStateMemo}).
 */
export class VerifiedMemo {
  private readonly states = new FileStateMemo<Digest, true>();

  /** True when `stats` describes the same file state that was verified for `digest`. */
  isVerified(digest: Digest, stats: BigIntStats): boolean {
    return this.states.get(digest, stats) === true;
  }

  /** Records that the file described by `stats` was hashed and holds `digest`'s bytes. */
  remember(digest: Digest, stats: BigIntStats): void {
    this.states.remember(digest, stats, true);
  }

  /** Forgets `digest` (its file was evicted or found corrupt). */
  forget(digest: Digest): void {
    this.states.forget(digest);
  }
}

/**
 * Remembers the action records this process has read, decoded and validated, while their files
 * are unchanged (see {@link FileStateMemo}): a warm server's next build answers its hundreds of
 * cached actions with one `lstat` each instead of reading and decoding every record. A record
 * that is replaced, edited or touched for LRU is read again.
 */
export class RecordMemo extends FileStateMemo<ActionKey, ActionResult> {}

function fingerprint(s: BigIntStats): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}
