import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root. */
const REPO = path.resolve(__dirname, '..', '..');

/** Where scripts/fetch-tools.sh builds bazel-remote v2.6.2. */
export const BAZEL_REMOTE_BINARY = path.join(
  REPO,
  '.cache',
  'tools',
  'bazel-remote',
  'bazel-remote',
);

const EMPTY_BLOB = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** A bazel-remote server started by a test on 127.0.0.1, with its own temp directory. */
export interface BazelRemote {
  /** `http://127.0.0.1:<port>` (`https://` with TLS) */
  readonly httpUrl: string;
  /** `grpc://127.0.0.1:<port>` (`grpcs://` with TLS) */
  readonly grpcUrl: string;
  readonly httpPort: number;
  readonly grpcPort: number;
  /** The server's storage directory. */
  readonly dir: string;
  /** Kills the server (SIGKILL, as a crash) without removing its directory. */
  kill(): void;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/** Options of {@link startBazelRemote}. */
export interface BazelRemoteOptions {
  /** An htpasswd file's contents: enables basic auth (`--htpasswd_file`). */
  readonly htpasswd?: string;
  /** With basic auth, let anonymous clients read (`--allow_unauthenticated_reads`). */
  readonly allowUnauthenticatedReads?: boolean;
  /** Serve HTTPS and gRPC over TLS with this PEM certificate and key. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
}

/**
 * Starts bazel-remote on random free loopback ports and waits until it answers. Builds it first
 * with scripts/fetch-tools.sh when it is missing (so `npm test` alone suffices on a fresh clone;
 * .ci/run builds it up front), and fails (never skips) when that fails.
 */
export async function startBazelRemote(opts: BazelRemoteOptions = {}): Promise<BazelRemote> {
  if (!fs.existsSync(BAZEL_REMOTE_BINARY)) {
    const built = spawnSync('bash', [path.join(REPO, 'scripts', 'fetch-tools.sh')], {
      encoding: 'utf8',
    });
    if (built.status !== 0 || !fs.existsSync(BAZEL_REMOTE_BINARY))
      throw new Error(
        `bazel-remote is not built (${BAZEL_REMOTE_BINARY} is missing) and scripts/fetch-tools.sh failed:\n${built.stdout}${built.stderr}`,
      );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-bazel-remote-'));
  const args = ['--dir', path.join(dir, 'data'), '--max_size', '2', '--access_log_level', 'none'];
  if (opts.htpasswd !== undefined) {
    const file = path.join(dir, 'htpasswd');
    fs.writeFileSync(file, opts.htpasswd);
    args.push('--htpasswd_file', file);
    if (opts.allowUnauthenticatedReads === true) args.push('--allow_unauthenticated_reads');
  }
  if (opts.tls !== undefined) {
    args.push('--tls_cert_file', opts.tls.certFile, '--tls_key_file', opts.tls.keyFile);
  }
  const scheme =
    opts.tls === undefined ? { http: 'http', grpc: 'grpc' } : { http: 'https', grpc: 'grpcs' };
  // A port found free may be taken before bazel-remote binds it: retry with new ports.
  for (let attempt = 0; ; attempt++) {
    const httpPort = await freePort();
    const grpcPort = await freePort();
    const child = spawn(
      BAZEL_REMOTE_BINARY,
      [
        ...args,
        '--http_address',
        `127.0.0.1:${httpPort}`,
        '--grpc_address',
        `127.0.0.1:${grpcPort}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    child.stderr?.on('data', (b: Buffer) => (log += b.toString()));
    const ready = await waitReady(child, httpPort, grpcPort, opts.tls !== undefined);
    if (ready) {
      return {
        httpUrl: `${scheme.http}://127.0.0.1:${httpPort}`,
        grpcUrl: `${scheme.grpc}://127.0.0.1:${grpcPort}`,
        httpPort,
        grpcPort,
        dir,
        kill: () => {
          child.kill('SIGKILL');
        },
        stop: async () => {
          await stopProcess(child);
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await stopProcess(child);
    if (attempt >= 3) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`bazel-remote did not start:\n${log}`);
    }
  }
}

async function waitReady(
  child: ChildProcess,
  httpPort: number,
  grpcPort: number,
  tls: boolean,
): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      // Over TLS the test's own CA is not trusted by fetch: listening is enough.
      if (tls) {
        if ((await canConnect(httpPort)) && (await canConnect(grpcPort))) return true;
        throw new Error('not listening yet');
      }
      // The empty blob always exists: bazel-remote's readiness probe.
      const r = await fetch(`http://127.0.0.1:${httpPort}/cas/${EMPTY_BLOB}`, { method: 'HEAD' });
      if (r.ok && (await canConnect(grpcPort))) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** A CA and a certificate for 127.0.0.1 signed by it (openssl), in `dir`. */
export function makeTestCertificates(dir: string): {
  caFile: string;
  certFile: string;
  keyFile: string;
} {
  const run = (args: string[]): void => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=pgobuild test CA',
  ]);
  run(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  ]);
  return {
    caFile: path.join(dir, 'ca.pem'),
    certFile: path.join(dir, 'server.pem'),
    keyFile: path.join(dir, 'server.key'),
  };
}
