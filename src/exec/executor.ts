import type { Action } from '../actions';
import type { Result } from '../util/result';
import {
  type MaterializedInput,
  ProcessSlots,
  type SandboxFailure,
  type SandboxResult,
  runInSandbox,
} from './sandbox';

/** Per-run settings an executor may honour (they never change an action's outputs or key). */
export interface ExecuteOptions {
  /** Value of `${COMPILE_CONCURRENCY}` (the compiler's `-c`), decided when the action starts. */
  readonly compileConcurrency?: number;
  /** Called when the action's processes stop waiting for a slot (before the first one starts). */
  readonly onStarted?: () => void;
}

/** A successful execution: outputs readable on this machine until `dispose()`. */
export type ExecutionResult = SandboxResult;

/** Why an execution did not produce the action's outputs (a failing step, a missing output, …). */
export type ExecutionFailure = SandboxFailure;

/**
 * Runs one action: every step is a process whose program is a declared input, the inputs are
 * given as files (or written content) ready to place, and the result is the declared outputs, the
 * steps' stdout/stderr, or a failure value. Orchestration talks to this interface only, so an
 * executor that ships the action elsewhere (REAPI `Execute`: the inputs become the input root,
 * the steps its command) can replace the local sandbox without touching callers.
 *
 * Concurrency: callers may hand over more actions than may run at once; the executor bounds how
 * many run their processes (the local one by `jobs`) and calls `options.onStarted` as an action
 * stops waiting.
 *
 * Cancellation: when `signal` aborts, running processes are killed and the result is
 * `{ reason: 'cancelled' }`.
 */
export interface Executor {
  execute(
    action: Action,
    inputs: readonly MaterializedInput[],
    options: ExecuteOptions,
    signal: AbortSignal,
  ): Promise<Result<ExecutionResult, ExecutionFailure>>;
}

/** Where the local sandbox executor makes exec roots and which SDK `${GOROOT}` names. */
export interface LocalExecutorOptions {
  /** Directory under which fresh exec roots are created (made if missing). */
  readonly baseDir: string;
  /** The value of `${GOROOT}`. */
  readonly goroot: string;
  /** Leave the exec root in place when the action fails, for debugging. */
  readonly keepOnFailure?: boolean;
  /** At most this many actions run their processes at once (`--jobs`); unbounded when absent. */
  readonly jobs?: number;
}

/** The executor of today: a fresh exec root on this machine per action ({@link runInSandbox}). */
export class LocalSandboxExecutor implements Executor {
  private readonly slots: ProcessSlots | undefined;
  constructor(private readonly opts: LocalExecutorOptions) {
    this.slots = opts.jobs === undefined ? undefined : new ProcessSlots(opts.jobs);
  }

  /** Runs `action` in a fresh local exec root holding only `inputs`. */
  execute(
    action: Action,
    inputs: readonly MaterializedInput[],
    options: ExecuteOptions,
    signal: AbortSignal,
  ): Promise<Result<ExecutionResult, ExecutionFailure>> {
    return runInSandbox(
      action,
      inputs,
      {
        baseDir: this.opts.baseDir,
        goroot: this.opts.goroot,
        keepOnFailure: this.opts.keepOnFailure,
        compileConcurrency: options.compileConcurrency,
        slots: this.slots,
        onStarted: options.onStarted,
      },
      signal,
    );
  }
}
