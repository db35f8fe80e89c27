import * as fs from 'node:fs/promises';
import type { ActionKey } from '../../actions/action-key';
import type { Digest } from '../../util/digest';
import { sha256 } from '../../util/digest';
import { unreachable } from '../../util/unreachable';
import type { ActionCache, CacheEventSink, PutFileOptions } from '../action-cache';
import type { ActionResult, BlobRef } from '../action-result';
import { referencedBlobs } from '../action-result';
import type { CacheStats, RemoteCacheStats } from '../cache-stats';
import { decodeReapiActionResult, encodeReapiActionResult } from './reapi-action-result';
import type { RemoteCacheWarning, RemoteCacheWarningSink } from './remote-cache-warning';
import type { RemoteFailure, RemoteStore } from './remote-store';

const EMPTY_DIGEST = sha256(new Uint8Array(0));

/** Options of a {@link RemoteBackedCache}. */
export interface RemoteBackedCacheOptions {
  /** `--remote_upload_local_results`: store results of actions run here on the remote. */
  readonly uploadLocalResults: boolean;
  /** Receives corrupt entries sent by the remote (the local level reports its own). */
  readonly onEvent?: CacheEventSink;
  /** Receives the remote's problems, each kind at most once. */
  readonly onWarning?: RemoteCacheWarningSink;
  /** Uploads running at once (default 4). */
  readonly maxConcurrentUploads?: number;
}

/**
 * An {@link ActionCache} with two levels: a local cache (the disk cache) first, then a remote
 * cache ({@link RemoteStore}: Bazel's HTTP protocol or REAPI over gRPC).
 *
 * - Lookups: a local hit answers; otherwise the remote's action result is used, without fetching
 *   its blobs. Blobs are downloaded only when read (`getBlob`, `materialize`, `verifiedPath`), so a
 *   build that hits everywhere downloads only what it places (its binaries, test logs), as Bazel's
 *   `--remote_download_outputs=toplevel`; an intermediate archive comes down only if an action
 *   that needs it runs locally. Downloads land in the local level.
 * - Never trust the wire: every downloaded blob is hashed before it is stored or used; a mismatch
 *   (or an undecodable action result) is reported as a `corrupt-entry` event, ignored, and answered
 *   as a miss, so the action runs locally.
 * - The build never fails because of the remote: the first failure (down, timeout, error answer)
 *   is reported once and the remote is left alone for the rest of the build; refused uploads
 *   (credentials) stop uploads only.
 * - Uploads (`--remote_upload_local_results`): only results with exit code 0 that `putAction`
 *   records (the build runner records only successful actions and passing tests), in the
 *   background after the local write, blobs before the action result; {@link flush} waits for
 *   them.
 */
export class RemoteBackedCache implements ActionCache {
  private readonly onEvent: CacheEventSink;
  private readonly onWarning: RemoteCacheWarningSink;
  private readonly maxUploads: number;
  private readable = true;
  private writable: boolean;
  private readonly warned = new Set<RemoteCacheWarning['problem']>();
  /** Sizes of blobs named by results seen in this build: gRPC addresses blobs by size. */
  private readonly sizes = new Map<Digest, number>();
  private readonly downloads = new Map<Digest, Promise<boolean>>();
  /** Blobs known to be on the remote (uploaded or found present) in this build. */
  private readonly onRemote = new Set<Digest>();
  private readonly uploadQueue: (() => Promise<void>)[] = [];
  private readonly uploadsRunning = new Set<Promise<void>>();
  private readonly counts = {
    actionHits: 0,
    actionMisses: 0,
    blobHits: 0,
    blobMisses: 0,
    bytesRead: 0,
    bytesHashed: 0,
    corruptions: 0,
  };
  private readonly remoteCounts = {
    localActionHits: 0,
    remoteActionHits: 0,
    blobsDownloaded: 0,
    bytesDownloaded: 0,
    blobsUploaded: 0,
    bytesUploaded: 0,
    resultsUploaded: 0,
    corruptions: 0,
  };

