import { Console } from 'node:console';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { Writable } from 'node:stream';
import type { CommandContext } from '../cli/command-context';
import { childWatchdog } from '../exec/child-watchdog';
import { Interrupted, type InterruptSignal } from '../exec/interrupt';
import { EXIT, signalExitCode } from '../util/exit-code';
import {
  type CommandRequest,
  type ExitNotice,
  FrameReader,
  type FrameType,
  type TerminalInfo,
  type WaitingNotice,
  encodeFrame,
} from './frames';

/** Runs one command line (the CLI's `runCommandLine`), injected so the server stays testable. */
export type RunCommandLine = (argv: string[], ctx: CommandContext) => Promise<number>;

/** How a {@link CommandServer} is set up. */
export interface CommandServerOptions {
  readonly socketPath: string;
  readonly workspaceRoot: string;
  /** Stops the server after this long without a command. */
  readonly idleTimeoutMs: number;
  /** Shown by `pgobuild info`: the pgobuild installation this server runs. */
  readonly installation: string;
  readonly run: RunCommandLine;
  /** Called once the server has stopped listening (the process then exits). */
  readonly onStopped: () => void;
}

/** One connected client and the command it asked for. */
interface Client {
  readonly socket: net.Socket;
  request?: CommandRequest;
  readonly controller: AbortController;
  cancels: number;
  state: 'connected' | 'queued' | 'running' | 'done';
}

const INTERRUPTS: ReadonlySet<string> = new Set(['SIGINT', 'SIGTERM', 'SIGHUP']);

/**
 * A warm pgobuild for one workspace, as Bazel's server: clients (bin/pgobuild.js) connect over a
 * unix socket and send a command line; commands run one at a time, in this process, with the
 * client's argv, cwd and environment, their output streamed back as frames, and the client's
 * Ctrl-C (or its disconnection) cancelling them. The JIT, loaded modules and in-memory memos stay
 * warm between commands, which is what a one-process-per-command CLI cannot have.
 */
export class CommandServer {
  private readonly server: net.Server;
  private readonly queue: Client[] = [];
  private running: Client | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private socketIdentity: bigint | undefined;
  private stopping = false;
  private readonly startedAt = new Date();

  constructor(private readonly opts: CommandServerOptions) {
    this.server = net.createServer((socket) => this.accept(socket));
  }

