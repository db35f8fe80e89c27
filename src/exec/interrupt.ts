import { signalExitCode } from '../util/exit-code';
import { childWatchdog } from './child-watchdog';

/** The signals that mean "stop the build": Ctrl-C, kill, and the terminal going away. */
const INTERRUPT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** A signal that stops the build. */
export type InterruptSignal = (typeof INTERRUPT_SIGNALS)[number];

/** The abort reason of a build stopped by a signal (read back with {@link interruptedBy}). */
export class Interrupted extends Error {
  constructor(readonly signal: InterruptSignal) {
    super(`interrupted by ${signal}`);
  }
}

// The exit status of a signal is in the one exit-code table (src/util/exit-code.ts).
export { signalExitCode };

/** The signal that aborted `signal`, when an interrupt handler did. */
export function interruptedBy(signal: AbortSignal): InterruptSignal | undefined {
  return signal.aborted && signal.reason instanceof Interrupted ? signal.reason.signal : undefined;
}

/**
 * Makes Ctrl-C (SIGINT), SIGTERM and SIGHUP abort `controller` with an {@link Interrupted}
 * reason, so that the scheduler cancels running actions and their process groups get killed; the
 * command then exits with 128 + the signal's number (130, 143, 129). A second interrupt means the
 * user does not want to wait for that cleanup: it calls `onSecondInterrupt`, which by default
 * kills every running process group and exits at once.
 *
 * Installing a listener also replaces Node's default behaviour (exit on SIGINT), which is why the
 * returned function must be called to uninstall once the build is over.
 *
 * @returns a function that removes the handlers (idempotent).
 */
export function installInterruptHandler(
  controller: AbortController,
  onSecondInterrupt?: (signal: InterruptSignal) => void,
): () => void {
  let interrupts = 0;
  const handler = (signal: InterruptSignal): void => {
    interrupts++;
    if (interrupts === 1) {
      controller.abort(new Interrupted(signal));
      return;
    }
    if (onSecondInterrupt !== undefined) {
      onSecondInterrupt(signal);
    } else {
      childWatchdog().killAll();
      process.exit(signalExitCode(signal));
    }
  };
  for (const signal of INTERRUPT_SIGNALS) {
    process.on(signal, handler);
  }
  let installed = true;
  return () => {
    if (!installed) {
      return;
    }
    installed = false;
    for (const signal of INTERRUPT_SIGNALS) {
      process.off(signal, handler);
    }
  };
}