  constructor(
    private readonly local: ActionCache,
    private readonly remote: RemoteStore,
    opts: RemoteBackedCacheOptions,
  ) {
    this.writable = opts.uploadLocalResults;
    this.onEvent = opts.onEvent ?? (() => undefined);
    this.onWarning = opts.onWarning ?? (() => undefined);
    this.maxUploads = opts.maxConcurrentUploads ?? 4;
  }

  /** @inheritdoc Asks the remote (a presence check) when the local level has no such blob. */
  async hasBlob(digest: Digest, size?: number): Promise<boolean> {
    if (await this.local.hasBlob(digest, size)) return true;
    const ref = this.refOf(digest, size);
    if (ref === undefined || !this.readable) return false;
    const missing = await this.remote.findMissing([ref]);
    if (!missing.ok) {
      this.fail(missing.failure, 'read');
      return false;
    }
    return missing.value.length === 0;
  }

  /** @inheritdoc Stored locally; uploaded only as part of an action result ({@link putAction}). */
  async putBlob(bytes: Uint8Array): Promise<Digest> {
    const digest = await this.local.putBlob(bytes);
    this.sizes.set(digest, bytes.byteLength);
    return digest;
  }

  /** @inheritdoc */
  async putFile(absPath: string, opts?: PutFileOptions): Promise<{ digest: Digest; size: number }> {
    const put = await this.local.putFile(absPath, opts);
    this.sizes.set(put.digest, put.size);
    return put;
  }

  /** @inheritdoc */
  async getBlob(digest: Digest, size?: number): Promise<Uint8Array | undefined> {
    let bytes = await this.local.getBlob(digest, size);
    if (bytes === undefined && (await this.download(digest, size))) {
      bytes = await this.local.getBlob(digest, size);
    }
    if (bytes === undefined) return this.blobMiss();
    this.blobHit(bytes.byteLength);
    return bytes;
  }

  /** @inheritdoc */
  async materialize(
    digest: Digest,
    dest: string,
    executable: boolean,
    size?: number,
  ): Promise<boolean> {
    let done = await this.local.materialize(digest, dest, executable, size);
    if (!done && (await this.download(digest, size))) {
      done = await this.local.materialize(digest, dest, executable, size);
    }
    if (!done) {
      this.blobMiss();
      return false;
    }
    this.blobHit(size ?? (await fs.stat(dest)).size);
    return true;
  }

  /** @inheritdoc */
  async verifiedPath(
    digest: Digest,
    executable?: boolean,
    size?: number,
  ): Promise<string | undefined> {
    let p = await this.local.verifiedPath(digest, executable, size);
    if (p === undefined && (await this.download(digest, size))) {
      p = await this.local.verifiedPath(digest, executable, size);
    }
    if (p === undefined) return this.blobMiss();
    this.blobHit(size ?? (await fs.stat(p)).size);
    return p;
  }

  /**
   * @inheritdoc
   *
   * A remote result is a hit when it decodes to a valid result and its blobs are on the remote
   * (checked by the server over gRPC, by presence checks over HTTP); they are not downloaded here.
   */
  async getAction(key: ActionKey): Promise<ActionResult | undefined> {
    const local = await this.local.getAction(key);
    if (local !== undefined) {
      this.remember(local);
      this.counts.actionHits++;
      this.remoteCounts.localActionHits++;
      return local;
    }
    const remote = await this.remoteAction(key);
    if (remote === undefined) {
      this.counts.actionMisses++;
      return undefined;
    }
    this.remember(remote);
    for (const ref of referencedBlobs(remote)) this.onRemote.add(ref.digest);
    this.counts.actionHits++;
    this.remoteCounts.remoteActionHits++;
    return remote;
  }

  /**
   * @inheritdoc
   *
   * Written locally at once; uploaded in the background when uploads are on and the exit code is 0
   * (its blobs first, then the result; a result whose blobs are not all available locally is not
   * uploaded).
   */
  async putAction(key: ActionKey, result: ActionResult): Promise<void> {
    await this.local.putAction(key, result);
    this.remember(result);
    if (this.writable && result.exitCode === 0) {
      this.uploadQueue.push(() => this.upload(key, result));
      this.pumpUploads();
    }
  }

