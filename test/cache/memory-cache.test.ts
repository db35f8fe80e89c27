import type { CacheEvent } from '../../src/cache';
import { MemoryCache } from './memory-cache';
import { testKey } from './test-data';

describe('MemoryCache test hooks', () => {
  test('a tampered blob is reported, dropped and a miss', async () => {
    const events: CacheEvent[] = [];
    const cache = new MemoryCache({ onEvent: (e) => events.push(e) });
    const d = await cache.putBlob(Buffer.from('good'));
    cache.tamperBlob(d, Buffer.from('evil'));
    expect(await cache.getBlob(d)).toBeUndefined();
    expect(await cache.hasBlob(d)).toBe(false);
    expect(events).toEqual([
      expect.objectContaining({ kind: 'corrupt-entry', what: 'blob', id: d }),
    ]);
    expect(cache.stats().corruptions).toBe(1);
  });

  test('a tampered action record is reported, dropped and a miss', async () => {
    const events: CacheEvent[] = [];
    const cache = new MemoryCache({ onEvent: (e) => events.push(e) });
    await cache.putAction(testKey('k'), { outputs: [], exitCode: 0 });
    cache.tamperAction(testKey('k'), (r) => r.subarray(0, r.length - 1));
    expect(await cache.getAction(testKey('k'))).toBeUndefined();
    expect(await cache.getAction(testKey('k'))).toBeUndefined();
    expect(events.map((e) => [e.what, e.id])).toEqual([['action', testKey('k')]]);
    expect(cache.stats()).toMatchObject({ corruptions: 1, actionMisses: 2 });
  });
});
