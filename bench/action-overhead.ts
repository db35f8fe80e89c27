/**
 * Per-action overhead of a cold build (issue 10, deliverable 2): the synthetic 1,000-package
 * workspace built from empty caches by pgobuild in batch mode under `node --cpu-prof`, interleaved
 * with `go build -trimpath ./...` (CGO_ENABLED=0, empty GOCACHE) on the same workspace. Reports
 * the wall times and where the build process's main thread spent its CPU, by category, in ms per
 * executed action, plus (where the CLI supports PGOBUILD_TOOL_TRACE) how long the tools ran.
 *
 * `npm run bench action-overhead` measures this checkout (side `after`). The baseline side comes
 * from another checkout's CLI: BENCH_OVERHEAD_CLI=/path/to/bin/pgobuild.js
 * BENCH_OVERHEAD_SIDE=before. Each side is stored in bench/results/action-overhead.json without
 * touching the other. BENCH_OVERHEAD_RUNS sets the runs per side (default 3), BENCH_OVERHEAD_SIZE
 * the workspace size (default 1000).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BATCH_ENV, CLI, REPO, goBuild, median, run, sleepMs } from './common';
import { generate } from './generate';

/** The categories of main-thread CPU, in report order. */
export const CATEGORIES = [
  'spawn',
  'sandbox',
  'cache',
  'hashing',
  'events',
  'explain log',
  'analysis',
  'runner and scheduler',
  'start-up',
  'gc',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** One cold build of each side by side. */
export interface OverheadRun {
  readonly oursMs: number;
  readonly goMs: number;
  readonly executed: number;
  readonly spawns: number;
  /** Main thread: sampled ms not idle, idle ms, and the busy ms per category. */
  readonly busyMs: number;
  readonly idleMs: number;
  readonly categoryMs: Record<Category, number>;
  /** Tool run time (ms) by tool name, when the CLI wrote PGOBUILD_TOOL_TRACE. */
  readonly toolMs?: Record<string, number>;
  /** The tool spawner process's own CPU (ms), when the CLI traced it (PGOBUILD_TOOL_TRACE). */
  readonly spawnerCpu?: { readonly userMs: number; readonly systemMs: number };
}

/** One side (a checkout) of the comparison. */
export interface OverheadSide {
  readonly cli: string;
  readonly commit: string;
  readonly runs: OverheadRun[];
  readonly date: string;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

/** The category of one frame, or undefined to look at its caller. */
function frameCategory(fn: string, url: string): Category | undefined {
  if (fn === '(garbage collector)') return 'gc';
  if (url.includes('node:internal/crypto/hash')) return 'hashing';
  if (url === '') return undefined; // a native call: its JavaScript caller decides
  const file = url.replace(/^.*\/dist\//, 'dist/');
  if (!file.startsWith('dist/')) {
    if (url.includes('node:internal/child_process')) return 'spawn';
    if (url.includes('node:internal/fs/rimraf')) return 'sandbox';
    return undefined;
  }
  if (/\/exec\/(tool-spawner|spawn-process|child-watchdog)\.js$/.test(file)) return 'spawn';
  if (/\/exec\/(sandbox|executor|placeholders)\.js$/.test(file)) return 'sandbox';
  if (/\/(cache\/|orchestration\/store-outputs\.js)/.test(file)) return 'cache';
  if (/\/(hashing\/|actions\/action-key\.js|util\/digest\.js)/.test(file)) return 'hashing';
  if (/\/events\//.test(file)) return 'events';
  if (/\/orchestration\/explain-log\.js$/.test(file)) return 'explain log';
  if (/\/(analysis|starlark|workspace|modules|go\/scan|query|rules)\//.test(file))
    return 'analysis';
  if (/\/(exec\/(scheduler|semaphore)|orchestration\/|go\/)/.test(file))
    return 'runner and scheduler';
  return undefined;
}

/** Main-thread CPU of a `.cpuprofile` by category (ms), plus idle ms. */
export function categorize(profileFile: string): {
  busyMs: number;
  idleMs: number;
  categoryMs: Record<Category, number>;
} {
  const p = JSON.parse(fs.readFileSync(profileFile, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, Category | 'idle'>();
  const categoryOf = (id: number): Category | 'idle' => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const n = byId.get(id);
    let c: Category | 'idle';
    if (n === undefined) c = 'other';
    else if (n.callFrame.functionName === '(idle)') c = 'idle';
    else if (n.callFrame.functionName === '(program)') c = 'other';
    else {
      const own = frameCategory(n.callFrame.functionName, n.callFrame.url);
      const up = parent.get(id);
      if (own !== undefined) c = own;
      else if (n.callFrame.url.includes('node:internal/modules')) c = 'start-up';
      else c = up === undefined ? 'other' : categoryOf(up);
      if (c === 'idle') c = 'other';
    }
    memo.set(id, c);
    return c;
  };
  const categoryMs = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  let idleMs = 0;
  let busyMs = 0;
  p.samples.forEach((id, i) => {
    const ms = (p.timeDeltas[i] ?? 0) / 1000;
    const c = categoryOf(id);
    if (c === 'idle') idleMs += ms;
    else {
      busyMs += ms;
      categoryMs[c] += ms;
    }
  });
  return { busyMs, idleMs, categoryMs };
}

/** One cold build under --cpu-prof, then go build cold on the same workspace. */
function coldRun(cli: string, ws: string, scratch: string, i: number): OverheadRun {
  const profDir = path.join(scratch, `prof-${i}`);
  const trace = path.join(scratch, `tools-${i}.ndjson`);
  const cache = path.join(scratch, `cache-${i}`);
  const gocache = path.join(scratch, `gocache-${i}`);
  fs.rmSync(path.join(ws, 'pgobuild-out'), { recursive: true, force: true });
  const o = run(
    process.execPath,
    [
      '--cpu-prof',
      `--cpu-prof-dir=${profDir}`,
      cli,
      'build',
      '//...',
      `--disk_cache=${cache}`,
      '--output=json',
    ],
    ws,
    { ...BATCH_ENV, PGOBUILD_TOOL_TRACE: trace },
  );
  const g = goBuild(ws, undefined, gocache);
  const done = JSON.parse(o.stdout.trim().split('\n').at(-1) ?? '{}') as {
    executed?: number;
    spawns?: number;
  };
  const profile = fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (profile === undefined) throw new Error(`no CPU profile in ${profDir}`);
  const cats = categorize(path.join(profDir, profile));
  // The spawner writes its CPU time as it exits, just after the build process has.
  for (let i = 0; i < 40 && fs.existsSync(trace); i++) {
    if (fs.readFileSync(trace, 'utf8').includes('"process"')) break;
    sleepMs(50);
  }
  let toolMs: Record<string, number> | undefined;
  let spawnerCpu: OverheadRun['spawnerCpu'];
  if (fs.existsSync(trace)) {
    toolMs = {};
    for (const line of fs.readFileSync(trace, 'utf8').split('\n')) {
      if (line === '') continue;
      const t = JSON.parse(line) as
        | { tool: string; startMs: number; endMs: number }
        | { process: string; userMs: number; systemMs: number };
      if ('process' in t) spawnerCpu = { userMs: t.userMs, systemMs: t.systemMs };
      else toolMs[t.tool] = (toolMs[t.tool] ?? 0) + (t.endMs - t.startMs);
    }
  }
  for (const d of [profDir, trace, cache, gocache]) fs.rmSync(d, { recursive: true, force: true });
  return {
    oursMs: o.ms,
    goMs: g.ms,
    executed: done.executed ?? 0,
    spawns: done.spawns ?? 0,
    ...cats,
    toolMs,
    spawnerCpu,
  };
}

/** The commit of the checkout a CLI belongs to. */
function commitOf(cli: string): string {
  try {
    return execFileSync(
      'git',
      ['-C', path.dirname(path.dirname(cli)), 'rev-parse', '--short', 'HEAD'],
      {
        encoding: 'utf8',
      },
    ).trim();
  } catch {
    return 'unknown';
  }
}

/**
 * Measures one side and merges it into `<results>/action-overhead.json` (the other side is kept).
 * `log` receives progress lines.
 */
export function measureActionOverhead(results: string, log: (s: string) => void): void {
  const cli = path.resolve(process.env['BENCH_OVERHEAD_CLI'] ?? CLI);
  const side = process.env['BENCH_OVERHEAD_SIDE'] ?? 'after';
  const runs = Number(process.env['BENCH_OVERHEAD_RUNS'] ?? 3);
  const size = Number(process.env['BENCH_OVERHEAD_SIZE'] ?? 1000);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-bench-overhead-'));
  const ws = path.join(scratch, 'ws');
  const corpus = path.join(REPO, 'test', 'fixtures', 'profiles');
  generate(
    ws,
    size,
    [
      'p2pool-observer-api.cpu.pprof',
      'p2pool-observer-daemon.cpu.pprof',
      'masterdnsvpn-server.cpu.pprof',
    ].map((f) => path.join(corpus, f)),
  );
  const measured: OverheadRun[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const r = coldRun(cli, ws, scratch, i);
      measured.push(r);
      log(
        `action-overhead ${side} ${i + 1}/${runs}: ours ${r.oursMs.toFixed(0)} ms, go ${r.goMs.toFixed(0)} ms, main thread busy ${r.busyMs.toFixed(0)} ms`,
      );
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const file = path.join(results, 'action-overhead.json');
  const old = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { sides?: Record<string, OverheadSide> })
    : {};
  const sides = {
    ...(old.sides ?? {}),
    [side]: { cli, commit: commitOf(cli), runs: measured, date: new Date().toISOString() },
  };
  fs.mkdirSync(results, { recursive: true });
  fs.writeFileSync(
    file,
    `${JSON.stringify({ workspacePackages: size, sides, machine: machineLine() }, null, 2)}\n`,
  );
}

function machineLine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB; ${process.version}`;
}

/** The bench/README.md section, from `<results>/action-overhead.json` ('' when absent). */
export function actionOverheadSection(results: string): string {
  const file = path.join(results, 'action-overhead.json');
  if (!fs.existsSync(file)) return '';
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    workspacePackages: number;
    sides: Record<string, OverheadSide>;
    machine: string;
  };
  const names = ['before', 'after'].filter((s) => data.sides[s] !== undefined);
  if (names.length === 0) return '';
  const sides = names.map((n) => data.sides[n] as OverheadSide);
  const med = (s: OverheadSide, f: (r: OverheadRun) => number): number => median(s.runs.map(f));
  const perAction = (s: OverheadSide, f: (r: OverheadRun) => number): string =>
    med(s, (r) => f(r) / Math.max(1, r.executed)).toFixed(2);
  const header = `| | ${sides.map((s, i) => `${names[i]} (${s.commit})`).join(' | ')} |\n|---|${sides.map(() => '---|').join('')}`;
  const row = (label: string, cell: (s: OverheadSide) => string): string =>
    `| ${label} | ${sides.map(cell).join(' | ')} |`;
  const rows = [
    row('runs', (s) => String(s.runs.length)),
    row('cold build, ours (ms, median)', (s) => med(s, (r) => r.oursMs).toFixed(0)),
    row('cold build, go build (ms, median, same rounds)', (s) => med(s, (r) => r.goMs).toFixed(0)),
    row(
      'ratio (median of per-round ratios)',
      (s) => `${med(s, (r) => r.oursMs / r.goMs).toFixed(2)}×`,
    ),
    row('actions executed / processes spawned', (s) => {
      const r = s.runs[0] as OverheadRun;
      return `${r.executed} / ${r.spawns}`;
    }),
    row('main thread busy (ms per action)', (s) => perAction(s, (r) => r.busyMs)),
    row('main thread idle (ms per action)', (s) => perAction(s, (r) => r.idleMs)),
    ...CATEGORIES.map((c) =>
      row(`&nbsp;&nbsp;${c} (ms per action)`, (s) => perAction(s, (r) => r.categoryMs[c])),
    ),
    row("tools' own run time, all tools (s, summed)", (s) =>
      s.runs[0]?.toolMs === undefined
        ? 'not traced'
        : (med(s, (r) => Object.values(r.toolMs ?? {}).reduce((a, b) => a + b, 0)) / 1000).toFixed(
            1,
          ),
    ),
    row("&nbsp;&nbsp;of which the builder's `go build` (s)", (s) =>
      s.runs[0]?.toolMs === undefined
        ? 'not traced'
        : (med(s, (r) => r.toolMs?.['go'] ?? 0) / 1000).toFixed(1),
    ),
    row('tool spawner process CPU, user / system (s)', (s) =>
      s.runs[0]?.spawnerCpu === undefined
        ? 'not traced'
        : `${(med(s, (r) => r.spawnerCpu?.userMs ?? 0) / 1000).toFixed(1)} / ${(med(s, (r) => r.spawnerCpu?.systemMs ?? 0) / 1000).toFixed(1)}`,
    ),
  ];
  return `
## Per-action overhead of a cold build (${data.workspacePackages}-package synthetic workspace)

\`npm run bench action-overhead\`: a cold build of \`//...\` (empty \`--disk_cache\`, fresh
pgobuild-out, batch mode) under \`node --cpu-prof\`, interleaved with \`CGO_ENABLED=0 go build
-trimpath ./...\` from an empty GOCACHE on the same workspace; medians. The categories split the
build process's main-thread CPU samples by the innermost pgobuild (or Node) frame that explains
them: spawn = forking tools and talking to the tool spawner, sandbox = exec-root set-up and
removal, cache = disk cache reads and writes, hashing = SHA-256 and action keys, events = the
NDJSON event stream. \`before\` is the code at the branch start, \`after\` this checkout. Tool run
times come from \`PGOBUILD_TOOL_TRACE\` (not available before). The builder's \`go build\` is
pgobuild's pack tool (toolchain/builder) built from an empty Go build cache, which a cold disk
cache needs before the first package with assembly (runtime) can be packed: cmd/go has pack
built in. The tool spawner is the helper process that makes exec roots, starts the tools and
removes the exec roots (src/exec/tool-spawner.ts); its CPU is not in the main thread's profile.
Before exec roots moved to /dev/shm (a memory file system), sampling it from /proc in such builds
gave 10.6–13.9 s of system CPU, most of it removing exec roots from the ext4 disk. Machine:
${data.machine}, shared with other work, so the wall times are noisy; compare the ratio and the
per-action figures.

${header}
${rows.join('\n')}
`;
}
