import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { REPO } from './harness';

/** Where toolchain zips are kept between test runs (git-ignored), laid out as the proxy's paths. */
export const PROXY_CACHE = path.join(REPO, '.cache', 'go-proxy');
const UPSTREAM = 'https://proxy.golang.org';

/** A module proxy on 127.0.0.1 for the tests, and the paths it was asked for. */
export interface CachingGoProxy {
  readonly url: string;
  /** Request paths, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * Starts a module proxy that serves `*.zip` files of golang.org/toolchain from `.cache/go-proxy`,
 * downloading each from proxy.golang.org the first time (so CI downloads every ~70 MB SDK zip once),
 * and forwards everything else (checksum database lookups, unknown versions) to proxy.golang.org
 * unchanged. Tests count its requests to tell whether pgobuild downloaded.
 */
export async function startCachingGoProxy(): Promise<CachingGoProxy> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const urlPath = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push(urlPath);
    void serve(urlPath, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function serve(urlPath: string, res: http.ServerResponse): Promise<void> {
  try {
    const cacheable = /^\/golang\.org\/toolchain\/@v\/[^/]+\.zip$/.test(urlPath);
    const cached = path.join(PROXY_CACHE, ...urlPath.split('/').filter((p) => p !== ''));
    if (cacheable && fs.existsSync(cached)) {
      res.writeHead(200, { 'content-type': 'application/zip' });
      fs.createReadStream(cached).pipe(res);
      return;
    }
    const upstream = await fetch(`${UPSTREAM}${urlPath}`);
    const body = Buffer.from(await upstream.arrayBuffer());
    if (cacheable && upstream.status === 200) {
      fs.mkdirSync(path.dirname(cached), { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, body);
      fs.renameSync(tmp, cached);
    }
    res.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream',
    });
    res.end(body);
  } catch (e) {
    res.writeHead(502);
    res.end(`caching proxy: ${(e as Error).message}`);
  }
}
