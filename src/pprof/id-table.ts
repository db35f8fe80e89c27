/** IDs below this are array indices; beyond it a sparse array would waste memory. */
const DENSE_LIMIT = 1 << 22;

function isDense(id: number | bigint): id is number {
  return typeof id === 'number' && id >= 0 && id < DENSE_LIMIT;
}

/**
 * A map from pprof IDs (uint64, usually small and dense: Go numbers locations and functions 1, 2,
 * 3, …) to decoded entries. Small IDs index an array, which is several times faster than a Map
 * on the 100,000-odd lookups of a large profile; any other ID falls back to a Map.
 */
export class IdTable<T> {
  private readonly dense: (T | undefined)[] = [];
  private readonly sparse = new Map<number | bigint, T>();

  /** `id` as {@link int64Key} gives it: a number when safe, a bigint otherwise. */
  get(id: number | bigint): T | undefined {
    return isDense(id) ? this.dense[id] : this.sparse.get(id);
  }

  set(id: number | bigint, value: T): void {
    if (isDense(id)) {
      // Fill holes explicitly so the array stays packed when IDs arrive out of order.
      while (this.dense.length < id) this.dense.push(undefined);
      this.dense[id] = value;
    } else {
      this.sparse.set(id, value);
    }
  }
}
