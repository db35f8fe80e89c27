import type { BigIntStats } from 'node:fs';
import * as fsSync from 'node:fs';
import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ActionKey } from '../actions/action-key';
import type { Digest } from '../util/digest';
import { sha256 } from '../util/digest';
import { isProcessAlive } from '../util/process';
import type { ActionCache, CacheEvent, CacheEventSink, PutFileOptions } from './action-cache';
import { decodeActionRecord, encodeActionRecord } from './action-record';
import type { ActionResult } from './action-result';
import { referencedBlobs, validateActionResult } from './action-result';
import type { CacheStats } from './cache-stats';
import { CacheCounters } from './cache-stats';
import { DiskLayout } from './disk-layout';
import {
  copyAndHash,
  hashHandle,
  isErrno,
  openIfExists,
  replaceFileAtomically,
  tempFileWriter,
  uniqueTempName,
} from './file-io';
import { LRU_TOUCH_GRANULARITY_MS, planLruEviction } from './lru-eviction';
import { RecordMemo, VerifiedMemo } from './verified-memo';

/** Temp files older than this are leftovers of a killed writer; younger ones may be in use. */
export const STALE_TEMP_AGE_MS = 60 * 60 * 1000;

function isStale(st: BigIntStats): boolean {
  return Date.now() - Number(st.mtimeMs) > LRU_TOUCH_GRANULARITY_MS;
}

/** Options of a {@link DiskCache}. */
export interface DiskCacheOptions {
  /** Receives corruption reports (the entry is already evicted and answered as a miss). */
  readonly onEvent?: CacheEventSink;
}

/**
 * The longest a size estimate is trusted before {@link DiskCache.collectGarbageIfDue} rescans the
 * cache: estimates miss writes whose processes raced on the state file (and writes by older
 * pgobuilds), and a rescan is what corrects them.
 */
export const GC_RESCAN_INTERVAL_MS = 60 * 60 * 1000;

/** `<root>/v1/gc-state.json`: the cache's total entry bytes as last estimated, and when it was scanned. */
interface GcState {
  readonly scannedAtMs: number;
  readonly bytes: number;
}

/** What {@link DiskCache.collectGarbage} removed. */
export interface GarbageCollection {
  /** Bytes of CAS blobs and AC records deleted. */
  readonly removedBytes: number;
  /** Number of CAS blobs and AC records deleted. */
  readonly removedEntries: number;
  /** Temp files of dead writers, or older than {@link STALE_TEMP_AGE_MS}, deleted. */
  readonly removedTempFiles: number;
}

interface ScannedEntry {
  readonly kind: 'blob' | 'action';
  /** The file name: a digest for blobs, an action key for records. */
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly lastUsedMs: number;
}

/** A file to rename into place, produced by a writer that filled a temp file. */
interface Commit {
  readonly dest: string;
  /** Set when the temp file holds exactly these bytes, hashed while writing. */
  readonly verified?: Digest;
}

/** What this process knows of the blobs and records of one cache directory. */
interface Memos {
  readonly blobs: VerifiedMemo;
  readonly records: RecordMemo;
}

/** The memos of each cache directory this process opened (see {@link memosOf}). */
const MEMOS = new Map<string, Memos>();

/**
 * One set of memos per cache directory and process, shared by every {@link DiskCache} opened on
 * it: the server opens one per command, and without this each edit-rebuild would rehash every
 * blob its link reads and decode every record again. Sharing keeps the guarantee, which is per
 * file state, not per instance: an entry holds only while the file's device, inode, size, mtime
 * and ctime are those that were hashed or decoded.
 */
function memosOf(base: string): Memos {
  let memos = MEMOS.get(base);
  if (memos === undefined) {
    memos = { blobs: new VerifiedMemo(), records: new RecordMemo() };
    MEMOS.set(base, memos);
  }
  return memos;
}

