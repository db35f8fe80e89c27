import { spawnSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BuildEvent } from '../../src/events';

/** The repository root (where bin/pgobuild.js lives). */
export const REPO = path.resolve(__dirname, '..', '..');
const CLI = path.join(REPO, 'bin', 'pgobuild.js');

/**
 * A disk cache shared by the end-to-end tests of one run, so the standard library is compiled
 * once rather than once per test. Tests that need a cold cache make their own.
 */
export const SHARED_CACHE = path.join(
  os.tmpdir(),
  `pgobuild-e2e-cache-${process.env['PGOBUILD_TEST_RUN'] ?? process.ppid}`,
);

const created: string[] = [];

/** A fresh temp directory, removed after the test file finishes. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** The result of one CLI run with `--output=json`. */
export interface CliRun {
  readonly code: number | null;
  readonly events: BuildEvent[];
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI (compiled JavaScript) in `cwd`. */
export function pgobuild(
  cwd: string,
  args: readonly string[],
  opts: {
    cache?: string;
    json?: boolean;
    env?: NodeJS.ProcessEnv;
    /** Node options placed before the CLI's script (e.g. `--require <hook>`). */
    nodeArgs?: readonly string[];
  } = {},
): CliRun {
  const json = opts.json ?? true;
  // The harness's flags go before a `--`: what follows it belongs to the program or test binary.
  const dashes = args.indexOf('--');
  const end = dashes < 0 ? args.length : dashes;
  const full = [
    ...(opts.nodeArgs ?? []),
    CLI,
    ...args.slice(0, end),
    `--disk_cache=${opts.cache ?? SHARED_CACHE}`,
    ...(json ? ['--output=json'] : []),
    ...args.slice(end),
  ];
  const r = spawnSync(process.execPath, full, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    // Batch mode (in-process, no server) unless the caller's environment says otherwise.
    env: { PGOBUILD_BATCH: '1', ...(opts.env ?? process.env), NO_COLOR: '1' },
  });
  const events = json ? parseEvents(r.stdout) : [];
  return { code: r.status, events, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the CLI without waiting (for kill tests). */
export function pgobuildAsync(
  cwd: string,
  args: readonly string[],
  cache: string,
  env: NodeJS.ProcessEnv = process.env,
): ChildProcess {
  return spawn(process.execPath, [CLI, ...args, `--disk_cache=${cache}`, '--output=json'], {
    cwd,
    env: { PGOBUILD_BATCH: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Parses NDJSON events, ignoring non-JSON lines (a program's own output under `run`). */
export function parseEvents(stdout: string): BuildEvent[] {
  const events: BuildEvent[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      events.push(JSON.parse(line) as BuildEvent);
    } catch {
      // not an event
    }
  }
  return events;
}

/** Descriptions of actions with the given status (and optionally mnemonic). */
export function actions(run: CliRun, status: 'executed' | 'cached', mnemonic?: string): string[] {
  return run.events
    .filter(
      (e): e is Extract<BuildEvent, { type: 'action-finished' }> => e.type === 'action-finished',
    )
    .filter((e) => e.status === status && (mnemonic === undefined || e.mnemonic === mnemonic))
    .map((e) => e.description)
    .sort();
}

/** The diagnostics a run emitted (errors and warnings), in order. */
export function diagnostics(run: CliRun): Extract<BuildEvent, { type: 'diagnostic' }>[] {
  return run.events.filter(
    (e): e is Extract<BuildEvent, { type: 'diagnostic' }> => e.type === 'diagnostic',
  );
}

/** The final event of a run. */
export function finished(run: CliRun): Extract<BuildEvent, { type: 'command-finished' }> {
  const e = run.events.find((x) => x.type === 'command-finished');
  if (e === undefined || e.type !== 'command-finished')
    throw new Error(`no command-finished event; stderr:\n${run.stderr}\nstdout:\n${run.stdout}`);
  return e;
}

/** Writes a workspace from a map of relative path → contents into a fresh temp dir. */
export function makeWorkspace(
  files: Readonly<Record<string, string>>,
  prefix = 'pgobuild-ws-',
): string {
  const dir = tempDir(prefix);
  for (const [rel, content] of Object.entries({
    WORKSPACE: 'workspace(name = "test")\n',
    ...files,
  })) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

/** Copies the repository's example monorepo (and the root WORKSPACE) into a fresh temp workspace. */
export function copyExamples(prefix = 'pgobuild-examples-'): string {
  const dir = tempDir(prefix);
  fs.copyFileSync(path.join(REPO, 'WORKSPACE'), path.join(dir, 'WORKSPACE'));
  fs.cpSync(path.join(REPO, 'examples'), path.join(dir, 'examples'), {
    recursive: true,
    filter: (src) => !src.includes('pgobuild-out'),
  });
  return dir;
}

/** The `.text` section of an ELF binary (objcopy), to compare machine code with cmd/go's. */
export function textSection(binary: string): Buffer {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-text-')), 'text.bin');
  const r = spawnSync('objcopy', ['-O', 'binary', '--only-section=.text', binary, out], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`objcopy failed: ${r.stderr}`);
  return fs.readFileSync(out);
}

/** Runs `go` with a clean, reproducible environment (the oracle). */
export function go(
  cwd: string,
  args: readonly string[],
  extraEnv: Record<string, string> = {},
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('go', args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? os.tmpdir(),
      GOCACHE: path.join(os.tmpdir(), 'pgobuild-e2e-gocache'),
      GOFLAGS: '-buildvcs=false',
      GOTOOLCHAIN: 'local',
      CGO_ENABLED: '0',
      ...extraEnv,
    },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
