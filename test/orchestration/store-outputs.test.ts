import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ActionKey } from '../../src/actions';
import { storeOutputs } from '../../src/orchestration/store-outputs';
import { type ActionCache, DiskCache } from '../../src/cache';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-store-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const KEY_A = 'a'.repeat(64) as ActionKey;
const KEY_B = 'b'.repeat(64) as ActionKey;

/** A disk cache whose file system fills up after `room` more bytes (injected ENOSPC). */
function fillingCache(cache: DiskCache, room: number): ActionCache {
  let left = room;
  const enospc = (): Error =>
    Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  return new Proxy(cache, {
    get(target, prop, receiver) {
      if (prop === 'putFile')
        return async (abs: string, opts: unknown) => {
          const size = fs.statSync(abs).size;
          if (size > left) throw enospc();
          left -= size;
          return target.putFile(abs, opts as never);
        };
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as ActionCache;
}

function output(dir: string, name: string, bytes: number): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, Buffer.alloc(bytes, name));
  return p;
}

describe('storeOutputs', () => {
  it('turns a full disk into a failure naming the cache and keeps what fit', async () => {
    const root = tmp();
    const work = tmp();
    const cache = new DiskCache(root);
    const full = fillingCache(cache, 1000);
    const first = await storeOutputs(
      full,
      KEY_A,
      {
        files: [{ path: 'a.a', absPath: output(work, 'a', 600), executable: false }],
        durationMs: 1,
      },
      root,
    );
    expect(first.ok).toBe(true);
    const second = await storeOutputs(
      full,
      KEY_B,
      {
        files: [{ path: 'b.a', absPath: output(work, 'b', 600), executable: false }],
        durationMs: 1,
      },
      root,
    );
    expect(second.ok).toBe(false);
    if (!second.ok) {
      expect(second.failure.reason).toBe('cache-write');
      expect(second.failure.message).toContain(
        `cannot write to the disk cache ${root}: no space left on device`,
      );
      expect(second.failure.message).toContain('free space');
      expect(second.failure.message).toContain('results stored so far are kept');
    }
    // The first result is still a hit; the second was never recorded.
    expect((await cache.getAction(KEY_A))?.outputs[0]?.size).toBe(600);
    expect(await cache.getAction(KEY_B)).toBeUndefined();
  });

  it('lets bugs through as exceptions', async () => {
    const root = tmp();
    const broken = new Proxy(new DiskCache(root), {
      get(target, prop, receiver) {
        if (prop === 'putFile') return () => Promise.reject(new TypeError('bug'));
        return Reflect.get(target, prop, receiver) as unknown;
      },
    }) as ActionCache;
    await expect(
      storeOutputs(
        broken,
        KEY_A,
        { files: [{ path: 'x', absPath: '/nonexistent', executable: false }], durationMs: 0 },
        root,
      ),
    ).rejects.toThrow('bug');
  });
});
