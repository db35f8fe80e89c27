import { createHash } from 'node:crypto';
import type { ActionKey } from '../../src/actions/action-key';
import type { ActionResult, BlobRef, CacheEvent } from '../../src/cache';
import { MemoryCache } from './memory-cache';
import type {
  RemoteCacheWarning,
  RemoteFailure,
  RemoteStore,
  UploadSource,
} from '../../src/cache/remote';
import {
  RemoteBackedCache,
  decodeReapiActionResult,
  encodeReapi,
  encodeReapiActionResult,
} from '../../src/cache/remote';
import type { Digest } from '../../src/util/digest';
import { sha256 } from '../../src/util/digest';
import { type Result, err, ok } from '../../src/util/result';
import * as fs from 'node:fs/promises';
import { testBytes, testKey } from './test-data';

/** An in-memory RemoteStore whose behaviour a test can change. */
class FakeRemote implements RemoteStore {
  readonly url = 'grpc://fake:1';
  checksCompleteness = true;
  readonly blobs = new Map<string, Uint8Array>();
  readonly results = new Map<string, Uint8Array>();
  calls = 0;
  /** When set, every call fails with it. */
  failure: RemoteFailure | undefined;
  /** When set, uploads fail with it. */
  writeFailure: RemoteFailure | undefined;
  /** Returned instead of the stored bytes. */
  tamper: ((bytes: Uint8Array) => Uint8Array) | undefined;

  async getActionResult(key: ActionKey): Promise<Result<Uint8Array | undefined, RemoteFailure>> {
    this.calls++;
    return this.failure ? err(this.failure) : ok(this.results.get(key));
  }
  async updateActionResult(key: ActionKey, r: Uint8Array): Promise<Result<void, RemoteFailure>> {
    this.calls++;
    const f = this.failure ?? this.writeFailure;
    if (f) return err(f);
    this.results.set(key, r);
    return ok(undefined);
  }
  async findMissing(refs: readonly BlobRef[]): Promise<Result<BlobRef[], RemoteFailure>> {
    this.calls++;
    return this.failure ? err(this.failure) : ok(refs.filter((r) => !this.blobs.has(r.digest)));
  }
  async readBlob(ref: BlobRef): Promise<Result<Uint8Array | undefined, RemoteFailure>> {
    this.calls++;
    if (this.failure) return err(this.failure);
    const b = this.blobs.get(ref.digest);
    return ok(b && this.tamper ? this.tamper(b) : b);
  }
  async writeBlob(ref: BlobRef, source: UploadSource): Promise<Result<void, RemoteFailure>> {
    this.calls++;
    const f = this.failure ?? this.writeFailure;
    if (f) return err(f);
    const bytes = source.kind === 'bytes' ? source.bytes : await fs.readFile(source.path);
    this.blobs.set(ref.digest, bytes);
    return ok(undefined);
  }
  blobLocation(ref: BlobRef): string {
    return `${this.url}/blobs/${ref.digest}/${ref.size}`;
  }
  actionLocation(key: ActionKey): string {
    return `${this.url}/actionResults/${key}`;
  }
  close(): void {}
}

interface Level {
  readonly cache: RemoteBackedCache;
  readonly events: CacheEvent[];
  readonly warnings: RemoteCacheWarning[];
}

function level(remote: FakeRemote, uploadLocalResults = true): Level {
  const events: CacheEvent[] = [];
  const warnings: RemoteCacheWarning[] = [];
  const cache = new RemoteBackedCache(new MemoryCache(), remote, {
    uploadLocalResults,
    onEvent: (e) => events.push(e),
    onWarning: (w) => warnings.push(w),
  });
  return { cache, events, warnings };
}

/** Puts an archive and a result with it on `l`, like the build runner after an action. */
async function putResult(l: Level, key: ActionKey, bytes: Uint8Array, exitCode = 0) {
  const digest = await l.cache.putBlob(bytes);
  const result: ActionResult = {
    outputs: [{ path: 'out/lib.a', digest, size: bytes.length, executable: false }],
    exitCode,
    metadata: { durationMs: '7' },
  };
  await l.cache.putAction(key, result);
  await l.cache.flush();
  return { digest, result };
}

