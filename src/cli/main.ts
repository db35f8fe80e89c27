import * as os from 'node:os';
import yargs from 'yargs';
// Only light modules are imported eagerly: a null build answered by the up-to-date check must not
// pay for loading analysis, the executor or the cache. The commands load on first use.
import { runBuild } from '../orchestration/run-build';
import { defaultDiskCacheRoot } from '../cache/disk-layout';
import { HumanLogger } from '../events/human-logger';
import { JsonLogger } from '../events/json-logger';
import type { EventSink } from '../events/build-event';
import { installInterruptHandler } from '../exec/interrupt';
import type { CommonArgs } from './commands';
import { prepareCommandLine } from './command-line';
import type { RemoteCacheOptions } from '../cache/remote/remote-cache-options';
import { CommandGuard, guardCommand } from './command-guard';
import { EXIT } from '../util/exit-code';
import { checkNumericFlag } from './numeric-flag';
import { parseGotags, parseLinkopts } from './build-config-flags';
import { parseTestFlags } from './test-flags';
import { prepareDiskCacheRoot } from '../cache/disk-cache-root';
import { pgoToolCommands } from './pgo-commands';

type Commands = typeof import('./commands');
const commands = (): Promise<Commands> => import('./commands');

/**
 * CLI entry point (bin/pgobuild.js). Parses arguments with yargs, sets up the logger and Ctrl-C
 * handling, runs one command and exits with its code. An unexpected exception is a bug: it is
 * reported as an internal error (exit 3) at this one boundary.
 */