  /** @inheritdoc Local counters, with the remote level's under `remote`. */
  stats(): CacheStats {
    const local = this.local.stats();
    const remote: RemoteCacheStats = {
      url: this.remote.url,
      ...this.remoteCounts,
      available: this.readable,
    };
    return Object.freeze({
      actionHits: this.counts.actionHits,
      actionMisses: this.counts.actionMisses,
      blobHits: this.counts.blobHits,
      blobMisses: this.counts.blobMisses,
      bytesWritten: local.bytesWritten,
      bytesRead: this.counts.bytesRead,
      bytesHashed: local.bytesHashed + this.counts.bytesHashed,
      corruptions: local.corruptions + this.remoteCounts.corruptions,
      remote: Object.freeze(remote),
    });
  }

  /** Waits for every upload started so far (call before the build ends). */
  async flush(): Promise<void> {
    while (this.uploadsRunning.size > 0) await Promise.all([...this.uploadsRunning]);
  }

  /** Waits for uploads, then releases the remote's connections. */
  async close(): Promise<void> {
    await this.flush();
    this.remote.close();
  }

  private async remoteAction(key: ActionKey): Promise<ActionResult | undefined> {
    if (!this.readable) return undefined;
    const got = await this.remote.getActionResult(key);
    if (!got.ok) return this.fail(got.failure, 'read');
    if (got.value === undefined) return undefined;
    const decoded = decodeReapiActionResult(got.value);
    if (!decoded.ok) {
      this.corrupt('action', key, this.remote.actionLocation(key), decoded.failure.detail);
      return undefined;
    }
    const result = decoded.value;
    if (!this.remote.checksCompleteness) {
      const refs = uniqueRefs(referencedBlobs(result));
      const missing = await this.remote.findMissing(refs);
      if (!missing.ok) return this.fail(missing.failure, 'read');
      if (missing.value.length > 0) return undefined;
    }
    return result;
  }

  /** Downloads a blob into the local level (once per digest at a time); true when stored. */
  private download(digest: Digest, size: number | undefined): Promise<boolean> {
    const pending = this.downloads.get(digest);
    if (pending !== undefined) return pending;
    const started = this.fetch(digest, size).finally(() => this.downloads.delete(digest));
    this.downloads.set(digest, started);
    return started;
  }

  private async fetch(digest: Digest, size: number | undefined): Promise<boolean> {
    const ref = this.refOf(digest, size);
    if (ref === undefined || !this.readable) return false;
    if (ref.size === 0) {
      // Nothing to download: the empty blob is known, and no other blob has size 0.
      if (digest !== EMPTY_DIGEST) return false;
      await this.local.putBlob(new Uint8Array(0));
      return true;
    }
    const got = await this.remote.readBlob(ref);
    if (!got.ok) {
      this.fail(got.failure, 'read');
      return false;
    }
    const bytes = got.value;
    if (bytes === undefined) return false;
    this.counts.bytesHashed += bytes.byteLength;
    const actual = sha256(bytes);
    if (actual !== digest) {
      this.corrupt(
        'blob',
        digest,
        this.remote.blobLocation(ref),
        `content hashes to ${actual} (${bytes.byteLength} bytes, expected ${ref.size})`,
      );
      return false;
    }
    // The right content but not the size the caller expects: a miss, as locally.
    if (size !== undefined && bytes.byteLength !== size) return false;
    await this.local.putBlob(bytes);
    this.remoteCounts.blobsDownloaded++;
    this.remoteCounts.bytesDownloaded += bytes.byteLength;
    this.onRemote.add(digest);
    return true;
  }

