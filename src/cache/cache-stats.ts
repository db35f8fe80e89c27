/** Counters a cache keeps since it was created; the build reports them. */
export interface CacheStats {
  /** `getAction` answered with a complete, intact result. */
  readonly actionHits: number;
  /** `getAction` answered undefined (absent, corrupt, or a referenced blob is missing). */
  readonly actionMisses: number;
  /** Blob reads (`getBlob`, `materialize`, `verifiedPath`) that returned verified content. */
  readonly blobHits: number;
  /** Blob reads that found nothing usable (absent, wrong size, or corrupt). */
  readonly blobMisses: number;
  /** Bytes of blobs stored by this instance (a put of a blob already present writes nothing). */
  readonly bytesWritten: number;
  /** Bytes of blobs handed out by verified reads. */
  readonly bytesRead: number;
  /**
   * Bytes hashed to verify reads. Lower than `bytesRead` when blobs already verified in this
   * process are read again (their files unchanged), which skips rehashing.
   */
  readonly bytesHashed: number;
  /** Corrupt entries seen (each was reported as an event and evicted). */
  readonly corruptions: number;
}

/** The mutable counterpart of {@link CacheStats}, owned by a cache implementation. */
export class CacheCounters {
  actionHits = 0;
  actionMisses = 0;
  blobHits = 0;
  blobMisses = 0;
  bytesWritten = 0;
  bytesRead = 0;
  bytesHashed = 0;
  corruptions = 0;

  /** A frozen copy of the current values. */
  snapshot(): CacheStats {
    return Object.freeze({
      actionHits: this.actionHits,
      actionMisses: this.actionMisses,
      blobHits: this.blobHits,
      blobMisses: this.blobMisses,
      bytesWritten: this.bytesWritten,
      bytesRead: this.bytesRead,
      bytesHashed: this.bytesHashed,
      corruptions: this.corruptions,
    });
  }
}
