import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { childWatchdog } from './child-watchdog';
import { unreachable } from '../util/unreachable';
import type { ExecRootOp } from './sandbox';
import { TMPFS_MAGIC } from './sandbox-base';

/**
 * Output beyond this many bytes per stream is dropped (a runaway tool must not exhaust memory).
 * The same cap applies to tools run directly and through the spawner.
 */
export const OUTPUT_CAP_BYTES = 4 * 1024 * 1024;

/** How long to wait for output after the process group is gone before closing the pipes. */
export const PIPE_DRAIN_TIMEOUT_MS = 2000;

/**
 * The spawner's program, run with `node -e` (no file next to the compiled code, works the same
 * under ts-jest). It reads one JSON request per line on stdin and answers with JSON lines on
 * stdout:
 *
 * - `{op:'job', id, prepare?, steps, env, slots}`: one action's processes. `prepare`
 *   (`{base, root, ops}`) creates the exec root `root` (its parent `base` if missing; `root`
 *   itself must not exist) and carries out the {@link ExecRootOp}s in order, at once, with
 *   synchronous calls; a failure answers `{id, ev:'job', prepareError, results: []}`. The job then
 *   waits in a FIFO queue until fewer than `slots` jobs run (the latest `slots` given counts; none
 *   given, no limit), and
 *   answers `{id, ev:'started'}` as it leaves the queue. Its `steps` (`{argv, cwd}`) run one after
 *   the other, each in its own process group, each reported by `{id, ev:'pid', pid}`; the first
 *   one that fails (non-zero exit, signal, cannot start) ends the job. The answer is
 *   `{id, ev:'job', results, killed}`, one result per step that ran: `{code, signal, chunks,
 *   truncated, t0, t1}` once the tool has exited and its pipes are drained (chunks: `[stream,
 *   base64]` in arrival order, 0 = stdout, 1 = stderr; t0/t1 when it started and ended), or
 *   `{error}` when it could not start. After each tool exits its whole group is killed, so a
 *   background child cannot outlive it.
 *   Why the queue is here: when a tool exits, the next job's first tool starts from this idle
 *   process at once, without waiting for the build's busy main thread to hear of it.
 * - `{op:'kill', id}`: a queued job is dropped, a running one has its process group SIGKILLed and
 *   runs no further step; either way it answers with `killed: true`.
 * - `{op:'rm', id, path}`: removes a directory tree (an exec root), answers `{id, ev:'done'}`. On a
 *   memory file system (tmpfs) at once: that is cheaper than handing each unlink to the thread pool.
 *   On a disk, in the thread pool, where slow unlinks would hold up the next tool's start.
 *
 * Stdin reaching EOF means the build process is gone (SIGKILL included): the spawner SIGKILLs
 * every group it still runs and exits, so it is also the watchdog of the tools it starts. It
 * ignores the signals a terminal sends, as the watchdog does. Given a file as its argument
 * (`PGOBUILD_TOOL_TRACE`), it appends its own CPU time to it as it exits:
 * `{process: 'tool spawner', userMs, systemMs}`.
 */
