import { spawn } from 'node:child_process';
import { childWatchdog } from './child-watchdog';
import {
  OUTPUT_CAP_BYTES,
  PIPE_DRAIN_TIMEOUT_MS,
  type SpawnerOutcome,
  spawnerEnabled,
  toolSpawner,
} from './tool-spawner';

export { OUTPUT_CAP_BYTES };

/** What a spawned process did. */
export type ProcessOutcome =
  | {
      readonly kind: 'exited';
      /** Exit code, or null when the process died from a signal. */
      readonly exitCode: number | null;
      readonly signal: string | null;
      readonly stdout: string;
      readonly stderr: string;
      /** stdout and stderr interleaved in arrival order. */
      readonly combined: string;
    }
  | { readonly kind: 'spawn-error'; readonly message: string }
  | { readonly kind: 'cancelled' };

/** How to run one process. */
export interface ProcessSpec {
  readonly argv: readonly string[];
  /** Absolute working directory. */
  readonly cwd: string;
  /** The complete environment; nothing is inherited. */
  readonly env: Readonly<Record<string, string>>;
}

/** Bounded capture of one stream plus the shared interleaved view. */
class OutputCollector {
  private readonly stdout: Buffer[] = [];
  private readonly stderr: Buffer[] = [];
  private readonly combined: Buffer[] = [];
  private stdoutBytes = 0;
  private stderrBytes = 0;
  private truncated = false;

  add(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const used = stream === 'stdout' ? this.stdoutBytes : this.stderrBytes;
    const room = OUTPUT_CAP_BYTES - used;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (kept.length < chunk.length) {
      this.truncated = true;
    }
    if (stream === 'stdout') {
      this.stdout.push(kept);
      this.stdoutBytes += kept.length;
    } else {
      this.stderr.push(kept);
      this.stderrBytes += kept.length;
    }
    this.combined.push(kept);
  }

  /** Marks the output as cut at the cap (the spawner did the cutting). */
  markTruncated(): void {
    this.truncated = true;
  }

  finish(): { stdout: string; stderr: string; combined: string } {
    const note = this.truncated
      ? `\n[output truncated at ${OUTPUT_CAP_BYTES} bytes per stream]\n`
      : '';
    return {
      stdout: Buffer.concat(this.stdout).toString('utf8'),
      stderr: Buffer.concat(this.stderr).toString('utf8'),
      combined: Buffer.concat(this.combined).toString('utf8') + note,
    };
  }
}

/** Sends SIGKILL to a whole process group, ignoring "no such process" (it already ended). */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') {
      throw e;
    }
  }
}

/**
 * Runs one process in its own process group and waits for it and its output: through the
 * {@link toolSpawner} (a small helper process, so the build process does not pay for forking
 * itself), or directly when `PGOBUILD_DIRECT_SPAWN=1`. Both ways behave the same:
 *
 * The group matters for cancellation: tools fork helpers (a shell running `sleep &`, a compiler
 * backend), and killing only the direct child would leave those behind. On abort the whole group
 * gets SIGKILL. After a normal exit the group is killed too, so that a background child the action
 * left running cannot outlive it (and cannot hold our pipes open forever).
 */
export async function runProcess(spec: ProcessSpec, signal: AbortSignal): Promise<ProcessOutcome> {
  if (spec.argv.length === 0) return { kind: 'spawn-error', message: 'empty argv' };
  if (signal.aborted) return { kind: 'cancelled' };
  if (!spawnerEnabled()) return runDirectly(spec, signal);
  const outcome = await toolSpawner().run(spec, signal);
  return outcome.kind === 'cancelled' ? outcome : processOutcome(outcome);
}

/** A tool run through the spawner as a {@link ProcessOutcome}: its output capped and decoded. */
export function processOutcome(outcome: SpawnerOutcome): ProcessOutcome {
  if (outcome.kind !== 'exited') return outcome;
  const collector = new OutputCollector();
  for (const [stream, bytes] of outcome.chunks)
    collector.add(stream === 0 ? 'stdout' : 'stderr', bytes);
  if (outcome.truncated) collector.markTruncated();
  return {
    kind: 'exited',
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    ...collector.finish(),
  };
}

/** {@link runProcess} forking the build process itself. */
function runDirectly(spec: ProcessSpec, signal: AbortSignal): Promise<ProcessOutcome> {
  const [program, ...args] = spec.argv;
  if (program === undefined) {
    return Promise.resolve({ kind: 'spawn-error', message: 'empty argv' });
  }
  if (signal.aborted) {
    return Promise.resolve({ kind: 'cancelled' });
  }
  return new Promise<ProcessOutcome>((resolve) => {
    const collector = new OutputCollector();
    let cancelled = false;
    let settled = false;
    let exit: { code: number | null; signal: string | null } | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    const child = spawn(program, args, {
      cwd: spec.cwd,
      env: { ...spec.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The group dies with the build even if the build is killed with SIGKILL (child-watchdog.ts).
    const watchedPid = child.pid;
    if (watchedPid !== undefined) childWatchdog().watch(watchedPid);

    const settle = (outcome: ProcessOutcome): void => {
      if (settled) {
        return;
      }
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (watchedPid !== undefined) childWatchdog().unwatch(watchedPid);
      resolve(outcome);
    };
    const onAbort = (): void => {
      cancelled = true;
      if (child.pid !== undefined) {
        killGroup(child.pid);
      }
    };
    signal.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => collector.add('stdout', chunk));
    child.stderr.on('data', (chunk: Buffer) => collector.add('stderr', chunk));
    child.on('error', (e) => {
      // Spawn failures (ENOENT, EACCES, bad cwd) arrive here and no 'exit' follows.
      if (exit === undefined) {
        settle(cancelled ? { kind: 'cancelled' } : { kind: 'spawn-error', message: e.message });
      }
    });
    child.on('exit', (code, sig) => {
      exit = { code, signal: sig };
      if (child.pid !== undefined) {
        killGroup(child.pid);
      }
      // A descendant that left the group (setsid) may still hold our pipes; do not wait forever.
      drainTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, PIPE_DRAIN_TIMEOUT_MS);
      drainTimer.unref();
    });
    // 'close' comes after 'exit' once both pipes are drained, so all output has been collected.
    child.on('close', () => {
      clearTimeout(drainTimer);
      if (cancelled) {
        settle({ kind: 'cancelled' });
        return;
      }
      const out = collector.finish();
      settle({
        kind: 'exited',
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        ...out,
      });
    });
  });
}
