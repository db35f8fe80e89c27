import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SourceReader } from '../../src/analysis/go-package';
import { SourceScanCache, quotedIncludes } from '../../src/analysis/source-scan-cache';

/** Far enough after every file's mtime that no file counts as racy. */
const later = (): number => Date.now() + 60_000;

const GO =
  'package lib\n\nimport (\n\t"fmt"\n\t"strings"\n)\n\nfunc F() { fmt.Println(strings.ToUpper("a")) }\n';

describe('the source scan cache', () => {
  let tmp: string;
  let ws: string;
  let store: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-scan-cache-'));
    ws = path.join(tmp, 'ws');
    store = path.join(tmp, 'cache');
    fs.mkdirSync(path.join(ws, 'lib'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'lib', 'lib.go'), GO);
    fs.writeFileSync(path.join(ws, 'lib', 'data.txt'), 'data');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** Reads the files with a fresh reader over a fresh cache opened on `store`, then saves. */
  async function readAll(
    now = later,
  ): Promise<{ cache: SourceScanCache; files: Record<string, unknown> }> {
    const cache = SourceScanCache.open(store, now);
    const reader = new SourceReader(ws, cache);
    const files: Record<string, unknown> = {};
    for (const f of ['lib/lib.go', 'lib/data.txt']) {
      const r = await reader.read(f);
      if (!r.ok) throw new Error(r.failure);
      files[f] = { digest: r.value.digest, info: r.value.info, text: r.value.text };
    }
    await cache.save();
    return { cache, files };
  }

  /** What a reader without a cache gives. */
  async function fresh(): Promise<Record<string, unknown>> {
    const reader = new SourceReader(ws);
    const files: Record<string, unknown> = {};
    for (const f of ['lib/lib.go', 'lib/data.txt']) {
      const r = await reader.read(f);
      if (!r.ok) throw new Error(r.failure);
      files[f] = { digest: r.value.digest, info: r.value.info, text: r.value.text };
    }
    return files;
  }

  function storedFiles(): string[] {
    return fs.readdirSync(store).map((n) => path.join(store, n));
  }

  it('answers unchanged files from the stored scan, with what a fresh read gives', async () => {
    const first = await readAll();
    expect(first.cache.stats).toEqual({ hits: 0, misses: 2 });
    expect(storedFiles()).toHaveLength(1);
    const second = await readAll();
    expect(second.cache.stats).toEqual({ hits: 2, misses: 0 });
    expect(second.files).toEqual(await fresh());
  });

  it('re-reads a file rewritten with the same size and mtime (only ctime tells)', async () => {
    await readAll();
    const file = path.join(ws, 'lib', 'lib.go');
    const before = fs.statSync(file);
    // Same length, another import: a stale entry would keep "strings".
    fs.writeFileSync(file, GO.replace(/strings/g, 'unicode'.padEnd(7)));
    expect(fs.statSync(file).size).toBe(before.size);
    fs.utimesSync(file, before.atime, before.mtime);
    const after = await readAll();
    expect(after.cache.stats).toEqual({ hits: 1, misses: 1 });
    expect(after.files).toEqual(await fresh());
  });

  it('neither trusts nor stores a file modified within the racy window', async () => {
    const now = (): number => Date.now();
    const first = await readAll(now);
    expect(first.cache.stats).toEqual({ hits: 0, misses: 0 });
    expect(fs.existsSync(store)).toBe(false);
  });

  it('ignores a truncated, damaged or foreign cache file and analyses afresh', async () => {
    await readAll();
    const [stored] = storedFiles();
    if (stored === undefined) throw new Error('nothing stored');
    const good = fs.readFileSync(stored, 'utf8');
    const expected = await fresh();
    const payload = good.slice(good.indexOf('\n') + 1);
    const damaged = [
      good.slice(0, Math.floor(good.length / 2)),
      good.replace('"packageName":"lib"', '"packageName":"lix"'),
      '',
      'not json at all',
      // A correct checksum over a payload of the wrong shape.
      (() => {
        const parsed = JSON.parse(payload) as {
          entries: Record<string, { info?: Record<string, unknown> }>;
        };
        const info = parsed.entries['lib.go']?.info;
        if (info === undefined) throw new Error('no stored scan of lib.go');
        info['imports'] = { not: 'an array' };
        const bad = JSON.stringify(parsed);
        return `${createHash('sha256').update(bad).digest('hex')}\n${bad}`;
      })(),
    ];
    for (const text of damaged) {
      fs.writeFileSync(stored, text);
      const r = await readAll();
      expect(r.cache.stats.hits).toBe(0);
      expect(r.files).toEqual(expected);
      // The read rewrote an intact file: the next build hits again.
      expect((await readAll()).cache.stats.hits).toBe(2);
    }
  });

  it('reads the text of a file it answered only when asked, and refuses a changed file', async () => {
    await readAll();
    const cache = SourceScanCache.open(store, later);
    const reader = new SourceReader(ws, cache);
    const r = await reader.read('lib/lib.go');
    if (!r.ok) throw new Error(r.failure);
    expect(cache.stats.hits).toBe(1);
    fs.writeFileSync(path.join(ws, 'lib', 'lib.go'), `${GO}// changed\n`);
    expect(() => r.value.text).toThrow(/changed while pgobuild was analysing it/);
  });

  it('stays intact and correct when builds that saw different file versions save at once', async () => {
    const file = path.join(ws, 'lib', 'lib.go');
    const old = new Date(Date.now() - 3_600_000);
    // Two "builds", each having read its own version of lib.go, save concurrently.
    const caches: SourceScanCache[] = [];
    for (const text of [GO, GO.replace('"strings"', '"bytes"')]) {
      fs.writeFileSync(file, text);
      fs.utimesSync(file, old, old);
      const cache = SourceScanCache.open(store, later);
      const r = await new SourceReader(ws, cache).read('lib/lib.go');
      expect(r.ok).toBe(true);
      caches.push(cache);
    }
    await Promise.all(caches.map((c) => c.save()));
    // Whichever rename won, the stored entry is for a signature the file no longer has, or for
    // the file as it is: either way a read gives what a fresh read gives.
    const after = await readAll();
    expect(after.files).toEqual(await fresh());
    expect(storedFiles()).toHaveLength(1);
  });

  it("keeps an assembly file's #include names, and re-reads them once it changed", async () => {
    const asm = path.join(ws, 'lib', 'add_amd64.s');
    const old = new Date(Date.now() - 3_600_000);
    fs.writeFileSync(asm, '#include "textflag.h"\n  #include "cgo/abi.h"\nTEXT ·Add(SB), $0\n');
    fs.utimesSync(asm, old, old);
    const first = SourceScanCache.open(store, later);
    expect(quotedIncludes(asm, first)).toEqual(['textflag.h', 'cgo/abi.h']);
    await first.save();
    const second = SourceScanCache.open(store, later);
    expect(quotedIncludes(asm, second)).toEqual(['textflag.h', 'cgo/abi.h']);
    expect(second.stats).toEqual({ hits: 1, misses: 0 });
    // Same size, same mtime, another header.
    fs.writeFileSync(asm, '#include "textflag.h"\n  #include "cgo/xyz.h"\nTEXT ·Add(SB), $0\n');
    fs.utimesSync(asm, old, old);
    const third = SourceScanCache.open(store, later);
    expect(quotedIncludes(asm, third)).toEqual(['textflag.h', 'cgo/xyz.h']);
    expect(third.stats).toEqual({ hits: 0, misses: 1 });
    expect(quotedIncludes(path.join(ws, 'lib', 'missing.s'), third)).toBeUndefined();
  });

  it('stores nothing and answers nothing when disabled', async () => {
    const cache = SourceScanCache.open(undefined, later);
    const reader = new SourceReader(ws, cache);
    expect((await reader.read('lib/lib.go')).ok).toBe(true);
    await cache.save();
    expect(cache.stats).toEqual({ hits: 0, misses: 0 });
    expect(fs.existsSync(store)).toBe(false);
  });
});