const SPAWNER_PROGRAM = `/* pgobuild-tool-spawner */
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const CAP = ${OUTPUT_CAP_BYTES};
const DRAIN_MS = ${PIPE_DRAIN_TIMEOUT_MS};
const jobs = new Map();
const queue = [];
let slots = Infinity;
let busy = 0;
for (const s of ['SIGINT', 'SIGHUP', 'SIGTERM', 'SIGPIPE']) process.on(s, () => {});
const send = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
const killGroup = (pid) => { try { process.kill(-pid, 'SIGKILL'); } catch {} };
const TRACE = process.argv[1];
const traceCpu = () => {
  if (TRACE === undefined) return;
  const u = process.cpuUsage();
  try { fs.appendFileSync(TRACE, JSON.stringify({ process: 'tool spawner', userMs: u.user / 1000, systemMs: u.system / 1000 }) + '\\n'); } catch {}
};
const killAll = () => { for (const j of jobs.values()) if (j.pid !== undefined) killGroup(j.pid); traceCpu(); process.exit(0); };
process.stdout.on('error', killAll);
function runTool(j, step, done) {
  let child;
  try {
    child = spawn(step.argv[0], step.argv.slice(1), { cwd: step.cwd, env: j.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) { done({ error: String(e && e.message) }); return; }
  const chunks = [];
  const used = [0, 0];
  let truncated = false;
  let exit;
  let timer;
  let finished = false;
  const finish = (r) => { if (finished) return; finished = true; j.pid = undefined; done(r); };
  const t0 = Date.now();
  if (child.pid !== undefined) { j.pid = child.pid; send({ id: j.id, ev: 'pid', pid: child.pid }); }
  const add = (s) => (c) => {
    const room = CAP - used[s];
    if (room <= 0) { truncated = true; return; }
    const kept = c.length > room ? c.subarray(0, room) : c;
    if (kept.length < c.length) truncated = true;
    used[s] += kept.length;
    chunks.push([s, kept.toString('base64')]);
  };
  child.stdout.on('data', add(0));
  child.stderr.on('data', add(1));
  child.on('error', (e) => { if (exit === undefined) finish({ error: e.message }); });
  child.on('exit', (code, signal) => {
    exit = { code, signal };
    if (child.pid !== undefined) killGroup(child.pid);
    timer = setTimeout(() => { child.stdout.destroy(); child.stderr.destroy(); }, DRAIN_MS);
  });
  child.on('close', () => {
    clearTimeout(timer);
    if (exit === undefined) return;
    finish({ code: exit.code, signal: exit.signal, chunks, truncated, t0, t1: Date.now() });
  });
}
function nextStep(j) {
  const step = j.steps[j.results.length];
  if (j.killed || step === undefined) { endJob(j); return; }
  runTool(j, step, (r) => {
    j.results.push(r);
    if (r.error !== undefined || r.code !== 0 || r.signal !== null) endJob(j);
    else nextStep(j);
  });
}
function endJob(j) {
  jobs.delete(j.id);
  busy--;
  send({ id: j.id, ev: 'job', results: j.results, killed: j.killed });
  pump();
}
function pump() {
  while (busy < slots && queue.length > 0) {
    const j = queue.shift();
    busy++;
    send({ id: j.id, ev: 'started' });
    nextStep(j);
  }
}
function makeRoot(p) {
  fs.mkdirSync(p.base, { recursive: true });
  fs.mkdirSync(p.root);
  for (const o of p.ops) {
    if (o.op === 'mkdir') fs.mkdirSync(o.path, { recursive: true });
    else if (o.op === 'symlink') fs.symlinkSync(o.target, o.path);
    else if (o.op === 'write') fs.writeFileSync(o.path, o.content);
    else if (o.op === 'copy') fs.copyFileSync(o.from, o.path);
    else throw new Error('unknown exec-root step ' + o.op);
  }
}
function job(m) {
  if (m.slots !== undefined) slots = m.slots;
  if (m.prepare !== undefined) {
    try { makeRoot(m.prepare); }
    catch (e) { send({ id: m.id, ev: 'job', prepareError: String(e && e.message), results: [] }); return; }
  }
  const j = { id: m.id, steps: m.steps, env: m.env, results: [], killed: false, pid: undefined };
  jobs.set(m.id, j);
  queue.push(j);
  pump();
}
function kill(id) {
  const j = jobs.get(id);
  if (j === undefined) return;
  j.killed = true;
  const queued = queue.indexOf(j);
  if (queued >= 0) {
    queue.splice(queued, 1);
    jobs.delete(id);
    send({ id, ev: 'job', results: [], killed: true });
  } else if (j.pid !== undefined) killGroup(j.pid);
}
const inMemory = new Map();
function remove(m) {
  const parent = path.dirname(m.path);
  if (!inMemory.has(parent)) { let t; try { t = fs.statfsSync(parent).type; } catch {} inMemory.set(parent, t === ${TMPFS_MAGIC}); }
  if (inMemory.get(parent)) {
    let message;
    try { fs.rmSync(m.path, { recursive: true, force: true }); } catch (e) { message = String(e && e.message); }
    send({ id: m.id, ev: 'done', message });
  } else fs.rm(m.path, { recursive: true, force: true }, (e) => send({ id: m.id, ev: 'done', message: e ? e.message : undefined }));
}
let pending = '';
process.stdin.on('data', (chunk) => {
  pending += chunk.toString('utf8');
  const lines = pending.split('\\n');
  pending = lines.pop();
  for (const line of lines) {
    if (line === '') continue;
    const m = JSON.parse(line);
    if (m.op === 'job') job(m);
    else if (m.op === 'kill') kill(m.id);
    else if (m.op === 'rm') remove(m);
  }
});
process.stdin.on('end', killAll);
process.stdin.on('error', killAll);
`;

