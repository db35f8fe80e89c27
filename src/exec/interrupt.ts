/** The signals that mean "stop the build". */
const INTERRUPT_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Exit status of a process killed by SIGINT, as shells report it (128 + 2). */
const INTERRUPTED_EXIT_CODE = 130;

/**
 * Makes Ctrl-C (SIGINT) and SIGTERM abort `controller`, so that the scheduler cancels running
 * actions and their process groups get killed. A second interrupt means the user does not want to
 * wait for that cleanup: it calls `onSecondInterrupt`, which by default exits at once with 130.
 *
 * Installing a listener also replaces Node's default behaviour (exit on SIGINT), which is why the
 * returned function must be called to uninstall once the build is over.
 *
 * @returns a function that removes the handlers (idempotent).
 */
export function installInterruptHandler(
  controller: AbortController,
  onSecondInterrupt?: () => void,
): () => void {
  let interrupts = 0;
  const handler = (signal: NodeJS.Signals): void => {
    interrupts++;
    if (interrupts === 1) {
      controller.abort(new Error(`interrupted by ${signal}`));
      return;
    }
    if (onSecondInterrupt !== undefined) {
      onSecondInterrupt();
    } else {
      process.exit(INTERRUPTED_EXIT_CODE);
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
