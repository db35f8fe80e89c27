import * as path from 'node:path';
import {
  checkCollectedProfile,
  encodeProfile,
  formatProfileFailure,
  mergeProfiles,
  profileEdges,
  type PprofProfile,
  type ProfileFailure,
} from '../pprof';
import { writeFileAtomically } from '../util/atomic-write';
import { err, ok, type Result } from '../util/result';
import { buildFileOf } from '../workspace/build-file';
import { parseLabel, shortLabel } from '../workspace';
import { findWorkspaceRoot, workspaceRelative } from '../workspace/workspace-root';
import {
  fetchInstanceProfile,
  formatInstanceFailure,
  profileUrl,
  type InstanceFailure,
} from './fetch-instance-profile';
import { renderTable, writeJson, writeTo, type PgoToolIo } from './pgo-tool-io';

/** The arguments of `pgobuild pgo collect`. */
export interface CollectCommandArgs {
  readonly target: string;
  /** `--from URL`, one per instance. */
  readonly from: readonly string[];
  /** The profiling window, the same for every instance. */
  readonly seconds: number;
  /** The fewest instances that must give a good profile. */
  readonly min: number;
  /** Seconds to wait beyond the window before giving up on an instance. */
  readonly timeout: number;
  /** `-o`: where to write instead of the binary's default.pgo. */
  readonly output: string | undefined;
}

/** What happened with one instance. */
export type InstanceOutcome =
  | {
      readonly url: string;
      readonly status: 'ok';
      readonly samples: number;
      readonly durationNanos: bigint;
      readonly bytes: number;
    }
  | {
      readonly url: string;
      readonly status: 'failed';
      readonly failure: InstanceFailure | ProfileFailure;
    };

/** A profile shorter than this share of the window is rejected as short. */
const MIN_WINDOW_SHARE = 0.8;

/**
 * Implements `pgobuild pgo collect TARGET --from URL… [--seconds N] [--min K] [-o PATH]`: fetches
 * `/debug/pprof/profile?seconds=N` from every instance at once (the same window), rejects what
 * is not a usable CPU profile (not CPU, empty, shorter than 80% of the window) and instances
 * that fail (naming each), merges the rest as `pgo merge` does and writes the binary's
 * `default.pgo` atomically (or `-o`). Exit 0; 1 when fewer than `--min` instances gave a profile
 * (nothing is written); 2 for usage errors.
 */
export async function runCollectCommand(
  args: CollectCommandArgs,
  io: PgoToolIo,
  signal: AbortSignal = new AbortController().signal,
): Promise<number> {
  const usage = async (message: string): Promise<number> => {
    await writeTo(io.stderr, `pgobuild: ${message}\n`);
    return 2;
  };
  if (!Number.isInteger(args.seconds) || args.seconds < 1)
    return usage(`--seconds must be a positive integer, got ${args.seconds}`);
  if (!Number.isInteger(args.min) || args.min < 1 || args.min > args.from.length)
    return usage(
      `--min must be an integer from 1 to the number of --from instances (${args.from.length}), got ${args.min}`,
    );
  if (!Number.isFinite(args.timeout) || args.timeout < 0)
    return usage(`--timeout must be a number of seconds, got ${args.timeout}`);
  const destination = await resolveDestination(args, io.cwd);
  if (!destination.ok) return usage(destination.failure);

  const urls: { from: string; url: URL }[] = [];
  for (const from of args.from) {
    const u = profileUrl(from, args.seconds);
    if (!u.ok) return usage(formatInstanceFailure(u.failure));
    urls.push({ from, url: u.value });
  }

  const progress = new CollectProgress(io, args.seconds, urls.length);
  const timeoutMs = (args.seconds + args.timeout) * 1000;
  const outcomes = await Promise.all(
    urls.map(async ({ from, url }) => {
      const body = await fetchInstanceProfile(from, url, timeoutMs, signal);
      const checked = body.ok
        ? checkCollectedProfile(body.value, from, args.seconds * MIN_WINDOW_SHARE)
        : body;
      progress.instanceDone(from, checked.ok ? undefined : checked.failure.reason);
      return { from, checked, bytes: body.ok ? body.value.length : 0 };
    }),
  );
  progress.stop();

  const good: { file: string; profile: PprofProfile; weight: number }[] = [];
  const report: InstanceOutcome[] = outcomes.map(({ from, checked, bytes }) => {
    if (!checked.ok) return { url: from, status: 'failed', failure: checked.failure };
    good.push({ file: from, profile: checked.value, weight: 1 });
    return {
      url: from,
      status: 'ok',
      samples: checked.value.samples.length,
      durationNanos: checked.value.durationNanos,
      bytes,
    };
  });

  const display = destination.value.display;
  if (good.length < args.min) {
    await finish(io, report, undefined, display, args.min);
    return 1;
  }
  const merged = mergeProfiles(good, { normalize: false });
  const usable = merged.ok ? profileEdges(merged.value.profile, display) : merged;
  if (!merged.ok || !usable.ok) {
    const failure = !merged.ok ? merged.failure : !usable.ok ? usable.failure : undefined;
    if (failure !== undefined) await writeTo(io.stderr, `${formatProfileFailure(failure)}\n`);
    await finish(io, report, undefined, display, args.min);
    return 1;
  }
  try {
    await writeFileAtomically(destination.value.absPath, encodeProfile(merged.value.profile));
  } catch (e) {
    await writeTo(io.stderr, `${display}: cannot write the profile: ${String(e)}\n`);
    return 1;
  }
  await finish(
    io,
    report,
    {
      samples: merged.value.profile.samples.length,
      total: merged.value.total,
      edges: usable.value.length,
    },
    display,
    args.min,
  );
  return 0;
}