/** Every entry is read-only; the CAS relies on files changing only by being replaced. */
const ENTRY_MODE = 0o444;
const EXECUTABLE_BLOB_MODE = 0o555;

/**
 * The local disk cache (CAS + AC) under one root, shared safely by concurrent builds: every entry
 * is written to a unique temp file and renamed into place, so readers never see partial entries
 * and simultaneous writers of the same entry both succeed (same key, same bytes for the CAS; last
 * writer wins for the AC). Layout: see {@link DiskLayout}.
 *
 * Every blob read is verified against its digest, except that a blob this instance already hashed
 * is trusted while its file is unchanged (see {@link VerifiedMemo}). AC records carry a checksum
 * (see action-record.ts). A corrupt entry is reported through `onEvent`, deleted, and answered as
 * a miss.
 *
 * Hits touch the mtime of the entries they use; {@link collectGarbage} deletes by oldest mtime.
 */
export class DiskCache implements ActionCache {
  /** Paths of the on-disk layout. */
  readonly layout: DiskLayout;
  private readonly onEvent: CacheEventSink;
  private readonly counters = new CacheCounters();
  private readonly memo: VerifiedMemo;
  private readonly records: RecordMemo;
  /** Total entry bytes at the last scan; undefined until the first {@link sizeBytes}. */
  private sizeAtScan: number | undefined;
  /** Bytes this instance added (or removed) since that scan. */
  private sizeDelta = 0;
  /** Bytes this instance added (or removed) not yet added to the state file's estimate. */
  private unrecordedDelta = 0;
  /** See {@link cacheDevice}. */
  private device: Promise<bigint> | undefined;

  /** `root` is the cache root (the `v1` tree is created beneath it on first write). */
  constructor(root: string, opts: DiskCacheOptions = {}) {
    this.layout = new DiskLayout(root);
    this.onEvent = opts.onEvent ?? (() => undefined);
    const memos = memosOf(this.layout.base);
    this.memo = memos.blobs;
    this.records = memos.records;
  }

  /** @inheritdoc */
  async hasBlob(digest: Digest, size?: number): Promise<boolean> {
    const st = await lstatIfExists(this.layout.blobPath(digest));
    return st !== undefined && st.isFile() && (size === undefined || Number(st.size) === size);
  }

  /** @inheritdoc */
  async putBlob(bytes: Uint8Array): Promise<Digest> {
    const digest = sha256(bytes);
    const dest = this.layout.blobPath(digest);
    if (await this.isKnownIntact(digest, dest)) {
      await this.touch(dest, digest);
      return digest;
    }
    await this.commit(async (tmp) => {
      await fs.writeFile(tmp, bytes, { mode: ENTRY_MODE, flag: 'wx' });
      return { dest, verified: digest };
    });
    this.counters.bytesWritten += bytes.byteLength;
    return digest;
  }

  /**
   * @inheritdoc
   *
   * With `move`, a regular file with a single link is renamed into the CAS (made read-only first)
   * when it is on the same filesystem; otherwise it is copied (a reflink where supported).
   */
  async putFile(
    absPath: string,
    opts: PutFileOptions = {},
  ): Promise<{ digest: Digest; size: number }> {
    const src = await fs.open(absPath, 'r');
    try {
      const st = await src.stat({ bigint: true });
      // A file on another file system (an exec root in memory) is copied while it is hashed: one
      // read, and the copy is known intact, where hashing first and then failing to rename it
      // would read it twice and leave the copy to be hashed again on first use.
      const movable =
        opts.move === true &&
        st.dev === (await this.cacheDevice()) &&
        (await isLoneRegularFile(absPath));
      if (opts.knownDigest !== undefined || movable) {
        const { digest, size } =
          opts.knownDigest !== undefined
            ? { digest: opts.knownDigest, size: Number(st.size) }
            : await hashHandle(src);
        const dest = this.layout.blobPath(digest);
        if (await this.isKnownIntact(digest, dest)) {
          await this.touch(dest, digest);
          return { digest, size };
        }
        // Only a digest computed here may mark the result as verified.
        const verified = opts.knownDigest === undefined ? digest : undefined;
        if (!(movable && (await this.moveIn(absPath, dest, st, verified)))) {
          await this.commit(async (tmp) => {
            await fs.copyFile(absPath, tmp, fsConstants.COPYFILE_FICLONE);
            return { dest };
          });
        }
        this.counters.bytesWritten += size;
        return { digest, size };
      }
      // The destination is known only once the bytes are hashed, so hash while copying.
      let copied: { digest: Digest; size: number } | undefined;
      await this.commit(async (tmp) => {
        copied = await copyAndHash(src, tmp, ENTRY_MODE);
        return { dest: this.layout.blobPath(copied.digest), verified: copied.digest };
      });
      if (copied === undefined) throw new Error('unreachable: commit did not fill');
      this.counters.bytesWritten += copied.size;
      return copied;
    } finally {
      await src.close();
    }
  }