  /** Uploads a result's blobs the remote lacks, then the result. Never throws. */
  private async upload(key: ActionKey, result: ActionResult): Promise<void> {
    const refs = uniqueRefs(referencedBlobs(result)).filter((r) => !this.onRemote.has(r.digest));
    if (refs.length > 0) {
      const missing = await this.remote.findMissing(refs);
      if (!missing.ok) return this.fail(missing.failure, 'write');
      const absent = new Set(missing.value.map((r) => r.digest));
      for (const ref of refs) {
        if (!absent.has(ref.digest)) {
          this.onRemote.add(ref.digest);
          continue;
        }
        if (!this.writable) return;
        const file = await this.local.verifiedPath(ref.digest, false, ref.size);
        // Evicted or corrupt locally (reported by the local level): upload nothing incomplete.
        if (file === undefined) return;
        const written = await this.remote.writeBlob(ref, { kind: 'file', path: file });
        if (!written.ok) return this.fail(written.failure, 'write');
        this.onRemote.add(ref.digest);
        this.remoteCounts.blobsUploaded++;
        this.remoteCounts.bytesUploaded += ref.size;
      }
    }
    if (!this.writable) return;
    const stored = await this.remote.updateActionResult(key, encodeReapiActionResult(result));
    if (!stored.ok) return this.fail(stored.failure, 'write');
    this.remoteCounts.resultsUploaded++;
  }

  private pumpUploads(): void {
    while (this.uploadsRunning.size < this.maxUploads) {
      const job = this.uploadQueue.shift();
      if (job === undefined) return;
      const running: Promise<void> = job()
        .catch((e: unknown) => {
          // A local I/O error while reading a blob to upload: uploads are best effort.
          this.fail({ reason: 'remote-error', message: `upload failed: ${String(e)}` }, 'write');
        })
        .finally(() => {
          this.uploadsRunning.delete(running);
          this.pumpUploads();
        });
      this.uploadsRunning.add(running);
    }
  }

  /**
   * Reacts to a failed remote call: refused credentials on an upload stop uploads; anything else
   * stops using the remote for this build. Each kind of problem is reported once.
   */
  private fail(f: RemoteFailure, during: 'read' | 'write'): undefined {
    const url = this.remote.url;
    switch (f.reason) {
      case 'remote-denied':
        if (during === 'write') {
          if (!this.writable) return undefined;
          this.writable = false;
          this.warn({
            problem: 'denied',
            url,
            message: `remote cache ${url} refused an upload (${f.message}): results of this build are not uploaded (check the credentials in --remote_cache or --remote_header)`,
          });
          return undefined;
        }
        return this.giveUp('denied', `refused a read (${f.message})`);
      case 'remote-unavailable':
        return this.giveUp('unavailable', `is unavailable (${f.message})`);
      case 'remote-timeout':
        return this.giveUp('timeout', `did not answer (${f.message})`);
      case 'remote-error':
        return this.giveUp('error', `failed (${f.message})`);
      default:
        return unreachable(f.reason);
    }
  }

  private giveUp(problem: RemoteCacheWarning['problem'], what: string): undefined {
    if (!this.readable) return undefined;
    this.readable = false;
    this.writable = false;
    this.warn({
      problem,
      url: this.remote.url,
      message: `remote cache ${this.remote.url} ${what}: continuing without it, building locally`,
    });
    return undefined;
  }

  private corrupt(what: 'blob' | 'action', id: string, location: string, detail: string): void {
    this.remoteCounts.corruptions++;
    this.onEvent({ kind: 'corrupt-entry', what, id, path: location, detail });
    this.warn({
      problem: 'corrupt',
      url: this.remote.url,
      message: `remote cache ${this.remote.url} sent a corrupted ${what === 'blob' ? 'blob' : 'action result'} (${id}: ${detail}): ignored, running the action locally`,
    });
  }

  private warn(w: RemoteCacheWarning): void {
    if (this.warned.has(w.problem)) return;
    this.warned.add(w.problem);
    this.onWarning(w);
  }

  private remember(result: ActionResult): void {
    for (const ref of referencedBlobs(result)) this.sizes.set(ref.digest, ref.size);
  }

  private refOf(digest: Digest, size: number | undefined): BlobRef | undefined {
    const known = size ?? this.sizes.get(digest);
    return known === undefined ? undefined : { digest, size: known };
  }

  private blobHit(bytes: number): void {
    this.counts.blobHits++;
    this.counts.bytesRead += bytes;
  }

  private blobMiss(): undefined {
    this.counts.blobMisses++;
    return undefined;
  }
}

function uniqueRefs(refs: readonly BlobRef[]): BlobRef[] {
  const seen = new Map<Digest, BlobRef>();
  for (const r of refs) if (!seen.has(r.digest)) seen.set(r.digest, r);
  return [...seen.values()];
}