function formatFailure(f: InstanceFailure | ProfileFailure): string {
  return 'url' in f ? formatInstanceFailure(f) : formatProfileFailure(f);
}

/** The profile to write: `-o` (relative to the cwd), else TARGET's package's default.pgo. */
async function resolveDestination(
  args: CollectCommandArgs,
  cwd: string,
): Promise<Result<{ absPath: string; display: string }, string>> {
  if (args.output !== undefined) {
    return ok({ absPath: path.resolve(cwd, args.output), display: args.output });
  }
  const root = await findWorkspaceRoot(cwd);
  if (root === undefined) {
    return err(
      `${args.target}: no WORKSPACE, WORKSPACE.bazel or MODULE.bazel above ${cwd}; run inside a workspace or pass -o PATH`,
    );
  }
  const label = parseLabel(args.target, workspaceRelative(root, cwd));
  if (!label.ok) return err(label.failure.message);
  if (label.value.repo !== undefined) {
    return err(`${args.target}: a module repository's package has no default.pgo; pass -o PATH`);
  }
  if ((await buildFileOf(root, label.value.pkg)) === undefined) {
    return err(
      `${shortLabel(label.value)}: package ${label.value.pkg} has no BUILD or BUILD.bazel file`,
    );
  }
  const rel = path.posix.join(label.value.pkg, 'default.pgo');
  return ok({ absPath: path.join(root, rel), display: rel });
}

async function finish(
  io: PgoToolIo,
  instances: readonly InstanceOutcome[],
  written: { samples: number; total: number; edges: number } | undefined,
  display: string,
  min: number,
): Promise<void> {
  const failed = instances.filter((i) => i.status === 'failed');
  const succeeded = instances.length - failed.length;
  // The warnings go to stderr in both output modes: stdout stays one JSON document.
  for (const f of failed) {
    if (f.status === 'failed') await writeTo(io.stderr, `warning: ${formatFailure(f.failure)}\n`);
  }
  if (io.output === 'json') {
    await writeJson(io.stdout, {
      command: 'pgo collect',
      output: written === undefined ? null : display,
      written: written !== undefined,
      instances: instances.map((i) =>
        i.status === 'ok'
          ? i
          : {
              url: i.url,
              status: i.status,
              reason: i.failure.reason,
              message: formatFailure(i.failure),
            },
      ),
      ...(written ?? {}),
    });
    return;
  }
  const rows = instances.map((i) =>
    i.status === 'ok'
      ? [i.url, 'ok', String(i.samples), `${(Number(i.durationNanos) / 1e9).toFixed(1)}s`]
      : [i.url, i.failure.reason, '-', '-'],
  );
  await writeTo(
    io.stdout,
    renderTable(['instance', 'status', 'samples', 'duration'], rows, ['samples', 'duration']),
  );
  if (written === undefined) {
    await writeTo(
      io.stderr,
      `pgobuild: ${succeeded} of ${instances.length} instances gave a profile, --min is ${min}; ${display} was not written\n`,
    );
    return;
  }
  await writeTo(
    io.stdout,
    `Wrote ${display} from ${succeeded} of ${instances.length} instances: ${written.samples} samples, total ${written.total}, ${written.edges} call edges\n`,
  );
}

/**
 * The progress bar on stderr (human output only): on a terminal a line redrawn every half
 * second with the window's elapsed time and the instances done; elsewhere one line per event.
 */
class CollectProgress {
  private readonly started = Date.now();
  private done = 0;
  private failed = 0;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly tty: boolean;

  constructor(
    private readonly io: PgoToolIo,
    private readonly seconds: number,
    private readonly instances: number,
  ) {
    this.tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
    if (io.output !== 'human') return;
    if (this.tty) {
      this.timer = setInterval(() => this.draw(), 500);
      this.timer.unref();
    } else {
      io.stderr.write(`Collecting ${seconds} s CPU profiles from ${instances} instances\n`);
    }
  }

  /** One instance answered; `failure` is the reason it was rejected (detailed at the end). */
  instanceDone(url: string, failure: string | undefined): void {
    this.done++;
    if (failure !== undefined) this.failed++;
    if (this.io.output !== 'human') return;
    if (this.tty) this.draw();
    else
      this.io.stderr.write(
        `[${this.done} / ${this.instances}] ${url}: ${failure === undefined ? 'profile received' : `rejected (${failure})`}\n`,
      );
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.tty && this.io.output === 'human') this.io.stderr.write('\r\x1b[K');
  }

  private draw(): void {
    const elapsed = Math.min(this.seconds, (Date.now() - this.started) / 1000);
    const width = 30;
    const filled = Math.round((elapsed / this.seconds) * width);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    this.io.stderr.write(
      `\r\x1b[K[${bar}] ${elapsed.toFixed(0)}/${this.seconds} s  ${this.done}/${this.instances} instances done, ${this.failed} failed`,
    );
  }
}