  /** @inheritdoc */
  async getBlob(digest: Digest, size?: number): Promise<Uint8Array | undefined> {
    const p = this.layout.blobPath(digest);
    const h = await openIfExists(p);
    if (h === undefined) return this.blobMiss();
    let bytes: Buffer;
    try {
      const st = await h.stat({ bigint: true });
      if (!st.isFile()) {
        await this.blobCorrupt(digest, p, st, 'not a regular file');
        return this.blobMiss();
      }
      bytes = await h.readFile();
      if (!this.memo.isVerified(digest, st)) {
        this.counters.bytesHashed += bytes.length;
        const actual = sha256(bytes);
        if (actual !== digest) {
          await this.blobCorrupt(digest, p, st, `content hashes to ${actual}`);
          return this.blobMiss();
        }
        await this.rememberIfUnchanged(digest, h, st);
      }
    } finally {
      await h.close();
    }
    if (size !== undefined && bytes.length !== size) return this.blobMiss();
    await this.touch(p, digest);
    this.counters.blobHits++;
    this.counters.bytesRead += bytes.length;
    return bytes;
  }

  /** @inheritdoc */
  async materialize(
    digest: Digest,
    dest: string,
    executable: boolean,
    size?: number,
  ): Promise<boolean> {
    const p = this.layout.blobPath(digest);
    const h = await openIfExists(p);
    if (h === undefined) {
      this.blobMiss();
      return false;
    }
    let blobSize: number;
    try {
      const st = await h.stat({ bigint: true });
      if (!st.isFile()) {
        await this.blobCorrupt(digest, p, st, 'not a regular file');
        this.blobMiss();
        return false;
      }
      blobSize = Number(st.size);
      if (size !== undefined && blobSize !== size) {
        // Either the blob is truncated (report it) or the caller's size is wrong: a miss anyway.
        await this.verify(digest, p, h, st);
        this.blobMiss();
        return false;
      }
      const trusted = this.memo.isVerified(digest, st);
      const done = await replaceFileAtomically(dest, executable ? 0o755 : 0o644, async (tmp) => {
        if (trusted) {
          await fs.copyFile(p, tmp, fsConstants.COPYFILE_FICLONE);
          return true;
        }
        // One pass: the copy is hashed as it is written, so what lands in `dest` is what was
        // verified, whatever happens to the blob file meanwhile.
        const copied = await copyAndHash(h, tmp, 0o600);
        this.counters.bytesHashed += copied.size;
        if (copied.digest !== digest) {
          await this.blobCorrupt(digest, p, st, `content hashes to ${copied.digest}`);
          return false;
        }
        await this.rememberIfUnchanged(digest, h, st);
        return true;
      });
      if (!done) {
        this.blobMiss();
        return false;
      }
    } finally {
      await h.close();
    }
    await this.touch(p, digest);
    this.counters.blobHits++;
    this.counters.bytesRead += blobSize;
    return true;
  }

