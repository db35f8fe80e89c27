/**
 * Where one command runs: the streams it writes, its working directory, and what cancels it. The
 * CLI passes its own process's; the server (src/server) a client's, so that commands run in a
 * long-lived process without touching its globals.
 */
export interface CommandContext {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly cwd: string;
  /** Cancels the command; when absent, the process's own Ctrl-C/SIGTERM/SIGHUP do. */
  readonly signal?: AbortSignal;
}