describe('RemoteBackedCache', () => {
  test('a result uploaded by one machine is a hit on another; its blob comes down only when read', async () => {
    const remote = new FakeRemote();
    const bytes = testBytes(5000, 4);
    const { digest, result } = await putResult(level(remote), testKey('a'), bytes);
    expect(remote.results.size).toBe(1);

    const other = level(remote);
    expect(await other.cache.getAction(testKey('a'))).toEqual(result);
    expect(other.cache.stats().remote).toMatchObject({ remoteActionHits: 1, bytesDownloaded: 0 });
    expect(sha256((await other.cache.getBlob(digest))!)).toBe(sha256(bytes));
    expect(other.cache.stats().remote).toMatchObject({
      blobsDownloaded: 1,
      bytesDownloaded: 5000,
    });
    // Now local: no further download.
    expect(await other.cache.getBlob(digest, 5000)).toBeDefined();
    expect(other.cache.stats().remote?.blobsDownloaded).toBe(1);
    expect(other.warnings).toEqual([]);
  });

  test('a corrupted download is reported, ignored and a miss; one warning for many', async () => {
    const remote = new FakeRemote();
    const a = await putResult(level(remote), testKey('a'), testBytes(300, 1));
    const b = await putResult(level(remote), testKey('b'), testBytes(300, 2));
    remote.tamper = (x) => Uint8Array.from(x, (v, i) => (i === 10 ? v ^ 1 : v));
    const other = level(remote);
    await other.cache.getAction(testKey('a'));
    await other.cache.getAction(testKey('b'));
    expect(await other.cache.getBlob(a.digest)).toBeUndefined();
    expect(await other.cache.verifiedPath(b.digest)).toBeUndefined();
    expect(other.events.map((e) => [e.what, e.id])).toEqual([
      ['blob', a.digest],
      ['blob', b.digest],
    ]);
    expect(other.warnings.map((w) => w.problem)).toEqual(['corrupt']);
    expect(other.cache.stats()).toMatchObject({ corruptions: 2, blobMisses: 2 });
  });

  test('an undecodable action result is a corrupt entry and a miss', async () => {
    const remote = new FakeRemote();
    remote.results.set(testKey('x'), Buffer.from([0x12, 0xff, 0xff]));
    const l = level(remote);
    expect(await l.cache.getAction(testKey('x'))).toBeUndefined();
    expect(l.events).toEqual([expect.objectContaining({ what: 'action', id: testKey('x') })]);
  });

  test('a failing remote is reported once and not asked again', async () => {
    const remote = new FakeRemote();
    remote.failure = { reason: 'remote-unavailable', message: 'connect ECONNREFUSED' };
    const l = level(remote);
    expect(await l.cache.getAction(testKey('a'))).toBeUndefined();
    const callsAfterFirst = remote.calls;
    expect(await l.cache.getAction(testKey('b'))).toBeUndefined();
    await putResult(l, testKey('c'), testBytes(10));
    expect(remote.calls).toBe(callsAfterFirst);
    expect(l.warnings).toEqual([
      expect.objectContaining({
        problem: 'unavailable',
        message: expect.stringMatching(/ECONNREFUSED.*continuing without it/),
      }),
    ]);
    expect(l.cache.stats().remote?.available).toBe(false);
    // The local level still works.
    expect(await l.cache.getAction(testKey('c'))).toBeDefined();
  });

  test('refused uploads stop uploads only; reads go on', async () => {
    const remote = new FakeRemote();
    const { result } = await putResult(level(remote), testKey('shared'), testBytes(64, 9));
    remote.writeFailure = { reason: 'remote-denied', message: 'HTTP 401 Unauthorized' };
    const l = level(remote);
    await putResult(l, testKey('mine'), testBytes(64, 10));
    await putResult(l, testKey('mine2'), testBytes(64, 11));
    expect(l.warnings.map((w) => w.problem)).toEqual(['denied']);
    expect(remote.results.has(testKey('mine'))).toBe(false);
    expect(await l.cache.getAction(testKey('shared'))).toEqual(result);
  });

  test('only exit-0 results are uploaded, never with uploads off, never with a missing blob', async () => {
    const remote = new FakeRemote();
    await putResult(level(remote), testKey('failed'), testBytes(8), 1);
    await putResult(level(remote, false), testKey('read-only'), testBytes(8, 3));
    const l = level(remote);
    await l.cache.putAction(testKey('incomplete'), {
      outputs: [{ path: 'o', digest: sha256('absent'), size: 6, executable: false }],
      exitCode: 0,
    });
    await l.cache.flush();
    expect(remote.results.size).toBe(0);
  });
});

describe('REAPI encoding', () => {
  test('canonical bytes: defaults are omitted (reference §2.3 golden vectors)', () => {
    expect(Buffer.from(encodeReapi('Digest', { hash: 'ab', sizeBytes: 0 })).toString('hex')).toBe(
      '0a026162',
    );
  });

  test('an ActionResult round-trips, in output order, with executability and metadata', () => {
    const d = (s: string): Digest => sha256(s);
    const result: ActionResult = {
      outputs: [
        { path: 'bin/api', digest: d('x'), size: 12, executable: true },
        { path: 'pkg/lib.a', digest: d('y'), size: 0, executable: false },
      ],
      exitCode: 0,
      stdout: { digest: d('log'), size: 3 },
      metadata: { durationMs: '12', b: 'c' },
    };
    const bytes = encodeReapiActionResult(result);
    const back = decodeReapiActionResult(bytes);
    expect(back).toEqual({ ok: true, value: result });
    // It is a real REAPI ActionResult: field 2 (output_files) first, worker "pgobuild" set.
    expect(bytes[0]).toBe(0x12);
    expect(Buffer.from(bytes).includes(Buffer.from('pgobuild'))).toBe(true);
    // sha256 of a stable encoding: the same result always gives the same bytes.
    expect(createHash('sha256').update(encodeReapiActionResult(result)).digest('hex')).toBe(
      createHash('sha256').update(bytes).digest('hex'),
    );
  });

  test('a result pgobuild cannot use is invalid', () => {
    const withDir = encodeReapi('ActionResult', { outputDirectories: [{ path: 'out' }] });
    expect(decodeReapiActionResult(withDir)).toMatchObject({ ok: false });
    const escaping = encodeReapi('ActionResult', {
      outputFiles: [{ path: '../x', digest: { hash: sha256('z'), sizeBytes: 1 } }],
    });
    expect(decodeReapiActionResult(escaping)).toMatchObject({ ok: false });
  });
});
