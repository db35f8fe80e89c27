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
  /** Set by a cache backed by a remote cache: what the remote level did. */
  readonly remote?: RemoteCacheStats;
}

/** What the remote level of a remote-backed cache did (see src/cache/remote). */
export interface RemoteCacheStats {
  /** The remote cache's URL (no credentials). */
  readonly url: string;
  /** `getAction` answered by the local (disk) level. */
  readonly localActionHits: number;
  /** `getAction` answered by the remote cache. */
  readonly remoteActionHits: number;
  /** Blobs and bytes downloaded (and verified) from the remote cache. */
  readonly blobsDownloaded: number;
  readonly bytesDownloaded: number;
  /** Blobs and bytes uploaded, and action results stored on the remote cache. */
  readonly blobsUploaded: number;
  readonly bytesUploaded: number;
  readonly resultsUploaded: number;
  /** Blobs or action results from the remote cache that failed verification (all ignored). */
  readonly corruptions: number;
  /** False once the remote was given up for this build (down, timing out, failing). */
  readonly available: boolean;
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
