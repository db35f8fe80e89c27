import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** The repository root and the CLI entry point. */
export const REPO = path.resolve(__dirname, '..', '..');
export const CLI = path.join(REPO, 'bin', 'pgobuild.js');
/**
 * The `pgobuild` command `npm link` installs (a link to it): the native client where it was built,
 * which hands what it does not handle to {@link CLI}.
 */
export const COMMAND = path.join(REPO, 'bin', 'pgobuild');

/** One side-by-side benchmark: ours and go's timings (ms) and their medians. */
export interface Measurement {
  readonly name: string;
  readonly description: string;
  readonly oursMs: number[];
  readonly goMs: number[];
  readonly oursMedianMs: number;
  readonly goMedianMs: number;
  readonly ratio: number;
  /** Peak RSS of our process per run (KiB), where measured. */
  readonly oursPeakRssKiB?: number[];
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1
    ? (s[mid] as number)
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Builds a measurement from raw timings. */
export function measurement(
  name: string,
  description: string,
  ours: number[],
  theirs: number[],
  rss?: number[],
): Measurement {
  return {
    name,
    description,
    oursMs: ours,
    goMs: theirs,
    oursMedianMs: median(ours),
    goMedianMs: median(theirs),
    ratio: median(ours) / median(theirs),
    oursPeakRssKiB: rss,
  };
}

/** Runs a command, throwing with its output when it fails; returns wall ms and peak RSS (KiB). */
export function run(
  cmd: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): { ms: number; rssKiB: number; stdout: string } {
  const start = process.hrtime.bigint();
  // GNU time reports the peak RSS of the command (our node process, or go and its children's max).
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], {
    cwd,
    env,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr.slice(-4000)}\n${r.stdout.slice(-2000)}`,
    );
  const lines = r.stderr.trim().split('\n');
  return { ms, rssKiB: Number(lines[lines.length - 1]), stdout: r.stdout };
}

/** A clean environment for the oracle: cmd/go with its own cache, no VCS stamping, no cgo. */
export function goEnv(gocache: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    GOCACHE: gocache,
    GOFLAGS: '-buildvcs=false',
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
  };
}

/** The environment of a run in batch mode: one process, no server (bin/pgobuild.js). */
export const BATCH_ENV: NodeJS.ProcessEnv = { ...process.env, PGOBUILD_BATCH: '1' };

/** The environment of a run through the workspace's warm server (README's daily use). */
export const SERVER_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => k !== 'PGOBUILD_BATCH'),
);

/**
 * Runs pgobuild build on patterns in a workspace with a given cache: in batch mode (one process,
 * `node bin/pgobuild.js`), or with `via: 'server'` as users type it, through the `pgobuild`
 * command (the native client) and the workspace's server.
 */
export function ours(
  ws: string,
  patterns: readonly string[],
  cache: string,
  via: 'batch' | 'server' = 'batch',
): { ms: number; rssKiB: number; replayed: boolean; executed: number } {
  const args = ['build', ...patterns, `--disk_cache=${cache}`, '--output=json'];
  const r =
    via === 'batch'
      ? run(process.execPath, [CLI, ...args], ws, BATCH_ENV)
      : run(COMMAND, args, ws, SERVER_ENV);
  // The last event is command-finished; `replayed` says the up-to-date check answered.
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as {
    replayed?: boolean;
    executed?: number;
  };
  return {
    ms: r.ms,
    rssKiB: r.rssKiB,
    replayed: last.replayed === true,
    executed: last.executed ?? 0,
  };
}

/**
 * Runs `go build -trimpath` of `./...` in a module directory. With `out`, `-o <out>/` writes the
 * binaries, as we do; note that cmd/go then builds only main packages and their dependencies.
 * Without it, every package is compiled and the mains are linked, their binaries discarded.
 */
export function goBuild(
  moduleDir: string,
  out: string | undefined,
  gocache: string,
): { ms: number; rssKiB: number } {
  const outArgs = out === undefined ? [] : ['-o', `${out}/`];
  return run('go', ['build', '-trimpath', ...outArgs, './...'], moduleDir, goEnv(gocache));
}

/** Blocks for `ms` milliseconds (the benchmarks run one process at a time anyway). */
export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
