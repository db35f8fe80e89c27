import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ActionKey } from '../../src/actions/action-key';
import type { Digest } from '../../src/util/digest';
import { sha256 } from '../../src/util/digest';
import type { ActionCache, CacheEventSink, PutFileOptions } from '../../src/cache/action-cache';
import { decodeActionRecord, encodeActionRecord } from '../../src/cache/action-record';
import type { ActionResult } from '../../src/cache/action-result';
import { referencedBlobs, validateActionResult } from '../../src/cache/action-result';
import type { CacheStats } from '../../src/cache/cache-stats';
import { CacheCounters } from '../../src/cache/cache-stats';
import { hashHandle, openIfExists, replaceFileAtomically } from '../../src/cache/file-io';

/** Options of a {@link MemoryCache}. */
export interface MemoryCacheOptions {
  /** Receives corruption reports (only possible after {@link MemoryCache.tamperBlob} and co.). */
  readonly onEvent?: CacheEventSink;
}

/**
 * An {@link ActionCache} held in memory, for unit tests of code that uses a cache (it lives in test/:
 * nothing in pgobuild itself uses it). It behaves like
 * the disk cache as far as the contract goes (it verifies on read and stores AC entries as
 * checksummed records), and its `tamper*` methods let a test simulate corruption.
 *
 * {@link verifiedPath} writes files into a private temp directory: call {@link dispose} to remove
 * it.
 */
export class MemoryCache implements ActionCache {
  private readonly blobs = new Map<Digest, Uint8Array>();
  private readonly records = new Map<ActionKey, Uint8Array>();
  private readonly counters = new CacheCounters();
  private readonly onEvent: CacheEventSink;
  private tmpDir: Promise<string> | undefined;

  constructor(opts: MemoryCacheOptions = {}) {
    this.onEvent = opts.onEvent ?? (() => undefined);
  }

  /** @inheritdoc */
  async hasBlob(digest: Digest, size?: number): Promise<boolean> {
    const b = this.blobs.get(digest);
    return b !== undefined && (size === undefined || b.byteLength === size);
  }

  /** @inheritdoc */
  async putBlob(bytes: Uint8Array): Promise<Digest> {
    const digest = sha256(bytes);
    this.store(digest, bytes);
    return digest;
  }

  /** @inheritdoc (`move` is ignored: the file is read and left in place.) */
  async putFile(
    absPath: string,
    opts: PutFileOptions = {},
  ): Promise<{ digest: Digest; size: number }> {
    const bytes = await fs.readFile(absPath);
    const digest = opts.knownDigest ?? sha256(bytes);
    this.store(digest, bytes);
    return { digest, size: bytes.byteLength };
  }

  /** @inheritdoc */
  async getBlob(digest: Digest, size?: number): Promise<Uint8Array | undefined> {
    const bytes = this.read(digest, size);
    return bytes === undefined ? undefined : Uint8Array.from(bytes);
  }

  /** @inheritdoc */
  async materialize(
    digest: Digest,
    dest: string,
    executable: boolean,
    size?: number,
  ): Promise<boolean> {
    const bytes = this.read(digest, size);
    if (bytes === undefined) return false;
    return replaceFileAtomically(dest, executable ? 0o755 : 0o644, async (tmp) => {
      await fs.writeFile(tmp, bytes, { flag: 'wx', mode: 0o600 });
      return true;
    });
  }

  /**
   * @inheritdoc
   *
   * A file in this instance's temp directory, checked against the digest on every call (and
   * rewritten when it does not match, e.g. after an action wrote through a symlink to it).
   */
  async verifiedPath(
    digest: Digest,
    executable = false,
    size?: number,
  ): Promise<string | undefined> {
    const bytes = this.read(digest, size);
    if (bytes === undefined) return undefined;
    this.tmpDir ??= fs.mkdtemp(path.join(os.tmpdir(), 'pgobuild-memory-cache-'));
    const p = path.join(await this.tmpDir, executable ? `${digest}.x` : digest);
    if (!(await fileHolds(p, digest))) {
      await replaceFileAtomically(p, executable ? 0o555 : 0o444, async (tmp) => {
        await fs.writeFile(tmp, bytes, { flag: 'wx', mode: 0o600 });
        return true;
      });
    }
    return p;
  }

