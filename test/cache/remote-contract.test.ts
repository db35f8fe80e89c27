import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CacheEvent } from '../../src/cache';
import { DiskCache } from '../../src/cache';
import type { RemoteCacheWarning } from '../../src/cache/remote';
import { RemoteBackedCache, openRemoteStore } from '../../src/cache/remote';
import { parseRemoteCacheUrl } from '../../src/cli/remote-flags';
import { type BazelRemote, startBazelRemote } from '../remote/bazel-remote';
import { describeCacheContract } from './cache-contract';

// The contract suite against the two-level caches a build uses with --remote_cache: the disk
// cache in front of a real bazel-remote, over each protocol. Remote warnings would mean the
// remote misbehaved during the contract: none are expected.
let server: BazelRemote;
beforeAll(async () => {
  server = await startBazelRemote();
});
afterAll(async () => {
  await server?.stop();
});

for (const protocol of ['http', 'grpc'] as const) {
  describeCacheContract(`RemoteBackedCache (disk + bazel-remote over ${protocol})`, async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pgobuild-remote-contract-'));
    const events: CacheEvent[] = [];
    const warnings: RemoteCacheWarning[] = [];
    const url = protocol === 'http' ? server.httpUrl : server.grpcUrl;
    const opts = parseRemoteCacheUrl(url);
    if (!opts.ok) throw new Error(opts.failure);
    const store = await openRemoteStore({
      ...opts.value,
      headers: [],
      timeoutMs: 10_000,
      uploadLocalResults: true,
    });
    const cache = new RemoteBackedCache(
      new DiskCache(root, { onEvent: (e) => events.push(e) }),
      store,
      {
        uploadLocalResults: true,
        onEvent: (e) => events.push(e),
        onWarning: (w) => warnings.push(w),
      },
    );
    return {
      cache,
      events,
      dispose: async () => {
        await cache.close();
        expect(warnings).toEqual([]);
        await fs.rm(root, { recursive: true, force: true });
      },
    };
  });
}
