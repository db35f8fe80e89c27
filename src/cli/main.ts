import * as os from 'node:os';
import yargs from 'yargs';
// Only light modules are imported eagerly: every call is a fresh process, and `--help`, the
// profile tools and a null build answered by the up-to-date check must not pay for loading
// analysis, the executor, the cache or protobufjs. The rest loads on first use.
import { defaultDiskCacheRoot } from '../cache/disk-layout';
import type { CommonArgs } from './commands';
import type { CommonFlags } from './common-command';
import type { CommandContext } from './command-context';
import { prepareCommandLine } from './command-line';
import { EXIT } from '../util/exit-code';
import { parseTestFlags } from './test-flags';
import { pgoToolCommands } from './pgo-commands';
import { UsageError } from './usage-error';

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
            : (await import('../orchestration/run-build')).runBuild(c, a.patterns as string[]),
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
            // The command's own module, not src/pprof's index: the merge, diff and rename tools
            // are not needed to preprocess one profile.
            result = import('../pprof/preprocess-command').then(({ runPreprocessCommand }) =>
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
  skipHelpCaching(parser);
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

/**
 * yargs renders the whole help text after running any command's handler (its usage object's
 * `cacheHelpMessage`, kept in case the handler calls `showHelp()`), which measures every option
 * description with string-width: on a null build answered by the up-to-date check that was the
 * largest single cost after loading modules. pgobuild's handlers never show help (a usage error
 * prints a hint; `--help` renders the text itself, unaffected), so that rendering is skipped.
 * Reaches into yargs' internals, hence the checks: without them, nothing changes.
 */
function skipHelpCaching(parser: unknown): void {
  const internals = (
    parser as {
      getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } };
    }
  ).getInternalMethods?.();
  const usage = internals?.getUsageInstance?.();
  if (typeof usage?.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

/**
 * Runs a command that takes the shared flags; the module that checks them and sets up logging is
 * loaded here, on first use.
 */
async function withCommon(
  ctx: CommandContext,
  a: CommonFlags,
  body: (c: CommonArgs) => Promise<number>,
): Promise<number> {
  return (await import('./common-command')).runWithCommonFlags(ctx, a, body);
}
