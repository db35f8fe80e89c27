import { type ChildProcess, spawn } from 'node:child_process';
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
  /** `http://127.0.0.1:<port>` */
  readonly httpUrl: string;
  /** `grpc://127.0.0.1:<port>` */
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
}

/**
 * Starts bazel-remote on random free loopback ports and waits until it answers. Fails (never
 * skips) when the binary has not been built.
 */
export async function startBazelRemote(opts: BazelRemoteOptions = {}): Promise<BazelRemote> {
  if (!fs.existsSync(BAZEL_REMOTE_BINARY)) {
    throw new Error(
      `bazel-remote is not built (${BAZEL_REMOTE_BINARY} is missing): run scripts/fetch-tools.sh first`,
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
    const ready = await waitReady(child, httpPort, grpcPort);
    if (ready) {
      return {
        httpUrl: `http://127.0.0.1:${httpPort}`,
        grpcUrl: `grpc://127.0.0.1:${grpcPort}`,
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
): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
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