  /** Listens on the socket path (which must not exist: the caller holds the start-up lock). */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.socketPath, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    fs.chmodSync(this.opts.socketPath, 0o600);
    this.socketIdentity = fs.statSync(this.opts.socketPath, { bigint: true }).ino;
    // A server whose socket file was removed or replaced (tmp cleaners, a lost start-up race)
    // can no longer be reached: it stops rather than idling unseen.
    setInterval(() => {
      if (this.running === undefined && !this.ownsSocket()) this.stop();
    }, 5000).unref();
    this.armIdleTimer();
  }

  /** Stops accepting clients, removes the socket, and calls `onStopped` once idle. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    if (this.ownsSocket()) fs.rmSync(this.opts.socketPath, { force: true });
    this.server.close();
    for (const c of this.queue.splice(0)) this.finish(c, EXIT.internal, 'the server is stopping');
    if (this.running === undefined) this.opts.onStopped();
  }

  private ownsSocket(): boolean {
    try {
      return fs.statSync(this.opts.socketPath, { bigint: true }).ino === this.socketIdentity;
    } catch {
      return false;
    }
  }

  private armIdleTimer(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stop(), this.opts.idleTimeoutMs);
  }

  private accept(socket: net.Socket): void {
    const client: Client = {
      socket,
      controller: new AbortController(),
      cancels: 0,
      state: 'connected',
    };
    // A client that went away must not take the server down with a write error.
    socket.on('error', () => undefined);
    const reader = new FrameReader((type, payload) => this.onFrame(client, type, payload));
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.on('close', () => this.onClose(client));
  }

  private onFrame(client: Client, type: string, payload: Buffer): void {
    if (type === 'R' && client.state === 'connected') {
      client.request = JSON.parse(payload.toString('utf8')) as CommandRequest;
      client.state = 'queued';
      if (this.stopping) {
        this.finish(client, EXIT.internal, 'the server is stopping');
        return;
      }
      this.queue.push(client);
      if (this.running !== undefined) {
        const notice: WaitingNotice = { pid: this.running.request?.pid ?? 0 };
        this.send(client, 'W', JSON.stringify(notice));
      }
      this.next();
    } else if (type === 'C') {
      const name = payload.toString('utf8');
      this.cancel(client, (INTERRUPTS.has(name) ? name : 'SIGINT') as InterruptSignal);
    }
  }

  private cancel(client: Client, signal: InterruptSignal): void {
    if (client.state === 'queued') {
      this.queue.splice(this.queue.indexOf(client), 1);
      this.finish(client, signalExitCode(signal));
      return;
    }
    if (client.state !== 'running') return;
    client.cancels++;
    // The first cancel lets the scheduler stop cleanly; a second kills the process groups now,
    // as a second Ctrl-C does in a one-process CLI.
    if (client.cancels === 1) client.controller.abort(new Interrupted(signal));
    else childWatchdog().killAll();
  }

  private onClose(client: Client): void {
    if (client.state === 'queued') this.queue.splice(this.queue.indexOf(client), 1);
    // A client that disappears mid-command (killed, terminal closed) cancels it.
    if (client.state === 'running' && !client.controller.signal.aborted)
      client.controller.abort(new Interrupted('SIGHUP'));
    if (client.state !== 'running') client.state = 'done';
  }

  private next(): void {
    if (this.running !== undefined) return;
    const client = this.queue.shift();
    if (client === undefined) {
      if (this.stopping) this.opts.onStopped();
      else this.armIdleTimer();
      return;
    }
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.running = client;
    client.state = 'running';
    const request = client.request as CommandRequest;
    const stdout = new FrameStream(client.socket, 'O', request.stdout);
    const stderr = new FrameStream(client.socket, 'E', request.stderr);
    void this.execute(client, request, stdout, stderr)
      .then(async (code) => {
        // The exit frame must follow every byte of output.
        await Promise.all([stdout, stderr].map((s) => finishStream(s)));
        return code;
      })
      .catch(() => EXIT.internal)
      .then((code) => {
        this.running = undefined;
        this.finish(client, code);
        this.next();
      });
  }

  /** Runs the client's command in this process; never throws. */
  private async execute(
    client: Client,
    request: CommandRequest,
    stdout: FrameStream,
    stderr: FrameStream,
  ): Promise<number> {
    const [command] = request.argv;
    if (command === 'shutdown') {
      this.stop();
      return EXIT.ok;
    }
    if (command === 'info') {
      stdout.write(
        [
          `server_pid: ${process.pid}`,
          `workspace: ${this.opts.workspaceRoot}`,
          `socket: ${this.opts.socketPath}`,
          `max_idle_secs: ${Math.round(this.opts.idleTimeoutMs / 1000)}`,
          `server_started: ${this.startedAt.toISOString()}`,
          `installation: ${this.opts.installation}`,
          '',
        ].join('\n'),
      );
      return EXIT.ok;
    }
    const restore = enterCommand(request, stdout, stderr);
    if (restore === undefined) {
      stderr.write(`pgobuild: cannot enter the working directory ${request.cwd}\n`);
      return EXIT.usage;
    }
    try {
      return await this.opts.run(request.argv, {
        stdout,
        stderr,
        cwd: request.cwd,
        signal: client.controller.signal,
      });
    } catch (e) {
      stderr.write(
        `pgobuild: internal error (a bug, please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
      return EXIT.internal;
    } finally {
      restore();
      try {
        process.chdir(this.opts.workspaceRoot);
      } catch {
        // The workspace is gone: the socket check stops this server soon.
      }
    }
  }

  private finish(client: Client, code: number, why?: string): void {
    client.state = 'done';
    if (why !== undefined) this.send(client, 'E', `pgobuild: ${why}\n`);
    const notice: ExitNotice = { code };
    this.send(client, 'X', JSON.stringify(notice));
    client.socket.end();
  }

  private send(client: Client, type: FrameType, payload: string): void {
    if (!client.socket.destroyed) client.socket.write(encodeFrame(type, payload));
  }
}

/**
 * A client's stdout or stderr: bytes written become frames on its socket. It carries the client
 * terminal's `isTTY` and `columns`, which the human logger reads. Output to a client that has gone
 * is dropped (its command is being cancelled).
 */
class FrameStream extends Writable {
  readonly isTTY: boolean;
  readonly columns: number | undefined;

  constructor(
    private readonly socket: net.Socket,
    private readonly type: 'O' | 'E',
    terminal: TerminalInfo,
  ) {
    super();
    this.isTTY = terminal.isTTY;
    this.columns = terminal.columns;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    if (this.socket.destroyed || !this.socket.writable) {
      done();
      return;
    }
    // Frames queue in the socket in write order; waiting only when it is full keeps memory
    // bounded without a round trip per write.
    if (this.socket.write(encodeFrame(this.type, chunk))) done();
    else {
      const go = (): void => {
        this.socket.off('drain', go);
        this.socket.off('close', go);
        done();
      };
      this.socket.on('drain', go);
      this.socket.on('close', go);
    }
  }
}

/** Ends `stream` and resolves once everything written to it has reached the socket. */
function finishStream(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    stream.end(() => resolve());
  });
}

/**
 * Gives the process the client's working directory and environment for one command, and points
 * `process.stdout`/`process.stderr` and `console` at the client's streams: the CLI's own output
 * goes through the {@link CommandContext}, but some commands (query, explain, the pgo tools) and
 * yargs' --help still write to the process's streams. Commands run one at a time, so swapping is
 * safe. Returns the function that restores everything, or undefined when the cwd is unusable.
 */
function enterCommand(
  request: CommandRequest,
  stdout: FrameStream,
  stderr: FrameStream,
): (() => void) | undefined {
  try {
    process.chdir(request.cwd);
  } catch {
    return undefined;
  }
  const savedEnv = { ...process.env };
  replaceEnv(request.env);
  const stdoutDescriptor = Object.getOwnPropertyDescriptor(process, 'stdout');
  const stderrDescriptor = Object.getOwnPropertyDescriptor(process, 'stderr');
  const savedConsole = globalThis.console;
  const savedExitCode = process.exitCode;
  Object.defineProperty(process, 'stdout', { configurable: true, get: () => stdout });
  Object.defineProperty(process, 'stderr', { configurable: true, get: () => stderr });
  globalThis.console = new Console({ stdout, stderr });
  return () => {
    if (stdoutDescriptor !== undefined) Object.defineProperty(process, 'stdout', stdoutDescriptor);
    if (stderrDescriptor !== undefined) Object.defineProperty(process, 'stderr', stderrDescriptor);
    globalThis.console = savedConsole;
    process.exitCode = savedExitCode;
    replaceEnv(savedEnv);
  };
}

/** Makes `process.env` (the real one, which child processes inherit) hold exactly `env`. */
function replaceEnv(env: Readonly<Record<string, string | undefined>>): void {
  for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
  for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v;
}
