import { HumanLogger } from '../events/human-logger';
import { JsonLogger } from '../events/json-logger';
import type { EventSink } from '../events/build-event';
import { installInterruptHandler } from '../exec/interrupt';
import type { RemoteCacheOptions } from '../cache/remote/remote-cache-options';
import { prepareDiskCacheRoot } from '../cache/disk-cache-root';
import type { CommandContext } from './command-context';
import type { CommonArgs } from './commands';
import { CommandGuard, guardCommand } from './command-guard';
import { checkNumericFlag } from './numeric-flag';
import { parseGotags, parseLinkopts } from './build-config-flags';
import { UsageError } from './usage-error';

// Loaded by main.ts only when a command that takes the shared flags runs (build, test, run, query,
// explain, generate, clean, pgo doctor and pgo plan): the loggers, the interrupt handler (which
// loads node:child_process) and the flag checks are start-up cost that --help and the other
// profile tools (pgo preprocess, merge, collect, rename, diff) do not need.

/** The options every building command shares, as yargs parsed them. */
export interface CommonFlags {
  readonly output: 'human' | 'json';
  readonly jobs: number;
  readonly keep_going: boolean;
  readonly disk_cache: string;
  readonly disk_cache_max_size: number;
  readonly pgo?: string;
  readonly verbose: boolean;
  readonly remoteCache: RemoteCacheOptions | undefined;
  readonly gc_goopts?: string[];
  readonly gotags?: string[];
  readonly linkopt?: string[];
  readonly stamp?: boolean;
  readonly workspace_status_command?: string;
}

/**
 * Checks the shared flags (a bad one throws {@link UsageError}, exit 2), sets up the logger on
 * `ctx`'s streams and the cancellation (`ctx.signal`, else this process's Ctrl-C), and runs `body`
 * in `ctx.cwd` so that it always ends with a command-finished event.
 */
export async function runWithCommonFlags(
  ctx: CommandContext,
  a: CommonFlags,
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