  /**
   * @inheritdoc
   *
   * The path is the CAS file itself (mode 0444, or 0555 once asked for as executable; the mode is
   * restored if someone made it writable). An action that writes through a symlink to it can
   * therefore corrupt the CAS; the next read of that blob detects and evicts it.
   */
  async verifiedPath(
    digest: Digest,
    executable = false,
    size?: number,
  ): Promise<string | undefined> {
    const p = this.layout.blobPath(digest);
    // The common case, every input of every action: a blob this instance has verified (or
    // written) and left as it was. One lstat proves it (same inode, size and timestamps); only
    // other blobs are opened and hashed. Synchronous, as in getAction: a link checks a hundred
    // inputs, and a round trip through the thread pool each would wait on the event loop, busy
    // with the build's other lookups.
    const seen = lstatSyncIfExists(p);
    if (
      seen !== undefined &&
      seen.isFile() &&
      this.memo.isVerified(digest, seen) &&
      (size === undefined || Number(seen.size) === size) &&
      (Number(seen.mode) & 0o777) === (executable ? EXECUTABLE_BLOB_MODE : ENTRY_MODE)
    ) {
      if (isStale(seen)) await this.touch(p, digest);
      this.counters.blobHits++;
      this.counters.bytesRead += Number(seen.size);
      return p;
    }
    const h = await openIfExists(p);
    if (h === undefined) return this.blobMiss();
    let blobSize: number;
    let stale: boolean;
    try {
      const st = await h.stat({ bigint: true });
      if (!st.isFile()) {
        await this.blobCorrupt(digest, p, st, 'not a regular file');
        return this.blobMiss();
      }
      if (!(await this.verify(digest, p, h, st))) return this.blobMiss();
      blobSize = Number(st.size);
      if (size !== undefined && blobSize !== size) return this.blobMiss();
      const mode = Number(st.mode) & 0o777;
      const wanted = executable || (mode & 0o111) !== 0 ? EXECUTABLE_BLOB_MODE : ENTRY_MODE;
      if (mode !== wanted) {
        await h.chmod(wanted);
        // chmod changes ctime only; the content was verified just above.
        this.memo.remember(digest, await h.stat({ bigint: true }));
      }
      stale = isStale(st);
    } finally {
      await h.close();
    }
    // As for action records: a blob used within LRU_TOUCH_GRANULARITY_MS is recent enough for
    // LRU, and this is the hot path of every action's inputs (three syscalls saved per input).
    if (stale) await this.touch(p, digest);
    this.counters.blobHits++;
    this.counters.bytesRead += blobSize;
    return p;
  }

  /** @inheritdoc */
  async getAction(key: ActionKey): Promise<ActionResult | undefined> {
    // The hot path of every null build: small files and stats, done synchronously because one
    // lookup costs microseconds while a promise round-trip through the thread pool costs more.
    const p = this.layout.actionPath(key);
    const st = fsSync.lstatSync(p, { bigint: true, throwIfNoEntry: false });
    if (st === undefined) return this.actionMiss();
    if (!st.isFile()) return await this.actionCorrupt(key, p, st, 'not a regular file');
    let result = this.records.get(key, st);
    if (result === undefined) {
      let bytes: Buffer;
      try {
        bytes = fsSync.readFileSync(p);
      } catch (e) {
        if (isErrno(e, 'ENOENT')) return this.actionMiss();
        throw e;
      }
      const decoded = decodeActionRecord(bytes, key);
      if (!decoded.ok) return this.actionCorrupt(key, p, st, decoded.failure.detail);
      result = decoded.value;
      // Bytes read from a file replaced or edited since the lstat are remembered under the
      // earlier state, which the path no longer has: the next lookup reads again.
      this.records.remember(key, st, result);
    }
    const refs = referencedBlobs(result);
    // Completeness: an entry whose outputs were evicted is useless. Stat only; reads hash later.
    const stale: { path: string; digest?: Digest }[] = [];
    if (isStale(st)) stale.push({ path: p });
    for (const r of refs) {
      const blobPath = this.layout.blobPath(r.digest);
      const blob = fsSync.lstatSync(blobPath, { bigint: true, throwIfNoEntry: false });
      if (blob === undefined || !blob.isFile() || Number(blob.size) !== r.size)
        return this.actionMiss();
      if (isStale(blob)) stale.push({ path: blobPath, digest: r.digest });
    }
    // Touch the record and its blobs together so LRU keeps or drops them as a unit. An entry used
    // within the last LRU_TOUCH_GRANULARITY_MS is recent enough: skip rewriting its mtime.
    await Promise.all(stale.map((e) => this.touch(e.path, e.digest)));
    this.counters.actionHits++;
    return result;
  }

