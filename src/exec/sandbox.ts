import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { type Action, programPath } from '../actions';
import { err, ok, type Result } from '../util/result';
import { unreachable } from '../util/unreachable';
import { expandPlaceholders, type PlaceholderValues } from './placeholders';
import { Semaphore } from './semaphore';
import { type ProcessOutcome, processOutcome, runProcess } from './spawn-process';
import { spawnerEnabled, toolSpawner } from './tool-spawner';

/**
 * One declared input, ready to place: an existing file on this machine (linked), or bytes the
 * action itself carries (written, placeholders expanded, as REAPI would put them in the input root).
 */
export type MaterializedInput =
  | {
      /** Where the action sees it, relative to the exec root. */
      readonly path: string;
      /** An existing file to expose at `path`. */
      readonly absSource: string;
    }
  | { readonly path: string; readonly content: string };

/** Where and how sandboxes are made. */
export interface SandboxOptions {
  /** Directory under which fresh exec roots are created (made if missing). */
  readonly baseDir: string;
  /** The value of `${GOROOT}`. */
  readonly goroot: string;
  /** Value of `${COMPILE_CONCURRENCY}` (the compiler's `-c`), decided when the action starts. */
  readonly compileConcurrency?: number;
  /** Leave the exec root in place when the action fails, for debugging. */
  readonly keepOnFailure?: boolean;
  /** Bounds how many actions run their processes at once; unbounded when absent. */
  readonly slots?: ProcessSlots;
  /** Called when the action's processes stop waiting for a slot (before the first one starts). */
  readonly onStarted?: () => void;
}

/**
 * The `--jobs` limit on actions running their processes, shared by the actions of a build. Exec
 * roots are made outside it, so that a slot given up by one action's last tool goes straight to
 * the next action's first: through the tool spawner the helper process hands it over (see
 * {@link ToolSpawner.runJob}), spawning directly this process's semaphore does.
 */
export class ProcessSlots {
  private readonly direct: Semaphore;
  constructor(readonly jobs: number) {
    this.direct = new Semaphore(jobs);
  }

  /** A slot for processes spawned by this process. */
  acquire(signal: AbortSignal): ReturnType<Semaphore['acquire']> {
    return this.direct.acquire(signal);
  }
}

/** Why an action did not produce its outputs. */
export type SandboxFailure =
  | {
      readonly reason: 'action-failed';
      /** Index of the failing step in `action.steps`. */
      readonly step: number;
      /** The expanded argv of the failing step. */
      readonly argv: string[];
      readonly exitCode: number | null;
      readonly signal: string | null;
      /** Combined stdout+stderr with exec-root paths rewritten to relative ones. */
      readonly output: string;
    }
  | { readonly reason: 'missing-output'; readonly path: string }
  | { readonly reason: 'cancelled' }
  | { readonly reason: 'sandbox-io'; readonly message: string };

/** A successful run. The caller stores the outputs, then disposes of the exec root. */
export interface SandboxResult {
  readonly execRoot: string;
  /** Declared output path (relative) → absolute path inside the exec root. */
  readonly outputs: ReadonlyMap<string, string>;
  /** stdout of all spawn steps, concatenated. */
  readonly stdout: string;
  /** stderr of all spawn steps, concatenated. */
  readonly stderr: string;
  /** Removes the exec root once outputs are stored. Safe to call more than once. */
  dispose(): Promise<void>;
}

/**
 * Runs an action in a fresh exec root under `opts.baseDir` that holds only its declared inputs,
 * each a symlink to its materialized source (cheap, and undeclared files are simply absent), or
 * for `content` inputs a file written with placeholders expanded. Steps run in order with
 * placeholders expanded; every spawn gets exactly `action.env`. A step whose program (argv[0]) is
 * not `${EXECROOT}/<a declared input>` is refused (`sandbox-io`) before anything runs: an action
 * must declare everything it runs, or it could not run anywhere else.
 *
 * An input whose path is also a declared output is copied instead of linked, so that a step that
 * rewrites its output in place cannot write through the link into the cache or the workspace.
 *
 * Malformed paths (absolute, or escaping the exec root with `..`) fail with `sandbox-io`: rules
 * may be user-written, so this is reported rather than thrown.
 */
