import * as http from 'node:http';
import * as net from 'node:net';

/** A server a test starts on 127.0.0.1 and closes in afterAll/afterEach. */
export interface TestServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Options of {@link startHttpProxy}. */
export interface HttpProxyOptions {
  /** Flip one byte in the body of every successful `GET /cas/…` answer. */
  readonly corruptBlobs?: boolean;
  /**
   * After this many requests were forwarded, call `onStop` (e.g. kill the real server), then stop
   * listening and drop every connection: the remote is gone in the middle of the build.
   */
  readonly stopAfterRequests?: number;
  readonly onStop?: () => void;
}

/** What the proxy saw. */
export interface HttpProxy extends TestServer {
  /** Blob bodies it corrupted. */
  readonly corrupted: string[];
  /** Requests it forwarded. */
  readonly forwarded: number;
  /** True once it stopped (see {@link HttpProxyOptions.stopAfterRequests}). */
  readonly stopped: boolean;
}

/**
 * An HTTP proxy in front of a Bazel HTTP cache (bazel-remote) that can corrupt blobs or go away
 * mid-build, to check that pgobuild never trusts the wire and never fails because of the cache.
 */
export async function startHttpProxy(
  target: string,
  opts: HttpProxyOptions = {},
): Promise<HttpProxy> {
  const sockets = new Set<net.Socket>();
  const corrupted: string[] = [];
  let forwarded = 0;
  let stopped = false;
  const server = http.createServer((req, res) => {
    if (stopped) {
      req.socket.destroy();
      return;
    }
    if (opts.stopAfterRequests !== undefined && forwarded >= opts.stopAfterRequests) {
      stopped = true;
      opts.onStop?.();
      server.close();
      for (const s of sockets) s.destroy();
      return;
    }
    forwarded++;
    const upstream = http.request(
      `${target}${req.url ?? '/'}`,
      { method: req.method, headers: req.headers },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const body = Buffer.concat(chunks);
          if (
            opts.corruptBlobs === true &&
            req.method === 'GET' &&
            (req.url ?? '').includes('/cas/') &&
            up.statusCode === 200 &&
            body.length > 0
          ) {
            const i = Math.floor(body.length / 2);
            body[i] = (body[i] as number) ^ 0xff;
            corrupted.push(req.url ?? '');
          }
          const headers = { ...up.headers, 'content-length': String(body.length) };
          delete headers['transfer-encoding'];
          res.writeHead(up.statusCode ?? 502, headers);
          res.end(req.method === 'HEAD' ? undefined : body);
        });
      },
    );
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    corrupted,
    get forwarded() {
      return forwarded;
    },
    get stopped() {
      return stopped;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      if (server.listening) await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A TCP server that accepts connections and never sends a byte: a remote that hangs. */
export async function startSilentServer(): Promise<TestServer & { readonly connections: number }> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  return {
    url: `127.0.0.1:${port}`,
    port,
    get connections() {
      return connections;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}