  /** @inheritdoc Throws on a malformed result (a bug in the caller). */
  async putAction(key: ActionKey, result: ActionResult): Promise<void> {
    const valid = validateActionResult(result);
    if (!valid.ok) throw new Error(`invalid ActionResult for ${key}: ${valid.failure.detail}`);
    const bytes = encodeActionRecord(key, valid.value);
    const dest = this.layout.actionPath(key);
    await this.commit(async (tmp) => {
      await fs.writeFile(tmp, bytes, { mode: ENTRY_MODE, flag: 'wx' });
      return { dest };
    });
  }

  /** @inheritdoc */
  stats(): CacheStats {
    return this.counters.snapshot();
  }

  /**
   * Total bytes of CAS blobs and AC records. The first call scans the tree; later calls add what
   * this instance wrote or deleted since, so they are free but do not see other processes' writes
   * until the next scan ({@link collectGarbage} rescans).
   */
  async sizeBytes(): Promise<number> {
    if (this.sizeAtScan === undefined) {
      const entries = await this.scan();
      this.sizeAtScan = entries.reduce((sum, e) => sum + e.size, 0);
      this.sizeDelta = 0;
    }
    return this.sizeAtScan + this.sizeDelta;
  }

  /**
   * Deletes least-recently-used CAS blobs and AC records until their total is at most `maxBytes`,
   * and stale temp files. An entry touched by a concurrent hit after the scan is spared. AC records
   * whose blobs were deleted stay until evicted themselves; `getAction` answers them as misses.
   */
  async collectGarbage(maxBytes: number): Promise<GarbageCollection> {
    const removedTempFiles = await this.removeStaleTempFiles();
    const entries = await this.scan();
    const total = entries.reduce((sum, e) => sum + e.size, 0);
    let removedBytes = 0;
    let removedEntries = 0;
    for (const e of planLruEviction(entries, maxBytes)) {
      const now = await lstatIfExists(e.path);
      if (now === undefined || Number(now.mtimeMs) !== e.lastUsedMs) continue;
      await fs.rm(e.path, { force: true, recursive: now.isDirectory() });
      if (e.kind === 'blob') this.memo.forget(e.name as Digest);
      removedBytes += e.size;
      removedEntries++;
    }
    this.sizeAtScan = total - removedBytes;
    this.sizeDelta = 0;
    return { removedBytes, removedEntries, removedTempFiles };
  }

