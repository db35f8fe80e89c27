import type { BuildEvent, EventSink } from '../events/build-event';
import { EXIT } from '../util/exit-code';

/** The part of `process` the guard needs (injected by tests). */
export interface ProcessHooks {
  once(event: 'beforeExit', listener: () => void): unknown;
  off(event: 'beforeExit', listener: () => void): unknown;
}

/**
 * An event sink that remembers whether the command it serves has started and finished, so that a
 * command that emitted `command-started` always ends with `command-finished`: a consumer of the
 * event stream (CI, `--output=json` tests) must never see a stream that just stops.
 */
export class CommandGuard implements EventSink {
  private startedAtMs: number | undefined;
  private finished = false;

  constructor(
    private readonly inner: EventSink,
    private readonly now: () => number = Date.now,
  ) {}

  emit(event: BuildEvent): void {
    if (event.type === 'command-started') this.startedAtMs = this.now();
    if (event.type === 'command-finished') this.finished = true;
    this.inner.emit(event);
  }

  /** True when `command-started` was emitted and `command-finished` was not (yet). */
  get unfinished(): boolean {
    return this.startedAtMs !== undefined && !this.finished;
  }

  /**
   * Reports a command that ends abnormally: an internal-error diagnostic saying why and, when the
   * command had started, the `command-finished` it owes (exit code 3).
   */
  abandon(why: string): void {
    const message = `internal error (a bug in pgobuild, please report it): ${why}`;
    this.emit({ type: 'diagnostic', severity: 'error', message, formatted: `error: ${message}` });
    if (this.startedAtMs === undefined || this.finished) return;
    this.emit({
      type: 'command-finished',
      exitCode: EXIT.internal,
      executed: 0,
      cached: 0,
      failed: 1,
      durationMs: this.now() - this.startedAtMs,
      spawns: 0,
    });
  }
}

/**
 * Runs a command so that it cannot end without `command-finished` or with exit code 0 by accident:
 *
 * - it returns without having emitted `command-finished` after `command-started`: exit 3;
 * - it throws: `command-finished` with exit 3 is emitted, and the error goes on to the CLI's
 *   internal-error boundary;
 * - the process is about to exit while the command is still pending (`beforeExit`: the event loop
 *   is empty, so a promise the command awaits can never settle, e.g. a deadlock): exit 3.
 */
export function guardCommand(
  guard: CommandGuard,
  command: () => Promise<number>,
  hooks: ProcessHooks = process,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let settled = false;
    const onBeforeExit = (): void => {
      if (settled) return;
      settled = true;
      guard.abandon(
        'the command stopped before it finished: it waits for something that can never happen (a promise that never settles)',
      );
      resolve(EXIT.internal);
    };
    hooks.once('beforeExit', onBeforeExit);
    const settle = (): boolean => {
      hooks.off('beforeExit', onBeforeExit);
      if (settled) return false;
      settled = true;
      return true;
    };
    command().then(
      (code) => {
        if (!settle()) return;
        if (guard.unfinished) {
          guard.abandon(
            `the command returned exit code ${code} without reporting command-finished`,
          );
          resolve(EXIT.internal);
        } else resolve(code);
      },
      (e: unknown) => {
        if (!settle()) return;
        if (guard.unfinished)
          guard.abandon(e instanceof Error ? e.message : `exception: ${String(e)}`);
        reject(e);
      },
    );
  });
}