export function main(argv: string[]): void {
  let settled = false;
  // A command whose promise can never settle would otherwise let node exit with code 0. Commands
  // that report events are guarded by guardCommand; this catches the others (after giving the
  // guard's answer one turn of the event loop to arrive).
  process.once('beforeExit', () => {
    if (settled) return;
    setImmediate(() => {
      if (settled) return;
      process.stderr.write(
        'pgobuild: internal error (a bug, please report it): the command stopped before it finished\n',
      );
      process.exitCode = EXIT.internal;
    });
  });
  runCommandLine(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
  }).then(
    (code) => {
      settled = true;
      process.exitCode = code;
    },
    (e: unknown) => {
      settled = true;
      process.stderr.write(
        `pgobuild: internal error (a bug, please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
      process.exitCode = EXIT.internal;
    },
  );
}

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

/**
 * Runs one command line in `ctx` and returns its exit code. Throws only on a bug (the caller's
 * internal-error boundary reports it).
 */
export async function runCommandLine(rawArgv: string[], ctx: CommandContext): Promise<number> {
  // .pgobuildrc lines join the arguments; the remote cache flags are validated here (exit 2).
  const prepared = await prepareCommandLine(rawArgv, ctx.cwd);
  if (!prepared.ok) {
    ctx.stderr.write(`pgobuild: ${prepared.failure}\n`);
    return EXIT.usage;
  }
  const { argv, remoteCache } = prepared.value;
  let result: Promise<number> | undefined;
  const parser = yargs([...argv])
    .scriptName('pgobuild')
    .usage('$0 <command> [options]')
    .option('output', {
      choices: ['human', 'json'] as const,
      default: 'human' as const,
      describe: 'human progress, or NDJSON events on stdout',
    })
    .option('jobs', {
      alias: 'j',
      type: 'number',
      default: os.availableParallelism(),
      describe: 'most actions running at once',
    })
    .option('keep_going', {
      alias: 'k',
      type: 'boolean',
      default: false,
      describe: 'continue with independent work after a failure',
    })
    .option('disk_cache', {
      type: 'string',
      default: defaultDiskCacheRoot(),
      describe: 'disk cache directory',
    })
    .option('disk_cache_max_size', {
      type: 'number',
      default: 10,
      describe: 'disk cache size bound in GiB (LRU eviction)',
    })
    .option('pgo', {
      type: 'string',
      describe:
        "override every binary's profile: auto, off, or a profile path (like go build -pgo)",
    })
    .option('verbose', { type: 'boolean', default: false })
    .option('gc_goopts', {
      type: 'string',
      array: true,
      describe:
        'extra compiler flags for every package, like go build -gcflags=all=... (repeatable)',
    })
    .option('gotags', {
      type: 'string',
      array: true,
      describe: 'build tags, comma-separated, like go build -tags=a,b (repeatable)',
    })
    .option('linkopt', {
      type: 'string',
      array: true,
      describe: 'extra linker flags for every binary, like go build -ldflags (repeatable)',
    })
    .option('stamp', {
      type: 'boolean',
      describe: 'replace {KEY} in x_defs values by --workspace_status_command output (Bazel)',
    })
    .option('workspace_status_command', {
      type: 'string',
      describe: 'command printing "KEY value" lines for --stamp, run in the workspace root',
    })
    // The remote cache flags are taken out and validated before yargs (src/cli/remote-flags.ts);
    // declared here for --help.
    .option('remote_cache', {
      type: 'string',
      describe: 'remote cache: http(s)://[user:pass@]host[:port][/prefix] or grpc(s)://host:port',
    })
    .option('remote_upload_local_results', {
      type: 'boolean',
      describe: 'upload results of actions run locally (default true)',
    })
    .option('remote_timeout', { type: 'string', describe: 'seconds per remote call (default 60)' })
    .option('remote_header', {
      type: 'string',
      describe: 'NAME=VALUE sent to the remote (repeatable)',
    })
    .option('tls_certificate', { type: 'string', describe: 'CA certificate (PEM) for https/grpcs' })
    .command(
      'build [patterns..]',
      'build targets (e.g. //examples/...)',
      (y) =>
        y
          .positional('patterns', { type: 'string', array: true, default: ['//...'] })
          .option('dry_run', { type: 'boolean', describe: 'plan only: what would run, cached' }),
      (a) => {
        result = withCommon(ctx, { ...a, remoteCache }, async (c) =>
          a.dry_run === true
            ? (await import('./pgo-plan-command')).runDryRunBuild(c, a.patterns as string[])
            : runBuild(c, a.patterns as string[]),
        );
      },
    )
    .command(
      'test [patterns..]',
      'build and run go_test targets; arguments after -- go to the test binaries',
      (y) =>
        y
          .positional('patterns', { type: 'string', array: true, default: ['//...'] })
          .option('test_arg', {
            type: 'string',
            describe: 'argument for the test binaries, e.g. --test_arg=-test.v (repeatable)',
          })
          .option('test_filter', {
            type: 'string',
            describe: 'run only the tests this regular expression matches (-test.run)',
          })
          .option('test_output', {
            type: 'string',
            describe:
              "errors (default): print failed tests' output; all: every test's; summary: none",
          }),
      (a) => {
        const flags = parseTestFlags({
          testArg: a.test_arg,
          testFilter: a.test_filter,
          testOutput: a.test_output,
          afterDashes: (a['--'] as string[] | undefined) ?? [],
        });
        if (!flags.ok) throw new UsageError(flags.failure);
        result = withCommon(ctx, { ...a, remoteCache }, async (c) =>
          (await commands()).testCommand(c, a.patterns as string[], flags.value),
        );
      },
    )
    .command(
      'run <target> [args..]',
      'build and run a go_binary; arguments after -- go to the program',
      (y) =>
        y
          .positional('target', { type: 'string', demandOption: true })
          .positional('args', { type: 'string', array: true, default: [] }),
      (a) => {
        result = withCommon(ctx, { ...a, remoteCache }, async (c) =>
          (await commands()).runCommand(
            c,
            a.target as string,
            (a['--'] as string[] | undefined) ?? (a.args as string[]),
          ),
        );
      },
    )
    .command(
      'query <expression>',
      "query the target graph: a pattern, deps(x), rdeps(universe, x) or kind('go_binary', x)",
      (y) => y.positional('expression', { type: 'string', demandOption: true }),
      (a) => {
        result = withCommon(ctx, { ...a, remoteCache }, async (c) =>
          (await commands()).queryCommand(c, a.expression as string),
        );
      },
    )
    .command(
      'explain <target>',
      'for each action of the last build of a target: cached or executed, and why',
      (y) => y.positional('target', { type: 'string', demandOption: true }),
      (a) => {
        result = withCommon(ctx, { ...a, remoteCache }, async (c) =>
          (await commands()).explainCommand(c, a.target as string),
        );
      },
    )
    .command(
      'generate [patterns..]',
      'write or update BUILD.bazel files from the Go sources, as Gazelle does',
      (y) => y.positional('patterns', { type: 'string', array: true, default: ['//...'] }),
      (a) => {
        result = withCommon(ctx, { ...a, remoteCache }, async (c) =>
          (await import('./generate-command')).generateCommand(c, a.patterns as string[]),
        );
      },
    )
    .command(
      'clean',
      'remove pgobuild-out (with --expunge also the disk cache)',
      (y) => y.option('expunge', { type: 'boolean', default: false }),
      (a) => {
        result = withCommon(ctx, { ...a, remoteCache }, async (c) =>
          (await commands()).cleanCommand(c, a.expunge),
        );
      },
    )
    .command('pgo', 'profile tools', (y) =>
      y
        .command(
          'preprocess <input>',
          'write the compiler-ready form of a pprof CPU profile (byte-identical to go tool preprofile)',
          (yy) =>
            yy
              .positional('input', { type: 'string', demandOption: true })
              .option('o', { type: 'string', describe: 'output file (default: stdout)' }),
          (a) => {
            // Loaded on first use: protobufjs costs start-up time other commands should not pay.
            result = import('../pprof').then(({ runPreprocessCommand }) =>
              runPreprocessCommand(a.input, a.o, {
                stdout: ctx.stdout,
                stderr: ctx.stderr,
                cwd: ctx.cwd,
              }),
            );
          },
        )
        .command(
          pgoToolCommands(
            (r) => (result = r),
            (raw, body) =>
              withCommon(ctx, { ...(raw as Parameters<typeof withCommon>[1]), remoteCache }, body),
          ),
        )
        .demandCommand(
          1,
          'name a pgo command: preprocess, merge, collect, doctor, rename, diff, plan',
        ),
    )
    .demandCommand(1, 'name a command: build, test, run, query, explain, generate, clean or pgo')
    .strict()
    .parserConfiguration({ 'populate--': true })
    .exitProcess(false)
    .fail((msg, e) => {
      throw new UsageError(msg ?? e?.message ?? 'bad usage');
    })
    .help();
  try {
    await parser.parseAsync();
    return await (result ?? Promise.resolve(EXIT.ok));
  } catch (e) {
    if (e instanceof UsageError) {
      ctx.stderr.write(`pgobuild: ${e.message}\nRun 'pgobuild --help' for usage.\n`);
      return EXIT.usage;
    }
    throw e;
  }
}

class UsageError extends Error {}

async function withCommon(
  ctx: CommandContext,
  a: {
    output: 'human' | 'json';
    jobs: number;
    keep_going: boolean;
    disk_cache: string;
    disk_cache_max_size: number;
    pgo?: string;
    verbose: boolean;
    remoteCache: RemoteCacheOptions | undefined;
    gc_goopts?: string[];
    gotags?: string[];
    linkopt?: string[];
    stamp?: boolean;
    workspace_status_command?: string;
  },
  body: (c: CommonArgs) => Promise<number>,
): Promise<number> {
  // Every numeric flag is checked here (exit 2 naming the flag); --remote_timeout in remote-flags.ts.
  const jobs = checkNumericFlag('jobs', a.jobs, 'integer');
  if (!jobs.ok) throw new UsageError(jobs.failure);
  const maxSize = checkNumericFlag('disk_cache_max_size', a.disk_cache_max_size, 'positive');
  if (!maxSize.ok) throw new UsageError(maxSize.failure);
  const gotags = parseGotags(a.gotags);
  if (!gotags.ok) throw new UsageError(gotags.failure);
  const linkopts = parseLinkopts('--linkopt', a.linkopt);
  if (!linkopts.ok) throw new UsageError(linkopts.failure);
  const statusCommand = a.workspace_status_command;
  if (
    statusCommand !== undefined &&
    (typeof statusCommand !== 'string' || statusCommand.trim() === '')
  )
    throw new UsageError('--workspace_status_command needs a command (given once)');
  const diskCache = await prepareDiskCacheRoot(a.disk_cache, ctx.cwd);
  if (!diskCache.ok) throw new UsageError(diskCache.failure);
  const logger: EventSink =
    a.output === 'json' ? new JsonLogger(ctx.stdout) : new HumanLogger(ctx.stderr, a.verbose);
  // Whatever happens inside the command, a started command ends with command-finished.
  const events = new CommandGuard(logger);
  let signal = ctx.signal;
  let uninstall = (): void => undefined;
  if (signal === undefined) {
    const controller = new AbortController();
    uninstall = installInterruptHandler(controller);
    signal = controller.signal;
  }
  try {
    return await guardCommand(events, () =>
      body({
        cwd: ctx.cwd,
        diskCache: diskCache.value,
        jobs: jobs.value,
        keepGoing: a.keep_going,
        events,
        signal,
        maxCacheBytes: maxSize.value * 1024 ** 3,
        pgo: a.pgo,
        gcGoopts: (a.gc_goopts ?? []).flatMap((f) => f.split(/\s+/).filter((x) => x !== '')),
        gotags: gotags.value,
        linkopts: linkopts.value,
        stamp: a.stamp === true,
        workspaceStatusCommand: statusCommand,
        output: a.output,
        verbose: a.verbose,
        remoteCache: a.remoteCache,
      }),
    );
  } finally {
    uninstall();
  }
}
