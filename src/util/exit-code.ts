import * as os from 'node:os';

/**
 * pgobuild's exit codes, the one table every command uses (README "Exit codes"):
 *
 * - `ok` (0): success;
 * - `failure` (1): a build action or a test failed (the user's code, or the machine: disk full);
 * - `usage` (2): usage errors and errors in BUILD files, go.mod or Go source headers;
 * - `internal` (3): an internal error, a bug in pgobuild;
 * - 128 + a signal's number when a signal stopped the build or the program `run` started
 *   ({@link signalExitCode}: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP), as shells report it.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, internal: 3 } as const;

/** Shells report a process killed by signal N as exit status 128 + N. */
const SIGNAL_EXIT_BASE = 128;

/** The exit status shells report for a process killed by `signal`: 128 + its number. */
export function signalExitCode(signal: string): number {
  const n = (os.constants.signals as Readonly<Record<string, number | undefined>>)[signal];
  return SIGNAL_EXIT_BASE + (n ?? 0);
}