  /** @inheritdoc */
  async getAction(key: ActionKey): Promise<ActionResult | undefined> {
    const record = this.records.get(key);
    if (record === undefined) return this.actionMiss();
    const decoded = decodeActionRecord(record, key);
    if (!decoded.ok) {
      this.records.delete(key);
      this.corrupt('action', key, decoded.failure.detail);
      return this.actionMiss();
    }
    for (const r of referencedBlobs(decoded.value)) {
      if (!(await this.hasBlob(r.digest, r.size))) return this.actionMiss();
    }
    this.counters.actionHits++;
    return decoded.value;
  }

  /** @inheritdoc Throws on a malformed result (a bug in the caller). */
  async putAction(key: ActionKey, result: ActionResult): Promise<void> {
    const valid = validateActionResult(result);
    if (!valid.ok) throw new Error(`invalid ActionResult for ${key}: ${valid.failure.detail}`);
    this.records.set(key, encodeActionRecord(key, valid.value));
  }

  /** @inheritdoc */
  stats(): CacheStats {
    return this.counters.snapshot();
  }

  /** Test hook: replaces a stored blob's bytes (as a disk error or a bad write would). */
  tamperBlob(digest: Digest, bytes: Uint8Array): void {
    this.blobs.set(digest, Uint8Array.from(bytes));
  }

  /** Test hook: replaces a stored action record's bytes (see action-record.ts for the format). */
  tamperAction(key: ActionKey, mutate: (record: Uint8Array) => Uint8Array): void {
    const record = this.records.get(key);
    if (record === undefined) throw new Error(`no action record for ${key}`);
    this.records.set(key, mutate(record));
  }

  /** Removes the temp directory used by {@link verifiedPath}. */
  async dispose(): Promise<void> {
    const dir = this.tmpDir;
    this.tmpDir = undefined;
    if (dir !== undefined) await fs.rm(await dir, { recursive: true, force: true });
  }

  private store(digest: Digest, bytes: Uint8Array): void {
    const existing = this.blobs.get(digest);
    if (existing !== undefined && sha256(existing) === digest) return;
    // Copy: the caller may reuse its buffer.
    this.blobs.set(digest, Uint8Array.from(bytes));
    this.counters.bytesWritten += bytes.byteLength;
  }

  /** A counted read: the blob's bytes if present, intact and of the expected size. */
  private read(digest: Digest, size: number | undefined): Uint8Array | undefined {
    const bytes = this.intact(digest);
    if (bytes === undefined || (size !== undefined && bytes.byteLength !== size)) {
      return this.blobMiss();
    }
    this.counters.blobHits++;
    this.counters.bytesRead += bytes.byteLength;
    return bytes;
  }

  /** The stored bytes if present and intact; a corrupt blob is reported and dropped. */
  private intact(digest: Digest): Uint8Array | undefined {
    const bytes = this.blobs.get(digest);
    if (bytes === undefined) return undefined;
    this.counters.bytesHashed += bytes.byteLength;
    const actual = sha256(bytes);
    if (actual === digest) return bytes;
    this.blobs.delete(digest);
    this.corrupt('blob', digest, `content hashes to ${actual}`);
    return undefined;
  }

  private corrupt(what: 'blob' | 'action', id: string, detail: string): void {
    this.counters.corruptions++;
    this.onEvent({ kind: 'corrupt-entry', what, id, path: `memory:${what}/${id}`, detail });
  }

  private blobMiss(): undefined {
    this.counters.blobMisses++;
    return undefined;
  }

  private actionMiss(): undefined {
    this.counters.actionMisses++;
    return undefined;
  }
}

async function fileHolds(p: string, digest: Digest): Promise<boolean> {
  const h = await openIfExists(p);
  if (h === undefined) return false;
  try {
    return (await hashHandle(h)).digest === digest;
  } finally {
    await h.close();
  }
}