export async function runInSandbox(
  action: Action,
  inputs: readonly MaterializedInput[],
  opts: SandboxOptions,
  signal: AbortSignal,
): Promise<Result<SandboxResult, SandboxFailure>> {
  if (signal.aborted) {
    return err({ reason: 'cancelled' });
  }
  let execRoot: string;
  if (spawnerEnabled()) {
    // Named here, created by the tool spawner with the rest of the exec root (runThroughSpawner):
    // 64 random bits, and the spawner's mkdir fails rather than reuse an existing directory.
    execRoot = path.join(path.resolve(opts.baseDir), `exec-${randomBytes(8).toString('hex')}`);
  } else {
    try {
      await fs.mkdir(opts.baseDir, { recursive: true });
      execRoot = await fs.mkdtemp(path.join(path.resolve(opts.baseDir), 'exec-'));
    } catch (e) {
      return err({
        reason: 'sandbox-io',
        message: `creating exec root under ${opts.baseDir}: ${errorMessage(e)}`,
      });
    }
  }
  const dispose = (): Promise<void> => removeExecRoot(execRoot);

  let result: Result<StepsOutcome, SandboxFailure>;
  try {
    result = await runSteps(action, inputs, opts, execRoot, signal);
  } catch (e) {
    // A bug: still do not leave the exec root behind.
    await dispose();
    throw e;
  }
  if (!result.ok) {
    if (opts.keepOnFailure !== true) {
      await dispose();
    }
    return result;
  }
  return ok({ execRoot, ...result.value, dispose });
}

/** The part of a successful run that does not depend on the lifecycle. */
interface StepsOutcome {
  readonly outputs: ReadonlyMap<string, string>;
  readonly stdout: string;
  readonly stderr: string;
}

async function runSteps(
  action: Action,
  inputs: readonly MaterializedInput[],
  opts: SandboxOptions,
  execRoot: string,
  signal: AbortSignal,
): Promise<Result<StepsOutcome, SandboxFailure>> {
  const values: PlaceholderValues = {
    execRoot,
    goroot: opts.goroot,
    compileConcurrency: opts.compileConcurrency,
  };
  const expand = (s: string): string => expandPlaceholders(s, values);

  const programs = checkPrograms(action, inputs);
  if (!programs.ok) {
    return programs;
  }
  const planned = planExecRoot(action, inputs, execRoot, expand);
  if (!planned.ok) {
    return planned;
  }
  const steps: ExpandedStep[] = [];
  for (const [index, step] of action.steps.entries()) {
    const cwd = resolveInside(execRoot, expand(step.cwd));
    if (cwd === undefined) {
      return err({
        reason: 'sandbox-io',
        message: `step ${index}: cwd ${JSON.stringify(step.cwd)} escapes the exec root`,
      });
    }
    steps.push({ argv: step.argv.map(expand), cwd });
  }

  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(action.env)) {
    env[name] = expand(value);
  }

  // Tools print absolute paths under the exec root; users should see the relative ones.
  const rootSpellings = await spellingsOf(execRoot);
  const relativize = (text: string): string => {
    let out = text;
    for (const root of rootSpellings) {
      out = out
        .split(root + path.sep)
        .join('')
        .split(root)
        .join('.');
    }
    return out;
  };

  const ran = spawnerEnabled()
    ? await runThroughSpawner(planned.value, steps, env, opts, execRoot, signal)
    : await runInThisProcess(planned.value, steps, env, opts, signal);
  if (!ran.ok) {
    return ran;
  }
  let stdout = '';
  let stderr = '';
  for (const run of ran.value) {
    const checked = stepOutcome(run, steps[run.step]?.argv ?? [], relativize);
    if (!checked.ok) {
      return checked;
    }
    stdout += checked.value.stdout;
    stderr += checked.value.stderr;
  }
  if (signal.aborted) {
    return err({ reason: 'cancelled' });
  }

  const outputs = new Map<string, string>();
  for (const output of action.outputs) {
    const abs = resolveInside(execRoot, output);
    if (abs === undefined) {
      return err({
        reason: 'sandbox-io',
        message: `output path ${JSON.stringify(output)} escapes the exec root`,
      });
    }
    try {
      const stat = await fs.stat(abs);
      if (!stat.isFile()) {
        return err({ reason: 'missing-output', path: output });
      }
    } catch {
      return err({ reason: 'missing-output', path: output });
    }
    outputs.set(output, abs);
  }
  return ok({ outputs, stdout, stderr });
}

/** Refuses steps whose program is not a declared input (nothing has been created yet). */
function checkPrograms(
  action: Action,
  inputs: readonly MaterializedInput[],
): Result<void, SandboxFailure> {
  const declared = new Set(inputs.map((i) => path.posix.normalize(i.path)));
  for (const [index, step] of action.steps.entries()) {
    const program = programPath(step);
    if (program === undefined || !declared.has(path.posix.normalize(program))) {
      return err({
        reason: 'sandbox-io',
        message: `step ${index}: program ${JSON.stringify(step.argv[0] ?? '')} is not a declared input (\${EXECROOT}/<input path>)`,
      });
    }
  }
  return ok(undefined);
}

