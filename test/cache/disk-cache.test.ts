import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CacheEvent } from '../../src/cache';
import { DiskCache, defaultDiskCacheRoot } from '../../src/cache';
import { GC_RESCAN_INTERVAL_MS } from '../../src/cache/disk-cache';
import type { Digest } from '../../src/util/digest';
import { sha256 } from '../../src/util/digest';
import { testBytes, testKey } from './test-data';
import { uniqueTempName } from '../../src/cache/file-io';

const WRITER = path.join(__dirname, 'disk-cache-writer.ts');

let root: string;
let events: CacheEvent[];

function open(): DiskCache {
  return new DiskCache(root, { onEvent: (e) => events.push(e) });
}

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'pgobuild-disk-cache-'));
  events = [];
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** Overwrites one byte in place (the size stays the same), as a bit flip on disk would. */
async function flipByte(p: string, at = 0): Promise<void> {
  await fs.chmod(p, 0o644);
  const h = await fs.open(p, 'r+');
  try {
    const b = Buffer.alloc(1);
    await h.read(b, 0, 1, at);
    b[0] = b[0]! ^ 0x01;
    await h.write(b, 0, 1, at);
  } finally {
    await h.close();
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

async function setAge(p: string, secondsAgo: number): Promise<void> {
  const t = Date.now() / 1000 - secondsAgo;
  await fs.utimes(p, t, t);
}

describe('layout', () => {
  test('entries live under <root>/v1/{cas,ac}/<2 hex>/ as read-only files; tmp is left empty', async () => {
    const cache = open();
    const digest = await cache.putBlob(Buffer.from('hello'));
    await cache.putAction(testKey('k'), { outputs: [], exitCode: 0 });
    const blob = path.join(root, 'v1', 'cas', digest.slice(0, 2), digest);
    const record = path.join(root, 'v1', 'ac', testKey('k').slice(0, 2), testKey('k'));
    expect(cache.layout.blobPath(digest)).toBe(blob);
    expect(await fs.readFile(blob, 'utf8')).toBe('hello');
    expect((await fs.stat(blob)).mode & 0o777).toBe(0o444);
    expect((await fs.stat(record)).mode & 0o777).toBe(0o444);
    expect(await fs.readdir(path.join(root, 'v1', 'tmp'))).toEqual([]);
    expect(await fs.readdir(root)).toEqual(['v1']);
  });

  test('a malformed digest is a bug, not a path', async () => {
    await expect(open().getBlob('../../etc/passwd' as Digest)).rejects.toThrow(/not a digest/);
  });

  test('defaultDiskCacheRoot honours an absolute XDG_CACHE_HOME only', () => {
    expect(defaultDiskCacheRoot({ XDG_CACHE_HOME: '/x/cache' }, '/home/u')).toBe(
      '/x/cache/pgobuild',
    );
    expect(defaultDiskCacheRoot({ XDG_CACHE_HOME: 'rel' }, '/home/u')).toBe(
      '/home/u/.cache/pgobuild',
    );
    expect(defaultDiskCacheRoot({}, '/home/u')).toBe('/home/u/.cache/pgobuild');
  });

  test('the cache recovers when its root is deleted under it', async () => {
    const cache = open();
    await cache.putBlob(Buffer.from('one'));
    await fs.rm(root, { recursive: true, force: true });
    const d = await cache.putBlob(Buffer.from('two'));
    expect(Buffer.from((await cache.getBlob(d))!).toString()).toBe('two');
  });
});

describe('verification', () => {
  test('a blob verified in this process is not rehashed while its file is unchanged', async () => {
    const bytes = testBytes(50_000);
    const digest = sha256(bytes);
    const cache = open();
    // Written by another process: this one has never hashed it.
    const blob = cache.layout.blobPath(digest);
    await fs.mkdir(path.dirname(blob), { recursive: true });
    await fs.writeFile(blob, bytes, { mode: 0o444 });
    await cache.getBlob(digest);
    expect(cache.stats().bytesHashed).toBe(50_000);
    await cache.getBlob(digest);
    await cache.verifiedPath(digest, true);
    expect(await cache.materialize(digest, path.join(root, 'out'), false)).toBe(true);
    expect(cache.stats()).toMatchObject({ bytesHashed: 50_000, bytesRead: 200_000 });
  });

  test("the next command's cache on the same directory (a server's) trusts what this process verified, and still catches an edit", async () => {
    const bytes = testBytes(50_000, 9);
    const digest = await open().putBlob(bytes);
    const next = open();
    expect(await next.verifiedPath(digest)).toBeDefined();
    expect(next.stats().bytesHashed).toBe(0);
    const blob = next.layout.blobPath(digest);
    const before = await fs.stat(blob);
    await flipByte(blob, 100);
    await fs.utimes(blob, before.atime, before.mtime);
    const third = open();
    expect(await third.verifiedPath(digest)).toBeUndefined();
    expect(third.stats().bytesHashed).toBe(50_000);
    expect(events.map((e) => e.kind)).toEqual(['corrupt-entry']);
  });

  test.each(['getBlob', 'materialize', 'verifiedPath'] as const)(
    'a flipped byte is detected by %s: reported, evicted, answered as a miss',
    async (read) => {
      const bytes = testBytes(10_000, 4);
      const digest = await open().putBlob(bytes);
      const blob = open().layout.blobPath(digest);
      await flipByte(blob, 5000);
      const cache = open();
      const dest = path.join(root, 'out');
      switch (read) {
        case 'getBlob':
          expect(await cache.getBlob(digest)).toBeUndefined();
          break;
        case 'materialize':
          expect(await cache.materialize(digest, dest, true)).toBe(false);
          expect(await exists(dest)).toBe(false);
          break;
        case 'verifiedPath':
          expect(await cache.verifiedPath(digest)).toBeUndefined();
          break;
      }
      expect(events).toEqual([
        {
          kind: 'corrupt-entry',
          what: 'blob',
          id: digest,
          path: blob,
          detail: expect.stringMatching(/^content hashes to [0-9a-f]{64}$/),
        },
      ]);
      expect(await exists(blob)).toBe(false);
      expect(cache.stats()).toMatchObject({ corruptions: 1, blobMisses: 1, blobHits: 0 });
      // The rebuild path: put again, and it reads fine.
      await cache.putBlob(bytes);
      expect(sha256((await cache.getBlob(digest))!)).toBe(digest);
    },
  );

  test('an edit after verification is caught in the same process, even with mtime restored', async () => {
    const cache = open();
    const digest = await cache.putBlob(testBytes(4096, 8));
    const blob = cache.layout.blobPath(digest);
    expect(await cache.getBlob(digest)).toBeDefined();
    const before = await fs.stat(blob);
    await flipByte(blob, 10);
    await fs.chmod(blob, 0o444);
    await fs.utimes(blob, before.atime, before.mtime);
    expect(await cache.getBlob(digest)).toBeUndefined();
    expect(events.map((e) => [e.what, e.id])).toEqual([['blob', digest]]);
  });

  test('verifiedPath (the one-lstat path for known blobs) also catches an edit with mtime restored', async () => {
    const cache = open();
    const digest = await cache.putBlob(testBytes(4096, 12));
    const blob = cache.layout.blobPath(digest);
    expect(await cache.verifiedPath(digest)).toBe(blob);
    expect(await cache.verifiedPath(digest)).toBe(blob);
    const before = await fs.stat(blob);
    await flipByte(blob, 10);
    await fs.chmod(blob, 0o444);
    await fs.utimes(blob, before.atime, before.mtime);
    expect(await cache.verifiedPath(digest)).toBeUndefined();
    expect(events.map((e) => [e.what, e.id])).toEqual([['blob', digest]]);
  });

  test('a putFile with a wrong known digest cannot poison reads', async () => {
    const src = path.join(root, 'src');
    await fs.writeFile(src, 'actual content');
    const claimed = sha256('something else');
    const cache = open();
    await cache.putFile(src, { knownDigest: claimed });
    expect(await cache.getBlob(claimed)).toBeUndefined();
    expect(events.map((e) => e.id)).toEqual([claimed]);
  });

  test('a truncated action record is reported, evicted and a miss', async () => {
    const cache = open();
    const d = await cache.putBlob(Buffer.from('out'));
    const key = testKey('truncated');
    await cache.putAction(key, {
      outputs: [{ path: 'o', digest: d, size: 3, executable: false }],
      exitCode: 0,
    });
    const record = cache.layout.actionPath(key);
    const size = (await fs.stat(record)).size;
    await fs.chmod(record, 0o644);
    await fs.truncate(record, size - 5);
    expect(await cache.getAction(key)).toBeUndefined();
    expect(events).toEqual([
      {
        kind: 'corrupt-entry',
        what: 'action',
        id: key,
        path: record,
        detail: expect.stringContaining('header says'),
      },
    ]);
    expect(await exists(record)).toBe(false);
    expect(cache.stats()).toMatchObject({ corruptions: 1, actionMisses: 1, actionHits: 0 });
  });

  test('an edited action record (same length) and one copied to another key are caught', async () => {
    const cache = open();
    const a = testKey('a');
    const b = testKey('b');
    await cache.putAction(a, { outputs: [], exitCode: 0 });
    await cache.putAction(b, { outputs: [], exitCode: 0 });
    const recordA = cache.layout.actionPath(a);
    const text = await fs.readFile(recordA, 'utf8');
    await fs.chmod(recordA, 0o644);
    await fs.writeFile(recordA, text.replace('"exitCode":0', '"exitCode":7'));
    const recordC = cache.layout.actionPath(testKey('c'));
    await fs.mkdir(path.dirname(recordC), { recursive: true });
    await fs.copyFile(cache.layout.actionPath(b), recordC);
    expect(await cache.getAction(a)).toBeUndefined();
    expect(await cache.getAction(testKey('c'))).toBeUndefined();
    expect(await cache.getAction(b)).toEqual({ outputs: [], exitCode: 0 });
    expect(events.map((e) => [e.what, e.id, e.detail.split(' ')[0]])).toEqual([
      ['action', a, 'body'],
      ['action', testKey('c'), 'record'],
    ]);
  });

  test('a record decoded by an earlier instance of this process and then edited, mtime restored, is caught', async () => {
    const d = await open().putBlob(Buffer.from('out'));
    const key = testKey('memo');
    const result = {
      outputs: [{ path: 'o', digest: d, size: 3, executable: false }],
      exitCode: 0,
    };
    await open().putAction(key, result);
    const record = open().layout.actionPath(key);
    expect(await open().getAction(key)).toEqual(result);
    // The server's next command: another instance on the same directory.
    expect(await open().getAction(key)).toEqual(result);

    const text = await fs.readFile(record, 'utf8');
    const before = await fs.stat(record);
    await fs.chmod(record, 0o644);
    await fs.writeFile(record, text.replace('"exitCode":0', '"exitCode":7'));
    await fs.chmod(record, 0o444);
    await fs.utimes(record, before.atime, before.mtime);
    expect(await open().getAction(key)).toBeUndefined();
    expect(events.map((e) => [e.what, e.id])).toEqual([['action', key]]);
  });

  test('an action whose blob was deleted is a plain miss; the record stays', async () => {
    const cache = open();
    const d = await cache.putBlob(Buffer.from('gone soon'));
    const key = testKey('incomplete');
    await cache.putAction(key, {
      outputs: [{ path: 'o', digest: d, size: 9, executable: false }],
      exitCode: 0,
    });
    await fs.rm(cache.layout.blobPath(d));
    expect(await cache.getAction(key)).toBeUndefined();
    expect(events).toEqual([]);
    expect(await exists(cache.layout.actionPath(key))).toBe(true);
  });
});

describe('putFile', () => {
  test('move takes a lone file into the CAS; a hard-linked file is copied', async () => {
    const cache = open();
    const lone = path.join(root, 'lone');
    await fs.writeFile(lone, 'lone bytes', { mode: 0o755 });
    const put = await cache.putFile(lone, { move: true });
    expect(await exists(lone)).toBe(false);
    expect((await fs.stat(cache.layout.blobPath(put.digest))).mode & 0o777).toBe(0o444);
    expect(cache.stats().bytesHashed).toBe(0);
    expect(Buffer.from((await cache.getBlob(put.digest))!).toString()).toBe('lone bytes');
    // Hashed on the way in, so the read did not rehash.
    expect(cache.stats().bytesHashed).toBe(0);

    const linked = path.join(root, 'linked');
    await fs.writeFile(linked, 'shared bytes', { mode: 0o644 });
    await fs.link(linked, path.join(root, 'other-link'));
    const put2 = await cache.putFile(linked, { move: true });
    expect((await fs.stat(linked)).mode & 0o777).toBe(0o644);
    expect((await fs.stat(cache.layout.blobPath(put2.digest))).nlink).toBe(1);
  });
});

describe('putFile from another file system', () => {
  const memory = '/dev/shm';
  const onOtherDevice = async (): Promise<boolean> => {
    try {
      return (await fs.stat(memory)).dev !== (await fs.stat(root)).dev;
    } catch {
      return false;
    }
  };

  test('move copies while hashing: the copy is known intact and is not hashed again', async () => {
    // Exec roots live in memory (src/exec/sandbox-base.ts), the cache on disk.
    if (!(await onOtherDevice())) {
      console.warn(`${memory} is not a separate file system here; nothing to check`);
      return;
    }
    const dir = await fs.mkdtemp(path.join(memory, 'pgobuild-cache-test-'));
    try {
      const cache = open();
      const src = path.join(dir, 'out.a');
      await fs.writeFile(src, 'archive bytes');
      const put = await cache.putFile(src, { move: true });
      expect(put).toEqual({ digest: sha256(Buffer.from('archive bytes')), size: 13 });
      // Copied, not renamed: the source is the sandbox's to remove.
      expect(await exists(src)).toBe(true);
      expect(cache.stats().bytesHashed).toBe(0);
      expect(Buffer.from((await cache.getBlob(put.digest))!).toString()).toBe('archive bytes');
      expect(await cache.verifiedPath(put.digest)).toBe(cache.layout.blobPath(put.digest));
      // Hashed on the way in, so the reads did not hash it again.
      expect(cache.stats().bytesHashed).toBe(0);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('atomicity', () => {
  test('a leftover temp file is ignored by reads and by the size', async () => {
    const cache = open();
    await cache.putBlob(Buffer.from('real'));
    const junk = Buffer.from('partial write');
    await fs.writeFile(path.join(cache.layout.tmpDir, 'dead.tmp'), junk);
    expect(await cache.hasBlob(sha256(junk))).toBe(false);
    expect(await cache.getBlob(sha256(junk))).toBeUndefined();
    expect(await open().sizeBytes()).toBe(4);
  });

  test('a writer killed mid-write leaves only a temp file; the cache stays usable', async () => {
    const fifo = path.join(root, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const content = testBytes(8 << 20, 21);
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', WRITER, root, 'put-file', fifo],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    const tmpDir = path.join(root, 'v1', 'tmp');
    const pipe = await fs.open(fifo, 'w');
    try {
      await pipe.write(content, 0, 4 << 20);
      // Wait until the child has copied most of what we sent into its temp file.
      for (;;) {
        const names = await fs.readdir(tmpDir).catch(() => []);
        const sizes = await Promise.all(names.map((n) => fs.stat(path.join(tmpDir, n))));
        if (sizes.some((s) => s.size >= 3 << 20)) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
    } finally {
      await pipe.close().catch(() => undefined);
    }

    expect(await fs.readdir(tmpDir)).toHaveLength(1);
    expect(await fs.readdir(path.join(root, 'v1', 'cas')).catch(() => [])).toEqual([]);
    const cache = open();
    expect(await cache.hasBlob(sha256(content))).toBe(false);
    expect(await cache.sizeBytes()).toBe(0);
    const d = await cache.putBlob(content);
    expect(sha256((await cache.getBlob(d))!)).toBe(d);
    // The leftover is young, but its writer (on this host) is gone: it is removed at once.
    expect(await cache.removeStaleTempFiles()).toBe(1);
    expect(await fs.readdir(tmpDir)).toEqual([]);
    expect(events).toEqual([]);
  });

  test('young temp files are kept while their writer may still be writing', async () => {
    const cache = open();
    await cache.putBlob(Buffer.from('x'));
    const names = {
      live: uniqueTempName(),
      otherHost: `some.other.host-${process.pid + 1}-0123456789abcdef.tmp`,
      unknown: 'something.tmp',
    };
    for (const name of Object.values(names)) {
      await fs.writeFile(path.join(cache.layout.tmpDir, name), 'in progress');
    }
    expect(await cache.removeStaleTempFiles()).toBe(0);
    expect((await fs.readdir(cache.layout.tmpDir)).sort()).toEqual(Object.values(names).sort());
  });

  test('two processes writing the same blob and action at once both succeed', async () => {
    const run = (): Promise<{ code: number | null; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(
          process.execPath,
          [
            '-r',
            'ts-node/register/transpile-only',
            WRITER,
            root,
            'hammer',
            '5',
            '2000000',
            '15',
            'k',
          ],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
        let stderr = '';
        child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    const results = await Promise.all([run(), run()]);
    expect(results).toEqual([
      { code: 0, stderr: '' },
      { code: 0, stderr: '' },
    ]);
    const cache = open();
    const bytes = testBytes(2_000_000, 5);
    expect(sha256((await cache.getBlob(sha256(bytes)))!)).toBe(sha256(bytes));
    expect((await cache.getAction(testKey('k')))?.outputs[0]?.digest).toBe(sha256(bytes));
    expect(await fs.readdir(cache.layout.tmpDir)).toEqual([]);
    expect(events).toEqual([]);
  });
});

describe('size and garbage collection', () => {
  test('sizeBytes counts blobs and records, and tracks this instance’s writes', async () => {
    const cache = open();
    expect(await cache.sizeBytes()).toBe(0);
    const d = await cache.putBlob(testBytes(1000));
    await cache.putBlob(testBytes(1000)); // already there: no growth
    await cache.putAction(testKey('s'), {
      outputs: [{ path: 'o', digest: d, size: 1000, executable: false }],
      exitCode: 0,
    });
    const recordSize = (await fs.stat(cache.layout.actionPath(testKey('s')))).size;
    expect(await cache.sizeBytes()).toBe(1000 + recordSize);
    expect(await open().sizeBytes()).toBe(1000 + recordSize);
  });

  test('a hit does not rewrite mtimes touched within the LRU granularity', async () => {
    const cache = open();
    const blob = await cache.putBlob(testBytes(100, 9));
    const key = testKey('recent');
    await cache.putAction(key, {
      outputs: [{ path: 'x', digest: blob, size: 100, executable: false }],
      exitCode: 0,
    });
    const record = cache.layout.actionPath(key);
    await setAge(record, 60); // one minute old: recent enough
    const before = (await fs.stat(record)).mtimeMs;
    expect(await cache.getAction(key)).toBeDefined();
    expect((await fs.stat(record)).mtimeMs).toBe(before);
    await setAge(record, 3600); // an hour old: refreshed by the hit
    expect(await cache.getAction(key)).toBeDefined();
    expect(Date.now() - (await fs.stat(record)).mtimeMs).toBeLessThan(60_000);
  });

  test('verifiedPath (an action input) does not rewrite a blob touched within the LRU granularity', async () => {
    const cache = open();
    const blob = await cache.putBlob(testBytes(100, 11));
    const file = cache.layout.blobPath(blob);
    await setAge(file, 60); // one minute old: recent enough
    const before = (await fs.stat(file)).mtimeMs;
    expect(await cache.verifiedPath(blob)).toBe(file);
    expect((await fs.stat(file)).mtimeMs).toBe(before);
    await setAge(file, 3600); // an hour old: refreshed by the use
    expect(await cache.verifiedPath(blob)).toBe(file);
    expect(Date.now() - (await fs.stat(file)).mtimeMs).toBeLessThan(60_000);
  });

  test('LRU eviction removes the least recently used entries; hits refresh entries', async () => {
    const cache = open();
    const [a, b, c] = [
      await cache.putBlob(testBytes(1000, 1)),
      await cache.putBlob(testBytes(1000, 2)),
      await cache.putBlob(testBytes(1000, 3)),
    ];
    const key = testKey('uses-c');
    await cache.putAction(key, {
      outputs: [{ path: 'c', digest: c, size: 1000, executable: false }],
      exitCode: 0,
    });
    const record = cache.layout.actionPath(key);
    await setAge(cache.layout.blobPath(a), 4000); // oldest...
    await setAge(cache.layout.blobPath(b), 3000);
    await setAge(cache.layout.blobPath(c), 2000);
    await setAge(record, 1000); // ...newest
    const recordSize = (await fs.stat(record)).size;

    // Without hits, b would survive and a would go; the hits reverse that.
    expect(await cache.getBlob(a)).toBeDefined();
    expect(await cache.getAction(key)).toBeDefined();

    const gc = await cache.collectGarbage(2000 + recordSize);
    expect(gc).toEqual({ removedBytes: 1000, removedEntries: 1, removedTempFiles: 0 });
    expect(await cache.hasBlob(a)).toBe(true);
    expect(await cache.hasBlob(b)).toBe(false);
    expect(await cache.getAction(key)).toBeDefined();
    expect(await cache.sizeBytes()).toBe(2000 + recordSize);

    // Within the bound: nothing happens.
    expect((await cache.collectGarbage(1e9)).removedEntries).toBe(0);

    const all = await cache.collectGarbage(0);
    expect(all).toEqual({
      removedBytes: 2000 + recordSize,
      removedEntries: 3,
      removedTempFiles: 0,
    });
    expect(await cache.sizeBytes()).toBe(0);
    expect(await cache.getAction(key)).toBeUndefined();
    expect(await cache.getBlob(a)).toBeUndefined();
    expect(events).toEqual([]);
  });

  test('garbage collection removes only stale temp files', async () => {
    const cache = open();
    await cache.putBlob(Buffer.from('x'));
    const stale = path.join(cache.layout.tmpDir, 'stale.tmp');
    const fresh = path.join(cache.layout.tmpDir, 'fresh.tmp');
    await fs.writeFile(stale, 'old partial');
    await fs.writeFile(fresh, 'in progress');
    await setAge(stale, 3 * 3600);
    expect((await cache.collectGarbage(1e9)).removedTempFiles).toBe(1);
    expect(await fs.readdir(cache.layout.tmpDir)).toEqual(['fresh.tmp']);
  });
});

describe('garbage collection after a build (collectGarbageIfDue)', () => {
  const statePath = (): string => path.join(root, 'v1', 'gc-state.json');
  const readState = async (): Promise<{ scannedAtMs: number; bytes: number }> =>
    JSON.parse(await fs.readFile(statePath(), 'utf8')) as { scannedAtMs: number; bytes: number };

  test('the first call scans; later ones within the bound only update the estimate', async () => {
    const cache = open();
    await cache.putBlob(testBytes(1000, 1));
    const t0 = Date.now();
    expect(await cache.collectGarbageIfDue(1e9, t0)).toEqual({
      removedBytes: 0,
      removedEntries: 0,
      removedTempFiles: 0,
    });
    expect(await readState()).toEqual({ scannedAtMs: t0, bytes: 1000 });

    await cache.putBlob(testBytes(500, 2));
    expect(await cache.collectGarbageIfDue(1e9, t0 + 1000)).toBeUndefined();
    expect(await readState()).toEqual({ scannedAtMs: t0, bytes: 1500 });
    // Nothing new written: the estimate stays.
    expect(await cache.collectGarbageIfDue(1e9, t0 + 2000)).toBeUndefined();
    expect(await readState()).toEqual({ scannedAtMs: t0, bytes: 1500 });
  });

  test("another process's writes count: an estimate over the bound evicts", async () => {
    const first = open();
    const a = await first.putBlob(testBytes(1000, 1));
    await setAge(first.layout.blobPath(a), 100);
    const t0 = Date.now();
    await first.collectGarbageIfDue(1e9, t0);

    const second = open(); // another process: it knows only the state file
    const b = await second.putBlob(testBytes(1000, 2));
    // 2000 bytes estimated against a bound of 1500: a scan, and the older blob goes.
    expect(await second.collectGarbageIfDue(1500, t0 + 1000)).toEqual({
      removedBytes: 1000,
      removedEntries: 1,
      removedTempFiles: 0,
    });
    expect(await second.hasBlob(a)).toBe(false);
    expect(await second.hasBlob(b)).toBe(true);
    expect(await readState()).toEqual({ scannedAtMs: t0 + 1000, bytes: 1000 });
  });

  test('an old estimate, a damaged state file or a clock gone back means a rescan', async () => {
    const cache = open();
    await cache.putBlob(testBytes(1000, 1));
    const t0 = Date.now();
    await cache.collectGarbageIfDue(1e9, t0);
    // Bytes written behind the estimate's back (a lost update): the rescan finds them.
    await fs.writeFile(statePath(), JSON.stringify({ scannedAtMs: t0, bytes: 10 }));
    expect(await cache.collectGarbageIfDue(1e9, t0 + GC_RESCAN_INTERVAL_MS - 1)).toBeUndefined();
    expect((await readState()).bytes).toBe(10);
    expect(await cache.collectGarbageIfDue(1e9, t0 + GC_RESCAN_INTERVAL_MS + 1)).toBeDefined();
    expect(await readState()).toEqual({ scannedAtMs: t0 + GC_RESCAN_INTERVAL_MS + 1, bytes: 1000 });

    await fs.writeFile(statePath(), '{"scannedAtMs": "yesterday"');
    expect(await cache.collectGarbageIfDue(1e9, t0)).toBeDefined();
    expect(await cache.collectGarbageIfDue(1e9, t0 - 1)).toBeDefined();
    expect(await readState()).toEqual({ scannedAtMs: t0 - 1, bytes: 1000 });
  });

  test('stale temp files are removed even when no scan is due', async () => {
    const cache = open();
    await cache.putBlob(Buffer.from('x'));
    const t0 = Date.now();
    await cache.collectGarbageIfDue(1e9, t0);
    const stale = path.join(cache.layout.tmpDir, 'stale.tmp');
    await fs.writeFile(stale, 'old partial');
    await setAge(stale, 3 * 3600);
    expect(await cache.collectGarbageIfDue(1e9, t0 + 1000)).toBeUndefined();
    expect(await exists(stale)).toBe(false);
  });
});