/** What a tool run through the spawner did (the raw form; spawn-process.ts shapes it). */
export type SpawnerOutcome =
  | {
      readonly kind: 'exited';
      readonly exitCode: number | null;
      readonly signal: string | null;
      /** `[0 = stdout | 1 = stderr, bytes]` in arrival order. */
      readonly chunks: readonly (readonly [0 | 1, Buffer])[];
      readonly truncated: boolean;
    }
  | { readonly kind: 'spawn-error'; readonly message: string };

/** One action's processes, for {@link ToolSpawner.runJob}. */
export interface SpawnerJob {
  /**
   * The exec root `root` to create under `base` and fill first (see sandbox.ts); `root` must not
   * exist.
   */
  readonly prepare?: {
    readonly base: string;
    readonly root: string;
    readonly ops: readonly ExecRootOp[];
  };
  /** Run in order; the first that fails ends the job. */
  readonly steps: readonly { readonly argv: readonly string[]; readonly cwd: string }[];
  readonly env: Readonly<Record<string, string>>;
  /** How many jobs the helper runs at once (the build's `--jobs`); omitted, it keeps the last. */
  readonly slots?: number;
}

/** How a job ended. */
export type JobOutcome =
  /** One outcome per step that ran; only the last may be a failure. */
  | { readonly kind: 'ran'; readonly outcomes: readonly SpawnerOutcome[] }
  | { readonly kind: 'prepare-failed'; readonly message: string }
  /** The helper died while step `step` (or the wait for a slot, step 0) was under way. */
  | { readonly kind: 'lost'; readonly step: number; readonly message: string }
  | { readonly kind: 'cancelled' };

type ToolResult =
  | {
      code: number | null;
      signal: string | null;
      chunks: [0 | 1, string][];
      truncated: boolean;
      /** When the tool started and when its pipes closed (ms since the epoch, the helper's clock). */
      t0: number;
      t1: number;
    }
  | { error: string };

type Reply =
  | { id: number; ev: 'pid'; pid: number }
  | { id: number; ev: 'started' }
  | {
      id: number;
      ev: 'job';
      results: ToolResult[];
      killed?: boolean;
      prepareError?: string;
    }
  | { id: number; ev: 'error'; message: string }
  | { id: number; ev: 'done'; message?: string };

interface Pending {
  readonly onReply: (r: Reply) => void;
  /** The tool's process group, once the spawner has reported it. */
  pid?: number;
}