/** One file-system step of making an exec root; the steps run in order. */
export type ExecRootOp =
  | { readonly op: 'mkdir'; readonly path: string }
  | { readonly op: 'symlink'; readonly target: string; readonly path: string }
  | { readonly op: 'write'; readonly path: string; readonly content: string }
  | { readonly op: 'copy'; readonly from: string; readonly path: string };

/** A step to run: argv and cwd expanded, cwd inside the exec root. */
interface ExpandedStep {
  readonly argv: string[];
  readonly cwd: string;
}

/** What a step did, by its index in `action.steps`. */
interface StepRun {
  readonly step: number;
  readonly outcome: ProcessOutcome;
}

/**
 * Makes the exec root and runs the steps in the tool spawner: one message, and the helper starts
 * the first step as soon as a slot is free.
 */
async function runThroughSpawner(
  ops: readonly ExecRootOp[],
  steps: readonly ExpandedStep[],
  env: Readonly<Record<string, string>>,
  opts: SandboxOptions,
  execRoot: string,
  signal: AbortSignal,
): Promise<Result<StepRun[], SandboxFailure>> {
  const prepare = { base: path.resolve(opts.baseDir), root: execRoot, ops };
  const done = await toolSpawner().runJob(
    { prepare, steps, env, slots: opts.slots?.jobs },
    signal,
    opts.onStarted,
  );
  switch (done.kind) {
    case 'cancelled':
      return err({ reason: 'cancelled' });
    case 'prepare-failed':
      return err({ reason: 'sandbox-io', message: `preparing exec root: ${done.message}` });
    case 'lost':
      return ok([{ step: done.step, outcome: { kind: 'spawn-error', message: done.message } }]);
    case 'ran':
      return ok(done.outcomes.map((o, step) => ({ step, outcome: processOutcome(o) })));
    default:
      return unreachable(done);
  }
}

/**
 * Makes the exec root and runs the steps from this process (`PGOBUILD_DIRECT_SPAWN=1`), holding
 * one of the slots while they run.
 */
async function runInThisProcess(
  ops: readonly ExecRootOp[],
  steps: readonly ExpandedStep[],
  env: Readonly<Record<string, string>>,
  opts: SandboxOptions,
  signal: AbortSignal,
): Promise<Result<StepRun[], SandboxFailure>> {
  try {
    for (const op of ops) await applyOp(op);
  } catch (e) {
    return err({ reason: 'sandbox-io', message: `preparing exec root: ${errorMessage(e)}` });
  }
  const slot = await opts.slots?.acquire(signal);
  if (slot !== undefined && !slot.ok) return err({ reason: 'cancelled' });
  try {
    opts.onStarted?.();
    const runs: StepRun[] = [];
    for (const [step, { argv, cwd }] of steps.entries()) {
      if (signal.aborted) return err({ reason: 'cancelled' });
      const outcome = await runProcess({ argv, cwd, env }, signal);
      runs.push({ step, outcome });
      if (outcome.kind !== 'exited' || outcome.exitCode !== 0 || outcome.signal !== null) break;
    }
    return ok(runs);
  } finally {
    slot?.value();
  }
}

/** Carries out one step in this process (direct spawning). */
async function applyOp(op: ExecRootOp): Promise<void> {
  switch (op.op) {
    case 'mkdir':
      await fs.mkdir(op.path, { recursive: true });
      return;
    case 'symlink':
      await fs.symlink(op.target, op.path);
      return;
    case 'write':
      await fs.writeFile(op.path, op.content);
      return;
    case 'copy':
      await fs.copyFile(op.from, op.path);
      return;
    default:
      unreachable(op);
  }
}

/**
 * The steps that fill an exec root: each input linked (or, for `content`, written with
 * placeholders expanded; an input that is also an output, copied), each directory made once,
 * and the directories outputs go to. Fails on paths outside the root and conflicting inputs.
 */