  /**
   * What a build runs after writing to the cache: stale temp files are always removed, and a full
   * {@link collectGarbage} (a scan of every entry) runs only when it is due: when the estimated
   * size (the state file's, kept by every process that writes, plus what this instance wrote
   * since it last recorded) exceeds `maxBytes`, when there is no estimate, or when the last scan
   * is older than {@link GC_RESCAN_INTERVAL_MS}. Otherwise the estimate is updated, which costs a
   * file read and an atomic write instead of an `lstat` of every entry. Returns what the full
   * collection removed, or undefined when none was due. A read-only cache keeps no state and is
   * scanned every time.
   */
  async collectGarbageIfDue(
    maxBytes: number,
    now: number = Date.now(),
  ): Promise<GarbageCollection | undefined> {
    const state = await this.readGcState();
    const estimate = (state?.bytes ?? 0) + this.unrecordedDelta;
    const scannedAtMs = state?.scannedAtMs ?? -Infinity;
    // A clock gone back (scannedAtMs in the future) cannot date the estimate: rescan.
    if (
      state === undefined ||
      estimate > maxBytes ||
      !(now >= scannedAtMs && now - scannedAtMs <= GC_RESCAN_INTERVAL_MS)
    ) {
      const gc = await this.collectGarbage(maxBytes);
      this.unrecordedDelta = 0;
      await this.writeGcState({ scannedAtMs: now, bytes: this.sizeAtScan ?? 0 });
      return gc;
    }
    await this.removeStaleTempFiles();
    this.unrecordedDelta = 0;
    await this.writeGcState({ scannedAtMs, bytes: Math.max(0, estimate) });
    return undefined;
  }

  private get gcStatePath(): string {
    return path.join(this.layout.base, 'gc-state.json');
  }

