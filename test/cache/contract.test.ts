import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CacheEvent } from '../../src/cache';
import { DiskCache } from '../../src/cache';
import { MemoryCache } from './memory-cache';
import { describeCacheContract } from './cache-contract';

describeCacheContract('DiskCache', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pgobuild-disk-cache-'));
  const events: CacheEvent[] = [];
  return {
    cache: new DiskCache(root, { onEvent: (e) => events.push(e) }),
    events,
    dispose: () => fs.rm(root, { recursive: true, force: true }),
  };
});

describeCacheContract('MemoryCache', async () => {
  const events: CacheEvent[] = [];
  const cache = new MemoryCache({ onEvent: (e) => events.push(e) });
  return { cache, events, dispose: () => cache.dispose() };
});
