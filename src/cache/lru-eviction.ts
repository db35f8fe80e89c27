/**
 * LRU resolution: an action hit rewrites the mtime of its record and blobs only when they were
 * last touched longer ago than this, so repeated null builds do not rewrite thousands of inodes.
 */
export const LRU_TOUCH_GRANULARITY_MS = 10 * 60 * 1000;

/** One cache entry as seen by garbage collection. */
export interface EvictionCandidate {
  readonly path: string;
  readonly size: number;
  /** Last use in ms since the epoch (the disk cache uses the file's mtime, touched on hits). */
  readonly lastUsedMs: number;
}

/**
 * Chooses the least-recently-used entries to delete so that the remaining total is at most
 * `maxBytes`. Ties are broken by path so the choice is deterministic. Returns them oldest first.
 */
export function planLruEviction<E extends EvictionCandidate>(
  entries: readonly E[],
  maxBytes: number,
): E[] {
  let total = entries.reduce((sum, e) => sum + e.size, 0);
  if (total <= maxBytes) return [];
  const oldestFirst = [...entries].sort(
    (a, b) => a.lastUsedMs - b.lastUsedMs || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
  const evict: E[] = [];
  for (const e of oldestFirst) {
    if (total <= maxBytes) break;
    evict.push(e);
    total -= e.size;
  }
  return evict;
}
