import * as fs from 'node:fs';
import * as net from 'node:net';
import { runCommandLine } from '../cli/main';
import { retainAnalyses } from '../orchestration/retained-analysis';
import { CommandServer } from './command-server';

/** How long a client waits for the start-up lock, and a server for a stale one to clear. */
const LOCK_WAIT_MS = 10_000;

/**
 * The server process's entry point, started detached by bin/pgobuild.js as
 * `node dist/src/server/server-main.js <socket> <workspace root> <max idle seconds> <installation>`.
 *
 * Two clients may start a server for the same workspace at the same time: every would-be server
 * takes the start-up lock (`<socket>.lock`, created exclusively, holding its pid), and inside it
 * checks whether a server already answers on the socket (then it exits: exactly one wins),
 * otherwise removes a stale socket file left by a killed server and listens. A lock whose owner
 * is dead is removed.
 */
export async function serverMain(args: readonly string[]): Promise<void> {
  const [socketPath, workspaceRoot, idleSecs, installation] = args;
  if (socketPath === undefined || workspaceRoot === undefined) {
    process.stderr.write('usage: server-main <socket> <workspace root> [max idle secs]\n');
    process.exitCode = 2;
    return;
  }
  process.chdir(workspaceRoot);
  // Commands run one at a time here: each build can start from the last one's analysis.
  retainAnalyses();
  const lockPath = `${socketPath}.lock`;
  if (!(await acquireLock(lockPath))) {
    process.stderr.write(`pgobuild server: could not take ${lockPath}\n`);
    process.exitCode = 1;
    return;
  }
  let server: CommandServer | undefined;
  try {
    if (await answers(socketPath)) return; // another server won the race
    fs.rmSync(socketPath, { force: true }); // stale: its server is gone
    server = new CommandServer({
      socketPath,
      workspaceRoot,
      idleTimeoutMs: Math.max(1, Number(idleSecs ?? 900) || 900) * 1000,
      installation: installation ?? '',
      run: runCommandLine,
      // A moment for the last client's exit frame to leave the socket.
      onStopped: () => setTimeout(() => process.exit(0), 100),
    });
    await server.listen();
  } finally {
    fs.rmSync(lockPath, { force: true });
  }
  const stop = (): void => server?.stop();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Detached from the terminal that started it; a hang-up is not ours.
  process.on('SIGHUP', () => undefined);
  process.stderr.write(`pgobuild server ${process.pid} listening on ${socketPath}\n`);
}

/** True when a server accepts connections on `socketPath`. */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socketPath);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function acquireLock(lockPath: string): Promise<boolean> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  while (Date.now() < deadline) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx', mode: 0o600 });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (lockIsStale(lockPath)) fs.rmSync(lockPath, { force: true });
    else await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

/**
 * A lock is stale when its owner is dead, or when it stayed empty (its owner died between
 * creating and writing it) for a second.
 */
function lockIsStale(lockPath: string): boolean {
  let text: string;
  let mtimeMs: number;
  try {
    text = fs.readFileSync(lockPath, 'utf8');
    mtimeMs = fs.statSync(lockPath).mtimeMs;
  } catch {
    return false; // gone already: retry at once
  }
  const pid = Number(text);
  if (text === '' || !Number.isInteger(pid)) return Date.now() - mtimeMs > 1000;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

if (require.main === module) {
  serverMain(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(
      `pgobuild server: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exit(1);
  });
}