/**
 * Starts the build's tools from a small helper process instead of the build process itself.
 *
 * Why: Node forks the whole calling process to spawn a tool, and its main thread blocks until the
 * tool has exec'd. From a build process holding hundreds of MB of analysis state that costs ~6 ms
 * of main-thread CPU per tool (measured: 9.9 s of a 1k-package cold build's 1,538 spawns, see
 * bench/action-overhead.ts); from this helper, a bare `node -e` of ~50 MB, under 1 ms, and
 * not on the build's main thread. The helper also removes exec roots, off the main thread.
 *
 * Lifecycle: started on the first request (a null build starts no process), one per build
 * process (or server), unref'd so it never keeps the build alive. It dies with the build: EOF on
 * its stdin makes it SIGKILL the tools' groups it still runs. The build also registers every
 * tool's group with the {@link childWatchdog}'s synchronous kill list, so a second Ctrl-C kills
 * them at once. If the helper dies, the requests in flight fail (`spawn-error`) after their
 * groups are killed, and the next request starts a new helper.
 */
export class ToolSpawner {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffer = '';

  /**
   * Runs one action's processes in the helper (see {@link SPAWNER_PROGRAM}): the exec root is
   * made at once, the steps wait there for one of `slots`. `onStarted` is called when they stop
   * waiting. Cancelling drops a waiting job or kills the running step's process group.
   */
  runJob(job: SpawnerJob, signal: AbortSignal, onStarted?: () => void): Promise<JobOutcome> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      let cancelled = false;
      let pids = 0;
      const onAbort = (): void => {
        cancelled = true;
        this.send({ op: 'kill', id });
      };
      const entry: Pending = {
        onReply: (r) => {
          if (r.ev === 'pid') {
            if (entry.pid !== undefined) childWatchdog().untrack(entry.pid);
            entry.pid = r.pid;
            pids++;
            childWatchdog().track(r.pid);
            return;
          }
          if (r.ev === 'started') {
            onStarted?.();
            return;
          }
          this.pending.delete(id);
          this.refreshRef();
          if (entry.pid !== undefined) childWatchdog().untrack(entry.pid);
          signal.removeEventListener('abort', onAbort);
          if (cancelled) {
            resolve({ kind: 'cancelled' });
            return;
          }
          switch (r.ev) {
            case 'job':
              resolve(
                r.prepareError !== undefined
                  ? { kind: 'prepare-failed', message: r.prepareError }
                  : { kind: 'ran', outcomes: r.results.map((t, i) => toolOutcome(job, i, t)) },
              );
              return;
            case 'error':
              resolve({ kind: 'lost', step: Math.max(0, pids - 1), message: r.message });
              return;
            case 'done':
              resolve({ kind: 'lost', step: 0, message: 'unexpected reply of the tool spawner' });
              return;
          }
        },
      };
      this.pending.set(id, entry);
      signal.addEventListener('abort', onAbort, { once: true });
      this.send({
        op: 'job',
        id,
        prepare: job.prepare,
        steps: job.steps,
        env: job.env,
        slots: job.slots,
      });
    });
  }

  /** Runs one tool, without an exec root to make and without changing the number of slots. */
  async run(
    spec: { argv: readonly string[]; cwd: string; env: Readonly<Record<string, string>> },
    signal: AbortSignal,
  ): Promise<SpawnerOutcome | { kind: 'cancelled' }> {
    const done = await this.runJob(
      { steps: [{ argv: spec.argv, cwd: spec.cwd }], env: spec.env },
      signal,
    );
    switch (done.kind) {
      case 'ran':
        return done.outcomes[0] ?? { kind: 'spawn-error', message: 'the tool did not run' };
      case 'lost':
      case 'prepare-failed':
        return { kind: 'spawn-error', message: done.message };
      case 'cancelled':
        return done;
      default:
        return unreachable(done);
    }
  }

  /** Removes a directory tree in the helper process; resolves once it is gone. */
  removeTree(dir: string): Promise<void> {
    return this.request({ op: 'rm', path: dir }, `removing ${dir}`);
  }

  /** Sends a request answered by `done`; rejects with its error message. */
  private request(message: object, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, {
        onReply: (r) => {
          this.pending.delete(id);
          this.refreshRef();
          if (r.ev === 'done' && r.message === undefined) resolve();
          else {
            const why = 'message' in r && r.message !== undefined ? r.message : 'failed';
            reject(new Error(`${what}: ${why}`));
          }
        },
      });
      this.send({ ...message, id });
    });
  }

  /** The helper's pid, once started (tests check that it is used and dies with the build). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private send(message: object): void {
    const child = this.start();
    this.refreshRef();
    child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  private start(): ChildProcess {
    if (this.child !== undefined) return this.child;
    const trace = traceFile();
    const args = ['-e', SPAWNER_PROGRAM, ...(trace === undefined ? [] : [trace])];
    const child = spawn(process.execPath, args, {
      detached: true,
      stdio: ['pipe', 'pipe', 'ignore'],
      env: {},
    });
    this.child = child;
    child.unref();
    child.stdin?.on('error', () => undefined);
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    child.stdout?.on('data', (chunk: Buffer) => this.onData(chunk));
    const gone = (message: string): void => {
      if (this.child !== child) return;
      this.child = undefined;
      this.buffer = '';
      // The requests in flight cannot be answered: kill their tools, fail them.
      const lost = [...this.pending.values()];
      this.pending.clear();
      for (const p of lost) {
        if (p.pid !== undefined) childWatchdog().killGroup(p.pid);
        p.onReply({ id: 0, ev: 'error', message });
      }
    };
    child.on('error', (e) => gone(`the tool spawner failed: ${e.message}`));
    child.on('exit', (code, sig) =>
      gone(`the tool spawner exited unexpectedly (${sig ?? `status ${code}`})`),
    );
    return child;
  }

  /** Keeps the event loop alive exactly while a request waits for its answer. */
  private refreshRef(): void {
    const out = this.child?.stdout as unknown as { ref?: () => void; unref?: () => void } | null;
    if (this.pending.size > 0) out?.ref?.();
    else out?.unref?.();
  }

  private onData(chunk: Buffer): void {
    this.buffer += chunk.toString('utf8');
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') continue;
      const reply = JSON.parse(line) as Reply;
      this.pending.get(reply.id)?.onReply(reply);
    }
  }
}