function planExecRoot(
  action: Action,
  inputs: readonly MaterializedInput[],
  execRoot: string,
  expand: (s: string) => string,
): Result<ExecRootOp[], SandboxFailure> {
  const outputPaths = new Set(action.outputs.map((o) => path.normalize(o)));
  const placed = new Map<string, string>();
  const ops: ExecRootOp[] = [];
  const made = new Set<string>([execRoot]);
  const mkdir = (dir: string): void => {
    if (made.has(dir)) return;
    made.add(dir);
    ops.push({ op: 'mkdir', path: dir });
  };
  for (const input of inputs) {
    const abs = resolveInside(execRoot, input.path);
    if (abs === undefined) {
      return err({
        reason: 'sandbox-io',
        message: `input path ${JSON.stringify(input.path)} escapes the exec root`,
      });
    }
    const source = 'content' in input ? `content:${input.content}` : input.absSource;
    const previous = placed.get(abs);
    if (previous !== undefined) {
      if (previous === source) {
        continue;
      }
      return err({
        reason: 'sandbox-io',
        message: `input path ${input.path} is declared twice, from ${describeSource(previous)} and ${describeSource(source)}`,
      });
    }
    placed.set(abs, source);
    mkdir(path.dirname(abs));
    if ('content' in input) {
      // A real file, not a link: a tool may rewrite it (compile -asmhdr writes go_asm.h).
      ops.push({ op: 'write', path: abs, content: expand(input.content) });
    } else if (outputPaths.has(path.normalize(input.path))) {
      ops.push({ op: 'copy', from: input.absSource, path: abs });
    } else {
      ops.push({ op: 'symlink', target: input.absSource, path: abs });
    }
  }
  for (const output of action.outputs) {
    const abs = resolveInside(execRoot, output);
    if (abs === undefined) {
      return err({
        reason: 'sandbox-io',
        message: `output path ${JSON.stringify(output)} escapes the exec root`,
      });
    }
    mkdir(path.dirname(abs));
  }
  return ok(ops);
}

/** A step's outcome as the action's result: its output, or the failure naming the step. */
function stepOutcome(
  { step, outcome }: StepRun,
  argv: string[],
  relativize: (s: string) => string,
): Result<{ stdout: string; stderr: string }, SandboxFailure> {
  switch (outcome.kind) {
    case 'cancelled':
      return err({ reason: 'cancelled' });
    case 'spawn-error':
      return err({
        reason: 'action-failed',
        step,
        argv,
        exitCode: null,
        signal: null,
        output: relativize(outcome.message),
      });
    case 'exited':
      if (outcome.exitCode !== 0 || outcome.signal !== null) {
        return err({
          reason: 'action-failed',
          step,
          argv,
          exitCode: outcome.exitCode,
          signal: outcome.signal,
          output: relativize(outcome.combined),
        });
      }
      return ok({ stdout: outcome.stdout, stderr: outcome.stderr });
    default:
      return unreachable(outcome);
  }
}

/**
 * Resolves a step or declared path against the exec root. Relative paths are taken from the exec
 * root; absolute ones are accepted only inside it (they come from `${EXECROOT}` expansion).
 * Returns undefined for anything outside.
 */
function resolveInside(execRoot: string, p: string): string | undefined {
  const abs = path.resolve(execRoot, p);
  if (abs === execRoot || abs.startsWith(execRoot + path.sep)) {
    return abs;
  }
  return undefined;
}

/**
 * Removes an exec root: in the tool spawner's process when tools run through it (a recursive
 * removal is a few syscalls per input, which the build's main thread need not dispatch).
 */
function removeExecRoot(execRoot: string): Promise<void> {
  return spawnerEnabled()
    ? toolSpawner().removeTree(execRoot)
    : fs.rm(execRoot, { recursive: true, force: true });
}

/** Each sandbox base directory's real path (symlinks resolved), looked up once. */
const realBases = new Map<string, Promise<string>>();

/** The exec root as given and, when different, with symlinks resolved (as tools may print it). */
async function spellingsOf(execRoot: string): Promise<string[]> {
  // The exec root is a directory made here, not a link: only its base can be spelled otherwise.
  const base = path.dirname(execRoot);
  let realBase = realBases.get(base);
  if (realBase === undefined) {
    realBase = fs.realpath(base).catch(() => base);
    realBases.set(base, realBase);
  }
  const real = path.join(await realBase, path.basename(execRoot));
  // Longest first, so that a spelling that extends the other is replaced whole.
  return real === execRoot ? [execRoot] : [execRoot, real].sort((a, b) => b.length - a.length);
}

/** A placed input's source as error messages show it (content inputs by their first line). */
function describeSource(source: string): string {
  return source.startsWith('content:')
    ? `written content ${JSON.stringify(source.slice(8).split('\n')[0] ?? '')}`
    : source;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
