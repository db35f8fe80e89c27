import { type ChildProcess, spawn } from 'node:child_process';

/**
 * The watchdog's program, run with `node -e` (so it needs no file next to the compiled code and
 * works the same under ts-jest). It reads `+pid` / `-pid` lines on stdin: the process groups the
 * build has running. Stdin reaching EOF means the build process is gone, whatever killed it
 * (SIGKILL included, which no handler in the build can see): it then SIGKILLs every group still
 * registered and exits. It ignores the signals a terminal sends, so closing the terminal or
 * Ctrl-C cannot take it down before it has done its job.
 */
const WATCHDOG_PROGRAM = `
const groups = new Set();
let pending = '';
for (const s of ['SIGINT', 'SIGHUP', 'SIGTERM', 'SIGPIPE']) process.on(s, () => {});
const killAll = () => {
  for (const pid of groups) { try { process.kill(-pid, 'SIGKILL'); } catch {} }
  process.exit(0);
};
process.stdin.on('data', (chunk) => {
  pending += chunk.toString('latin1');
  const lines = pending.split('\\n');
  pending = lines.pop();
  for (const line of lines) {
    const pid = Number(line.slice(1));
    if (!Number.isInteger(pid) || pid <= 1) continue;
    if (line[0] === '+') groups.add(pid); else groups.delete(pid);
  }
});
process.stdin.on('end', killAll);
process.stdin.on('error', killAll);
`;

/**
 * Makes the process groups a build spawns die with the build. Each build process lazily starts
 * one watchdog (a detached node process, in its own session) that holds the read end of a pipe
 * whose write end only the build holds; the build registers each group it starts and unregisters
 * it when it ends. When the build exits for any reason, even SIGKILL, the kernel closes the write
 * end, the watchdog sees EOF and kills the groups still registered. (Node cannot set
 * PR_SET_PDEATHSIG, and a process group alone does not survive its leader's parent dying.)
 *
 * Ordinary ends (an action finishing, Ctrl-C) kill groups directly (see spawn-process.ts); the
 * watchdog is the net under them. One instance per process: {@link childWatchdog}.
 */
export class ChildWatchdog {
  private child: ChildProcess | undefined;
  private failed = false;
  /** Groups registered and not yet unregistered, to kill synchronously on process exit. */
  private readonly live = new Set<number>();

  /** Registers a process group (its leader's pid); starts the watchdog on first use. */
  watch(pid: number): void {
    this.live.add(pid);
    this.send(`+${pid}\n`);
  }

  /** Unregisters a group that has ended (so a reused pid is never killed). */
  unwatch(pid: number): void {
    this.live.delete(pid);
    this.send(`-${pid}\n`);
  }

  /**
   * Adds a group to the synchronous kill list only: a group started by the tool spawner, which
   * is its own watchdog (tool-spawner.ts), so no watchdog process is needed for it.
   */
  track(pid: number): void {
    this.live.add(pid);
    this.hookExit();
  }

  /** Removes a group added with {@link track}. */
  untrack(pid: number): void {
    this.live.delete(pid);
  }

  /** SIGKILLs one group now and forgets it. */
  killGroup(pid: number): void {
    this.live.delete(pid);
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  /** SIGKILLs every registered group now (used when the build exits at once on a second Ctrl-C). */
  killAll(): void {
    for (const pid of this.live) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    this.live.clear();
  }

  /** The watchdog's pid, once started (tests check that it exits with the build). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private send(line: string): void {
    const child = this.start();
    if (child?.stdin === null || child?.stdin === undefined || child.stdin.destroyed) return;
    child.stdin.write(line);
  }

  private start(): ChildProcess | undefined {
    if (this.child !== undefined || this.failed) return this.child;
    const child = spawn(process.execPath, ['-e', WATCHDOG_PROGRAM], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      env: {},
    });
    // The watchdog must not keep the build alive, and its failure must not fail the build: the
    // direct kills in spawn-process.ts still work without it.
    child.on('error', () => {
      this.failed = true;
      this.child = undefined;
    });
    child.stdin?.on('error', () => undefined);
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    this.child = child;
    this.hookExit();
    return child;
  }

  private exitHooked = false;

  /** Kills the registered groups when this process exits, whatever the way. */
  private hookExit(): void {
    if (this.exitHooked) return;
    this.exitHooked = true;
    process.once('exit', () => this.killAll());
  }
}

let instance: ChildWatchdog | undefined;

/** The process's watchdog (created on first use). */
export function childWatchdog(): ChildWatchdog {
  instance ??= new ChildWatchdog();
  return instance;
}