/** A step's result as the helper sent it, traced and decoded. */
function toolOutcome(job: SpawnerJob, index: number, result: ToolResult): SpawnerOutcome {
  if ('error' in result) return { kind: 'spawn-error', message: result.error };
  traceTool(job.steps[index]?.argv[0] ?? '', result.t0, result.t1);
  return {
    kind: 'exited',
    exitCode: result.code,
    signal: result.signal,
    chunks: result.chunks.map(([s, b]) => [s, Buffer.from(b, 'base64')] as const),
    truncated: result.truncated,
  };
}

/**
 * `PGOBUILD_TOOL_TRACE=<file>` appends one JSON line per tool run, `{tool, startMs, endMs}`: how
 * long the tools themselves ran, which bench/action-overhead.ts sets against the build's wall
 * time; and the spawner's CPU time as it exits (see {@link SPAWNER_PROGRAM}). A diagnostic: off
 * unless the variable is set.
 */
function traceFile(): string | undefined {
  const file = process.env['PGOBUILD_TOOL_TRACE'];
  return file === undefined || file === '' ? undefined : path.resolve(file);
}

function traceTool(program: string, startMs: number, endMs: number): void {
  const file = traceFile();
  if (file === undefined) return;
  const tool = program.slice(program.lastIndexOf('/') + 1);
  fs.appendFileSync(file, `${JSON.stringify({ tool, startMs, endMs })}\n`);
}

let instance: ToolSpawner | undefined;

/** The process's tool spawner (created on first use). */
export function toolSpawner(): ToolSpawner {
  instance ??= new ToolSpawner();
  return instance;
}

/**
 * True when tools run through the {@link ToolSpawner} (the default). `PGOBUILD_DIRECT_SPAWN=1`
 * spawns them from the build process itself, as before (a fallback and a benchmark baseline).
 */
export function spawnerEnabled(): boolean {
  return process.env['PGOBUILD_DIRECT_SPAWN'] !== '1';
}