  /** The state file, or undefined when it is missing or not what this version writes. */
  private async readGcState(): Promise<GcState | undefined> {
    let text: string;
    try {
      text = await fs.readFile(this.gcStatePath, 'utf8');
    } catch (e) {
      if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR')) return undefined;
      throw e;
    }
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value !== 'object' || value === null) return undefined;
      const { scannedAtMs, bytes } = value as Record<string, unknown>;
      if (!Number.isSafeInteger(scannedAtMs) || !Number.isSafeInteger(bytes)) return undefined;
      return { scannedAtMs: scannedAtMs as number, bytes: bytes as number };
    } catch {
      return undefined; // a damaged state file only costs a rescan
    }
  }

  /** Best effort: a read-only or vanished cache directory keeps no state. */
  private async writeGcState(state: GcState): Promise<void> {
    try {
      await replaceFileAtomically(this.gcStatePath, 0o644, async (tmp) => {
        await fs.writeFile(tmp, `${JSON.stringify(state)}\n`, { flag: 'wx' });
        return true;
      });
    } catch (e) {
      if (!['ENOENT', 'EPERM', 'EACCES', 'EROFS'].some((code) => isErrno(e, code))) throw e;
    }
  }

  private grew(bytes: number): void {
    this.sizeDelta += bytes;
    this.unrecordedDelta += bytes;
  }

  /**
   * Deletes temp files left by killed writers: those whose writer process on this host no longer
   * exists, and any not modified for `olderThanMs` (writers on other hosts sharing the directory
   * are judged by age alone, as a concurrent build may still be writing). Returns how many.
   */
  async removeStaleTempFiles(olderThanMs: number = STALE_TEMP_AGE_MS): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    for (const name of await readdirIfExists(this.layout.tmpDir)) {
      const p = path.join(this.layout.tmpDir, name);
      const writer = tempFileWriter(name);
      const writerGone = writer !== undefined && !isProcessAlive(writer);
      const st = await lstatIfExists(p);
      if (st === undefined || (!writerGone && Number(st.mtimeMs) >= cutoff)) continue;
      await fs.rm(p, { force: true, recursive: true });
      removed++;
    }
    return removed;
  }

  /**
   * Writes an entry atomically: `fill` creates a fresh temp file in the tmp directory and names its
   * destination; it is made read-only and renamed into place (replacing any existing entry, which
   * for the CAS holds the same bytes).
   */
  private async commit(fill: (tmp: string) => Promise<Commit>): Promise<void> {
    // mkdir on every write (cheap) so that a cache root deleted by `clean` mid-build recovers.
    await fs.mkdir(this.layout.tmpDir, { recursive: true });
    const tmp = path.join(this.layout.tmpDir, uniqueTempName());
    try {
      const { dest, verified } = await fill(tmp);
      await fs.chmod(tmp, ENTRY_MODE);
      const written = await fs.stat(tmp, { bigint: true });
      const previous = await lstatIfExists(dest);
      await renameCreatingParent(tmp, dest);
      this.grew(Number(written.size) - Number(previous?.size ?? 0n));
      if (verified !== undefined) {
        const placed = await lstatIfExists(dest);
        // Only if a concurrent writer did not replace it in between.
        if (placed !== undefined && placed.ino === written.ino)
          this.memo.remember(verified, placed);
      }
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
  }

  /** Renames a caller's file into the CAS; false when it is on another filesystem. */
  private async moveIn(
    absPath: string,
    dest: string,
    before: BigIntStats,
    verified: Digest | undefined,
  ): Promise<boolean> {
    await fs.chmod(absPath, ENTRY_MODE);
    const previous = await lstatIfExists(dest);
    try {
      await renameCreatingParent(absPath, dest);
    } catch (e) {
      if (isErrno(e, 'EXDEV')) return false;
      throw e;
    }
    this.grew(Number(before.size) - Number(previous?.size ?? 0n));
    if (verified !== undefined) {
      const placed = await lstatIfExists(dest);
      // rename and chmod change only ctime; an unchanged mtime means the hashed bytes are there.
      if (
        placed !== undefined &&
        placed.ino === before.ino &&
        placed.size === before.size &&
        placed.mtimeNs === before.mtimeNs
      ) {
        this.memo.remember(verified, placed);
      }
    }
    return true;
  }

  /** The device of the cache's temporary directory (made if missing), looked up once. */
  private cacheDevice(): Promise<bigint> {
    this.device ??= fs
      .mkdir(this.layout.tmpDir, { recursive: true })
      .then(() => fs.stat(this.layout.tmpDir, { bigint: true }))
      .then((st) => st.dev)
      .catch((e: unknown) => {
        this.device = undefined;
        throw e;
      });
    return this.device;
  }

  /** True when `dest` is present and this instance has verified it in its current state. */
  private async isKnownIntact(digest: Digest, dest: string): Promise<boolean> {
    const st = await lstatIfExists(dest);
    return st !== undefined && this.memo.isVerified(digest, st);
  }

  /**
   * Makes sure the open blob holds `digest`'s bytes, hashing unless already verified. A mismatch
   * is reported and evicted. Reads from the handle's current position (callers pass a fresh one).
   */
  private async verify(
    digest: Digest,
    p: string,
    h: fs.FileHandle,
    st: BigIntStats,
  ): Promise<boolean> {
    if (this.memo.isVerified(digest, st)) return true;
    const hashed = await hashHandle(h);
    this.counters.bytesHashed += hashed.size;
    if (hashed.digest !== digest) {
      await this.blobCorrupt(digest, p, st, `content hashes to ${hashed.digest}`);
      return false;
    }
    await this.rememberIfUnchanged(digest, h, st);
    return true;
  }

  /** Records a verification unless the file changed while it was being hashed. */
  private async rememberIfUnchanged(
    digest: Digest,
    h: fs.FileHandle,
    before: BigIntStats,
  ): Promise<void> {
    const after = await h.stat({ bigint: true });
    if (
      after.ino === before.ino &&
      after.size === before.size &&
      after.mtimeNs === before.mtimeNs &&
      after.ctimeNs === before.ctimeNs
    ) {
      this.memo.remember(digest, after);
    }
  }

  /**
   * Marks an entry as recently used (mtime = now) for LRU. Best effort: a concurrent eviction or a
   * read-only cache must not fail a hit. Keeps a blob's verification valid across the touch.
   */
  private async touch(p: string, digest?: Digest): Promise<void> {
    try {
      const before = digest === undefined ? undefined : await fs.lstat(p, { bigint: true });
      const wasVerified =
        digest !== undefined && before !== undefined && this.memo.isVerified(digest, before);
      const now = new Date();
      await fs.utimes(p, now, now);
      if (wasVerified) {
        const after = await fs.lstat(p, { bigint: true });
        if (after.ino === before.ino && after.size === before.size) {
          this.memo.remember(digest, after);
        }
      }
    } catch (e) {
      if (!['ENOENT', 'EPERM', 'EACCES', 'EROFS'].some((code) => isErrno(e, code))) throw e;
    }
  }

  private blobMiss(): undefined {
    this.counters.blobMisses++;
    return undefined;
  }

  private actionMiss(): undefined {
    this.counters.actionMisses++;
    return undefined;
  }

  /** Reports and evicts a bad blob; the caller answers with a miss. */
  private async blobCorrupt(
    digest: Digest,
    p: string,
    st: BigIntStats,
    detail: string,
  ): Promise<void> {
    this.memo.forget(digest);
    await this.evictCorrupt(
      { kind: 'corrupt-entry', what: 'blob', id: digest, path: p, detail },
      st,
    );
  }

  private async actionCorrupt(
    key: ActionKey,
    p: string,
    st: BigIntStats,
    detail: string,
  ): Promise<undefined> {
    await this.evictCorrupt(
      { kind: 'corrupt-entry', what: 'action', id: key, path: p, detail },
      st,
    );
    return this.actionMiss();
  }

  private async evictCorrupt(event: CacheEvent, seen: BigIntStats): Promise<void> {
    this.counters.corruptions++;
    const now = await lstatIfExists(event.path);
    // A concurrent writer may have already replaced the bad file with a good one: keep that.
    if (now !== undefined && now.ino === seen.ino && now.dev === seen.dev) {
      await fs.rm(event.path, { force: true, recursive: now.isDirectory() });
      this.grew(-Number(now.size));
    }
    this.onEvent(event);
  }

  /** Every CAS blob and AC record with its size and last use. */
  private async scan(): Promise<ScannedEntry[]> {
    const entries: ScannedEntry[] = [];
    const areas = [
      ['blob', this.layout.casDir],
      ['action', this.layout.acDir],
    ] as const;
    for (const [kind, dir] of areas) {
      for (const shard of await readdirIfExists(dir)) {
        const shardDir = path.join(dir, shard);
        const names = await readdirIfExists(shardDir);
        const stats = await Promise.all(names.map((n) => lstatIfExists(path.join(shardDir, n))));
        names.forEach((name, i) => {
          const st = stats[i];
          if (st === undefined) return;
          entries.push({
            kind,
            name,
            path: path.join(shardDir, name),
            size: Number(st.size),
            lastUsedMs: Number(st.mtimeMs),
          });
        });
      }
    }
    return entries;
  }
}

function lstatSyncIfExists(p: string): BigIntStats | undefined {
  try {
    return fsSync.lstatSync(p, { bigint: true, throwIfNoEntry: false });
  } catch (e) {
    if (isErrno(e, 'ENOTDIR')) return undefined;
    throw e;
  }
}

async function lstatIfExists(p: string): Promise<BigIntStats | undefined> {
  try {
    return await fs.lstat(p, { bigint: true });
  } catch (e) {
    if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR')) return undefined;
    throw e;
  }
}

async function readdirIfExists(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (e) {
    if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR')) return [];
    throw e;
  }
}

/** Renames, creating the destination's shard directory on first use. */
async function renameCreatingParent(from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to);
  } catch (e) {
    if (!isErrno(e, 'ENOENT')) throw e;
    await fs.mkdir(path.dirname(to), { recursive: true });
    await fs.rename(from, to);
  }
}

/** True for a regular file (not a symlink) with no other hard links: safe to take over. */
async function isLoneRegularFile(p: string): Promise<boolean> {
  const st = await fs.lstat(p);
  return st.isFile() && st.nlink === 1;
}
