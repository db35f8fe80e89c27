import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ActionCache, ActionResult, CacheEvent } from '../../src/cache';
import type { Digest } from '../../src/util/digest';
import { sha256 } from '../../src/util/digest';
import { testBytes, testKey } from './test-data';

/** One cache implementation prepared for a contract test. */
export interface CacheUnderTest {
  readonly cache: ActionCache;
  /** Events the cache reported (its `onEvent` pushes here). */
  readonly events: CacheEvent[];
  dispose(): Promise<void>;
}

/**
 * The behaviour every {@link ActionCache} must have (disk, memory, and later remote backends).
 * `create` is called once per test.
 */
export function describeCacheContract(name: string, create: () => Promise<CacheUnderTest>): void {
  describe(`ActionCache contract: ${name}`, () => {
    let c: CacheUnderTest;
    let cache: ActionCache;
    let work: string;

    beforeEach(async () => {
      c = await create();
      cache = c.cache;
      work = await fs.mkdtemp(path.join(os.tmpdir(), 'pgobuild-contract-'));
    });
    afterEach(async () => {
      await c.dispose();
      await fs.rm(work, { recursive: true, force: true });
    });

    test('putBlob returns the SHA-256 digest and getBlob returns the same bytes', async () => {
      const bytes = testBytes(10_000);
      const digest = await cache.putBlob(bytes);
      expect(digest).toBe(sha256(bytes));
      expect(await cache.hasBlob(digest)).toBe(true);
      expect(await cache.hasBlob(digest, bytes.length)).toBe(true);
      expect(sha256((await cache.getBlob(digest))!)).toBe(sha256(bytes));
      expect(cache.stats()).toMatchObject({ blobHits: 1, bytesRead: 10_000, bytesWritten: 10_000 });
    });

    test('the stored blob is a copy: mutating the caller buffer afterwards changes nothing', async () => {
      const bytes = testBytes(100);
      const digest = await cache.putBlob(bytes);
      bytes[0] = (bytes[0]! + 1) & 0xff;
      expect(sha256((await cache.getBlob(digest))!)).toBe(digest);
    });

    test('the empty blob round-trips', async () => {
      const digest = await cache.putBlob(new Uint8Array(0));
      expect(digest).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      expect((await cache.getBlob(digest, 0))?.length).toBe(0);
    });

    test('a missing blob is a miss everywhere, and materialize leaves dest alone', async () => {
      const digest = sha256('never stored');
      expect(await cache.hasBlob(digest)).toBe(false);
      expect(await cache.getBlob(digest)).toBeUndefined();
      const dest = path.join(work, 'out.txt');
      await fs.writeFile(dest, 'previous');
      expect(await cache.materialize(digest, dest, false)).toBe(false);
      expect(await fs.readFile(dest, 'utf8')).toBe('previous');
      expect(await cache.verifiedPath(digest)).toBeUndefined();
      expect(cache.stats()).toMatchObject({ blobMisses: 3, blobHits: 0, corruptions: 0 });
      expect(c.events).toEqual([]);
    });

    test('a wrong expected size is a miss but not a corruption', async () => {
      const digest = await cache.putBlob(testBytes(64));
      expect(await cache.hasBlob(digest, 65)).toBe(false);
      expect(await cache.getBlob(digest, 65)).toBeUndefined();
      expect(await cache.materialize(digest, path.join(work, 'x'), false, 63)).toBe(false);
      expect(await cache.verifiedPath(digest, false, 0)).toBeUndefined();
      expect(c.events).toEqual([]);
      expect(await cache.getBlob(digest, 64)).toBeDefined();
    });

    test('putting the same blob twice is idempotent and writes once', async () => {
      const bytes = testBytes(4096, 7);
      const a = await cache.putBlob(bytes);
      const b = await cache.putBlob(Uint8Array.from(bytes));
      expect(b).toBe(a);
      expect(cache.stats().bytesWritten).toBe(4096);
      expect(sha256((await cache.getBlob(a))!)).toBe(a);
    });

    test('concurrent puts of the same blob from several writers all succeed', async () => {
      const bytes = testBytes(1 << 20, 3);
      const src = path.join(work, 'big.bin');
      await fs.writeFile(src, bytes);
      const results = await Promise.all([
        ...Array.from({ length: 6 }, () => cache.putBlob(bytes)),
        ...Array.from({ length: 3 }, async () => (await cache.putFile(src)).digest),
        cache.putFile(src, { knownDigest: sha256(bytes) }).then((r) => r.digest),
      ]);
      expect(new Set(results)).toEqual(new Set([sha256(bytes)]));
      expect(sha256((await cache.getBlob(sha256(bytes)))!)).toBe(sha256(bytes));
      expect(c.events).toEqual([]);
    });

    test('putFile copies a file in (the source stays) and reports digest and size', async () => {
      const bytes = testBytes(3 * (1 << 20) + 17, 5); // several copy chunks
      const src = path.join(work, 'src.bin');
      await fs.writeFile(src, bytes);
      const put = await cache.putFile(src);
      expect(put).toEqual({ digest: sha256(bytes), size: bytes.length });
      expect(sha256(await fs.readFile(src))).toBe(sha256(bytes));
      expect(sha256((await cache.getBlob(put.digest, put.size))!)).toBe(put.digest);
    });

    test('putFile with move stores the content (the source may be taken)', async () => {
      const bytes = testBytes(5000, 11);
      const src = path.join(work, 'moved.bin');
      await fs.writeFile(src, bytes);
      const put = await cache.putFile(src, { move: true });
      expect(put).toEqual({ digest: sha256(bytes), size: 5000 });
      expect(sha256((await cache.getBlob(put.digest))!)).toBe(put.digest);
    });

    test('putFile with a known digest stores under that digest', async () => {
      const bytes = testBytes(2000, 12);
      const src = path.join(work, 'known.bin');
      await fs.writeFile(src, bytes);
      const put = await cache.putFile(src, { knownDigest: sha256(bytes) });
      expect(put).toEqual({ digest: sha256(bytes), size: 2000 });
      expect(await cache.hasBlob(sha256(bytes), 2000)).toBe(true);
    });

    test('materialize writes an independent copy with mode 0644 or 0755', async () => {
      const bytes = testBytes(70_000, 2);
      const digest = await cache.putBlob(bytes);
      const plain = path.join(work, 'deep/dir/plain.a');
      const exe = path.join(work, 'bin/tool');
      expect(await cache.materialize(digest, plain, false)).toBe(true);
      expect(await cache.materialize(digest, exe, true, bytes.length)).toBe(true);
      expect((await fs.stat(plain)).mode & 0o777).toBe(0o644);
      expect((await fs.stat(exe)).mode & 0o777).toBe(0o755);
      expect(sha256(await fs.readFile(exe))).toBe(sha256(bytes));
      // Editing the user's copy must not reach the cache.
      await fs.appendFile(plain, 'user edit');
      expect(sha256((await cache.getBlob(digest))!)).toBe(digest);
      expect(c.events).toEqual([]);
    });

    test('materialize replaces an existing file, even a read-only one, and a symlink', async () => {
      const digest = await cache.putBlob(Buffer.from('new content'));
      const dest = path.join(work, 'out');
      await fs.writeFile(dest, 'old content that is longer', { mode: 0o444 });
      expect(await cache.materialize(digest, dest, false)).toBe(true);
      expect(await fs.readFile(dest, 'utf8')).toBe('new content');

      const target = path.join(work, 'target');
      await fs.writeFile(target, 'must stay');
      const link = path.join(work, 'link');
      await fs.symlink(target, link);
      expect(await cache.materialize(digest, link, true)).toBe(true);
      expect((await fs.lstat(link)).isFile()).toBe(true);
      expect(await fs.readFile(target, 'utf8')).toBe('must stay');
      expect((await fs.readdir(work)).sort()).toEqual(['link', 'out', 'target']);
    });

    test('verifiedPath gives a read-only file with the content, executable on request', async () => {
      const bytes = testBytes(1234, 9);
      const digest = await cache.putBlob(bytes);
      const p = await cache.verifiedPath(digest);
      expect(p).toBeDefined();
      expect(sha256(await fs.readFile(p!))).toBe(sha256(bytes));
      expect((await fs.stat(p!)).mode & 0o222).toBe(0);
      const x = await cache.verifiedPath(digest, true, 1234);
      expect((await fs.stat(x!)).mode & 0o777).toBe(0o555);
      expect(sha256(await fs.readFile(x!))).toBe(sha256(bytes));
    });

    test('putAction and getAction round-trip a result whose blobs are present', async () => {
      const out = await cache.putBlob(Buffer.from('archive bytes'));
      const stderr = await cache.putBlob(Buffer.from('warning: x'));
      const result: ActionResult = {
        outputs: [
          { path: 'pkg/lib.a', digest: out, size: 13, executable: false },
          { path: 'bin/api', digest: out, size: 13, executable: true },
        ],
        exitCode: 0,
        stderr: { digest: stderr, size: 10 },
        metadata: { durationMs: '12' },
      };
      await cache.putAction(testKey('a'), result);
      expect(await cache.getAction(testKey('a'))).toEqual(result);
      expect(await cache.getAction(testKey('other'))).toBeUndefined();
      expect(cache.stats()).toMatchObject({ actionHits: 1, actionMisses: 1 });
    });

    test('putAction keeps only the documented fields and the last write wins', async () => {
      const d = await cache.putBlob(Buffer.from('x'));
      const first = { outputs: [], exitCode: 1, extra: 'dropped' } as ActionResult;
      await cache.putAction(testKey('b'), first);
      expect(await cache.getAction(testKey('b'))).toEqual({ outputs: [], exitCode: 1 });
      const second: ActionResult = {
        outputs: [{ path: 'o', digest: d, size: 1, executable: false }],
        exitCode: 0,
      };
      await cache.putAction(testKey('b'), second);
      expect(await cache.getAction(testKey('b'))).toEqual(second);
    });

    test('getAction misses when a referenced blob is absent or has another size', async () => {
      const present = await cache.putBlob(Buffer.from('present'));
      const absent = sha256('absent') as Digest;
      await cache.putAction(testKey('missing-output'), {
        outputs: [
          { path: 'a', digest: present, size: 7, executable: false },
          { path: 'b', digest: absent, size: 6, executable: false },
        ],
        exitCode: 0,
      });
      await cache.putAction(testKey('missing-stdout'), {
        outputs: [],
        exitCode: 0,
        stdout: { digest: absent, size: 6 },
      });
      await cache.putAction(testKey('wrong-size'), {
        outputs: [{ path: 'a', digest: present, size: 8, executable: false }],
        exitCode: 0,
      });
      expect(await cache.getAction(testKey('missing-output'))).toBeUndefined();
      expect(await cache.getAction(testKey('missing-stdout'))).toBeUndefined();
      expect(await cache.getAction(testKey('wrong-size'))).toBeUndefined();
      expect(cache.stats()).toMatchObject({ actionHits: 0, actionMisses: 3, corruptions: 0 });
    });

    test('putAction rejects a result that could escape the exec root', async () => {
      const d = await cache.putBlob(Buffer.from('x'));
      for (const bad of ['../evil', '/abs', 'a/../b', '']) {
        await expect(
          cache.putAction(testKey('bad'), {
            outputs: [{ path: bad, digest: d, size: 1, executable: false }],
            exitCode: 0,
          }),
        ).rejects.toThrow(/clean relative path/);
      }
      expect(await cache.getAction(testKey('bad'))).toBeUndefined();
    });
  });
}
