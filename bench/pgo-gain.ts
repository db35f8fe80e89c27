/**
 * The PGO gain on the text-rendering service (examples/cmd/mdserver, the Go PGO blog's scenario):
 * CPU cost per /render request with and without its default.pgo, both binaries built by pgobuild.
 *
 * Two measures, PGO and no-PGO interleaved:
 * - instructions per request, counted by `valgrind --tool=callgrind` (nearly deterministic,
 *   immune to machine load): 300 requests from the load driver with one client, counted between
 *   a zeroing and a dump of callgrind's counters (with GODEBUG=asyncpreemptoff=1: callgrind
 *   3.19 asserts on the preemption signals of Go's runtime);
 * - CPU time per request natively (utime+stime of the server from /proc over a fixed number of
 *   requests), median of the runs.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, REPO, median } from './common';

/** Result of the PGO gain benchmark. */
export interface PgoGain {
  readonly instructionsPerRequest: { readonly pgo: number[]; readonly nopgo: number[] };
  readonly cpuMicrosPerRequest: { readonly pgo: number[]; readonly nopgo: number[] };
  /** The renderer alone: BenchmarkRender of examples/lib/markdown, ns/op per run. */
  readonly renderNsPerOp: { readonly pgo: number[]; readonly nopgo: number[] };
  readonly instructionGainPercent: number;
  readonly cpuTimeGainPercent: number;
  readonly renderGainPercent: number;
}

/**
 * BenchmarkRender (the markdown library's own benchmark) with mdserver's profile and without,
 * `go test -bench -count=runs` (ns/op of each run).
 */
function renderBenchmark(runs: number, pgo: string): number[] {
  const r = spawnSync(
    'go',
    [
      'test',
      '-run=^$',
      '-bench=^BenchmarkRender$',
      `-count=${runs}`,
      `-pgo=${pgo}`,
      './lib/markdown',
    ],
    {
      cwd: path.join(REPO, 'examples'),
      encoding: 'utf8',
      env: { ...process.env, GOFLAGS: '-buildvcs=false', CGO_ENABLED: '0' },
    },
  );
  if (r.status !== 0) throw new Error(`go test -bench failed: ${r.stderr}${r.stdout}`);
  return [...r.stdout.matchAll(/^BenchmarkRender\S*\s+\d+\s+([\d.]+) ns\/op/gm)].map((m) =>
    Number(m[1]),
  );
}

/**
 * Builds a service (`examples/cmd/<name>`, with its default.pgo and with --pgo=off) and its load
 * driver (`<name>-load`) with pgobuild; returns copies of the two server variants and the driver
 * (each binary is copied before the next build overwrites it).
 */
function buildVariants(
  dir: string,
  name = 'mdserver',
): { pgo: string; nopgo: string; load: string } {
  const build = (extra: string[]): void => {
    const r = spawnSync(
      process.execPath,
      [CLI, 'build', `//examples/cmd/${name}`, `//examples/cmd/${name}-load`, ...extra],
      { cwd: REPO, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(r.stderr);
  };
  const out = path.join(REPO, 'pgobuild-out/bin/examples/cmd');
  const files = { nopgo: `${name}-nopgo`, pgo: `${name}-pgo`, load: `${name}-load` };
  build(['--pgo=off']);
  fs.copyFileSync(path.join(out, name, name), path.join(dir, files.nopgo));
  build([]);
  fs.copyFileSync(path.join(out, name, name), path.join(dir, files.pgo));
  fs.copyFileSync(path.join(out, `${name}-load`, `${name}-load`), path.join(dir, files.load));
  for (const f of Object.values(files)) fs.chmodSync(path.join(dir, f), 0o755);
  return {
    pgo: path.join(dir, files.pgo),
    nopgo: path.join(dir, files.nopgo),
    load: path.join(dir, files.load),
  };
}

/** Starts a server (optionally under a wrapper) and resolves with its address. */
function startServer(
  argv: string[],
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(argv[0] as string, argv.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GOMAXPROCS: '1', ...extraEnv },
  });
  child.stderr?.resume(); // never let a full stderr pipe stall the server
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m !== null) resolve({ child, address: m[1] as string });
    });
    child.on('exit', (code) => reject(new Error(`server exited early (${code})`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Runs the load driver with one client for `requests` requests; returns its report. */
function load(loadBin: string, address: string, requests: number, extra: string[] = []): string {
  const r = spawnSync(
    loadBin,
    [
      '-addr',
      address,
      '-requests',
      String(requests),
      '-duration',
      '0',
      '-concurrency',
      '1',
      ...extra,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`load driver failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * Instructions (Ir) the server executes for `requests` requests, under callgrind: after a warm-up
 * the counters are zeroed and dumped around the measured requests with `callgrind_control`
 * (signals would be simpler, but callgrind 3.19 asserts on the Go runtime's signal handling), so
 * start-up and shutdown are excluded.
 */
async function callgrindInstructions(
  server: string,
  loadBin: string,
  requests: number,
  dir: string,
  loadArgs: string[] = [],
): Promise<number> {
  const outFile = path.join(dir, `callgrind.${path.basename(server)}.${Date.now()}.out`);
  const { child, address } = await startServer(
    [
      'valgrind',
      '--tool=callgrind',
      `--callgrind-out-file=${outFile}`,
      server,
      '-addr',
      '127.0.0.1:0',
    ],
    { GODEBUG: 'asyncpreemptoff=1' },
  );
  let dump: string;
  try {
    load(loadBin, address, 50, loadArgs);
    control(['-z', String(child.pid)]);
    load(loadBin, address, requests, loadArgs);
    control(['-d', String(child.pid)]);
    dump = await dumpFile(outFile); // before the kill: the dump is written asynchronously
  } finally {
    child.removeAllListeners('exit');
    child.kill('SIGKILL');
  }
  const m = /^totals: (\d+)/m.exec(fs.readFileSync(dump, 'utf8'));
  if (m === null) throw new Error(`no totals in ${dump}`);
  return Number(m[1]) / requests;
}

/** The dump callgrind_control -d asked for: `<out>.<n>`, written asynchronously by the tool. */
async function dumpFile(outFile: string): Promise<string> {
  const dir = path.dirname(outFile);
  for (let waited = 0; waited < 20_000; waited += 200) {
    const dumps = fs.readdirSync(dir).filter((f) => f.startsWith(`${path.basename(outFile)}.`));
    const last = dumps
      .sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()))
      .pop();
    if (last !== undefined && /^totals: /m.test(fs.readFileSync(path.join(dir, last), 'utf8')))
      return path.join(dir, last);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`callgrind wrote no dump for ${outFile}`);
}

function control(args: string[]): void {
  const r = spawnSync('callgrind_control', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`callgrind_control ${args.join(' ')}: ${r.stderr}`);
}

/** Server CPU time (µs) spent on `requests` requests, natively. */
async function cpuMicros(server: string, loadBin: string, requests: number): Promise<number> {
  const { child, address } = await startServer([server, '-addr', '127.0.0.1:0']);
  const ticks = (): number => {
    const fields =
      fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks
  };
  load(loadBin, address, 200); // warm up
  const before = ticks();
  load(loadBin, address, requests);
  const after = ticks();
  await stop(child);
  const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return ((after - before) / hz) * 1e6;
}

/** Runs the benchmark: `runs` interleaved repetitions of each measure. */
export async function measurePgoGain(runs: number): Promise<PgoGain> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-pgo-gain-'));
  const bins = buildVariants(dir);
  const instr = { pgo: [] as number[], nopgo: [] as number[] };
  const cpu = { pgo: [] as number[], nopgo: [] as number[] };
  const nativeRequests = 5000;
  for (let i = 0; i < runs; i++) {
    for (const variant of ['nopgo', 'pgo'] as const) {
      const server = bins[variant];
      // Instruction counts barely vary between runs; three are plenty and valgrind is slow.
      if (i < 3) instr[variant].push(await callgrindInstructions(server, bins.load, 300, dir));
      cpu[variant].push((await cpuMicros(server, bins.load, nativeRequests)) / nativeRequests);
    }
    process.stderr.write(
      `pgo-gain run ${i + 1}/${runs}: instructions/request nopgo ${instr.nopgo.at(-1)?.toFixed(0)} pgo ${instr.pgo.at(-1)?.toFixed(0)}; cpu µs/request nopgo ${cpu.nopgo.at(-1)?.toFixed(1)} pgo ${cpu.pgo.at(-1)?.toFixed(1)}\n`,
    );
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const profile = path.join(REPO, 'examples/cmd/mdserver/default.pgo');
  const render = { nopgo: renderBenchmark(runs, 'off'), pgo: renderBenchmark(runs, profile) };
  process.stderr.write(
    `render ns/op nopgo ${render.nopgo.join(' ')}; pgo ${render.pgo.join(' ')}\n`,
  );
  return {
    renderNsPerOp: render,
    renderGainPercent: (1 - median(render.pgo) / median(render.nopgo)) * 100,
    instructionsPerRequest: instr,
    cpuMicrosPerRequest: cpu,
    instructionGainPercent: (1 - median(instr.pgo) / median(instr.nopgo)) * 100,
    cpuTimeGainPercent: (1 - median(cpu.pgo) / median(cpu.nopgo)) * 100,
  };
}

/** The blog's own figures (https://go.dev/blog/pgo, "Evaluation" and "Under the hood"). */
export const BLOG_FIGURES = {
  benchstat: 'Load-12   374.5µ ± 1%   360.2µ ± 0%  -3.83% (p=0.000 n=40)',
  fasterPercent: 3.8,
  cpuLessPercent: 3,
  words:
    '"The new version is around 3.8% faster!" (benchstat of 40 runs of its load benchmark each way) and, over 300k requests, "CPU time dropped from ~118s to ~115s, or about 3%."',
} as const;

/** One set of documents the mdrender measures send (load-driver flags). */
interface DocumentSet {
  readonly name: string;
  readonly description: string;
  readonly loadArgs: string[];
  /** Requests counted per callgrind run (after a 50-request warm-up). */
  readonly callgrindRequests: number;
}

/**
 * The blog POSTs the Go repository's README.md; the SDK ships that file (the Go 1.26 one, not
 * the blog's 2023 copy). The generated set is the load driver's default: 300 engineering
 * documents from examples/lib/corpus (6.4 KiB on average, links, tables, code).
 */
function documentSets(): DocumentSet[] {
  const goroot = spawnSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).stdout.trim();
  return [
    {
      name: 'go-readme',
      description: `the Go repository's README.md ($GOROOT/README.md, ${fs.statSync(path.join(goroot, 'README.md')).size} bytes), as the blog sends`,
      loadArgs: ['-file', path.join(goroot, 'README.md')],
      callgrindRequests: 1000,
    },
    {
      name: 'corpus',
      description: "the load driver's 300 generated documents (examples/lib/corpus, seed 1)",
      loadArgs: [],
      callgrindRequests: 300,
    },
  ];
}

/** Parses a Go time.Duration string as printed by the load driver (e.g. 296.4µs, 1.2ms) to ns. */
function goDurationNs(text: string): number {
  const m = /^([\d.]+)(ns|µs|us|ms|s)$/.exec(text);
  if (m === null) throw new Error(`not a Go duration: ${text}`);
  const scale: Record<string, number> = { ns: 1, µs: 1e3, us: 1e3, ms: 1e6, s: 1e9 };
  return Number(m[1]) * (scale[m[2] as string] as number);
}

/** CPU time (ns) of every thread of a process, from /proc/<pid>/task/<tid>/schedstat. */
function processCpuNs(pid: number): number {
  let total = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that exited meanwhile
    }
  }
  return total;
}

/**
 * One native load run, the blog's way: a fresh server, a warm-up, then `requests` sequential
 * requests; returns the driver's mean latency per request and the server's CPU time per request
 * (all threads, nanosecond schedstat clock, so GC workers count too).
 */
async function loadRun(
  server: string,
  loadBin: string,
  requests: number,
  loadArgs: string[],
): Promise<{ latencyNs: number; serverCpuNs: number }> {
  const { child, address } = await startServer([server, '-addr', '127.0.0.1:0']);
  try {
    load(loadBin, address, 500, loadArgs); // warm-up
    const pid = child.pid as number;
    const before = processCpuNs(pid);
    const report = load(loadBin, address, requests, loadArgs);
    const after = processCpuNs(pid);
    const mean = /mean=(\S+)/.exec(report);
    if (mean === null) throw new Error(`no mean latency in the load report:\n${report}`);
    if (!new RegExp(`requests: ${requests} \\(0 errors\\)`).test(report))
      throw new Error(`load run had errors:\n${report}`);
    return { latencyNs: goDurationNs(mean[1] as string), serverCpuNs: (after - before) / requests };
  } finally {
    await stop(child);
  }
}

/** benchstat, built by scripts/fetch-tools.sh at a pinned golang.org/x/perf version. */
export const BENCHSTAT = path.join(REPO, '.cache', 'tools', 'benchstat', 'benchstat');

/** The row benchstat prints for one unit: the two centres and the delta with its p-value. */
export interface BenchstatRow {
  readonly unit: string;
  readonly line: string;
  readonly deltaPercent: number | undefined;
  readonly p: number | undefined;
  readonly n: string | undefined;
}

function benchstatRows(output: string): BenchstatRow[] {
  const rows: BenchstatRow[] = [];
  let unit = '';
  for (const line of output.split('\n')) {
    const u = /│\s+(\S+)\s+│\s+\S+\s+vs base/.exec(line);
    if (u !== null) unit = u[1] as string;
    const m = /^Load\s.*?(?:([+-][\d.]+)%|~)\s+\(p=([\d.]+) n=(\S+)\)/.exec(line);
    if (m !== null)
      rows.push({
        unit,
        line: line.trim(),
        deltaPercent: m[1] === undefined ? undefined : Number(m[1]),
        p: Number(m[2]),
        n: m[3],
      });
  }
  return rows;
}

/** 1-minute load averages seen during the measurement. */
function loadAverage(samples: number[]): { min: number; median: number; max: number } {
  return { min: Math.min(...samples), median: median(samples), max: Math.max(...samples) };
}

/** Result of the mdrender (the Go PGO blog's service) PGO gain benchmark. */
export interface BlogPgoGain {
  readonly target: string;
  readonly blog: typeof BLOG_FIGURES;
  readonly documents: Record<string, string>;
  readonly callgrind: {
    readonly requests: Record<string, number>;
    readonly instructionsPerRequest: Record<string, { pgo: number[]; nopgo: number[] }>;
    readonly instructionGainPercent: Record<string, number>;
  };
  readonly load: {
    readonly documents: string;
    readonly runs: number;
    readonly requestsPerRun: number;
    readonly latencyNsPerRequest: { pgo: number[]; nopgo: number[] };
    readonly serverCpuNsPerRequest: { pgo: number[]; nopgo: number[] };
    readonly latencyGainPercent: number;
    readonly serverCpuGainPercent: number;
    readonly benchmarkLines: string[];
    readonly benchstatCommand: string;
    readonly benchstat: string;
    readonly benchstatRows: BenchstatRow[];
  };
  readonly loadAverage1m: { min: number; median: number; max: number };
}

/**
 * The PGO gain of examples/cmd/mdrender (the Go PGO blog's service, the blog's own profile as
 * default.pgo), both binaries built by pgobuild, measured two ways:
 * - as measurePgoGain does for mdserver: callgrind instructions per /render request (300
 *   requests of the Go README, 300 of the corpus, after a 50-request warm-up, one client, GODEBUG=asyncpreemptoff=1), for the Go
 *   README and for the generated corpus, `callgrindRuns` interleaved runs, medians;
 * - the blog's way: `loadRuns` interleaved native load runs each (ABBA order), each run one
 *   BenchmarkLoad/pgo=off|on line in Go benchmark format (ns/op = the driver's mean latency per
 *   request, server-cpu-ns/op = the server's CPU time per request), compared by benchstat.
 */
export async function measureBlogPgoGain(
  callgrindRuns: number,
  loadRuns: number,
  rawOut?: string,
): Promise<BlogPgoGain> {
  if (!fs.existsSync(BENCHSTAT))
    throw new Error(`${BENCHSTAT} is missing: run scripts/fetch-tools.sh`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-pgo-gain-mdrender-'));
  const bins = buildVariants(dir, 'mdrender');
  const sets = documentSets();
  const loads: number[] = [os.loadavg()[0] as number];
  const instr: Record<string, { pgo: number[]; nopgo: number[] }> = {};
  for (const s of sets) instr[s.name] = { pgo: [], nopgo: [] };
  for (let i = 0; i < callgrindRuns; i++) {
    for (const s of sets) {
      const r = instr[s.name] as { pgo: number[]; nopgo: number[] };
      for (const variant of i % 2 === 0 ? (['nopgo', 'pgo'] as const) : (['pgo', 'nopgo'] as const))
        r[variant].push(
          await callgrindInstructions(
            bins[variant],
            bins.load,
            s.callgrindRequests,
            dir,
            s.loadArgs,
          ),
        );
      process.stderr.write(
        `pgo-gain mdrender callgrind ${s.name} run ${i + 1}/${callgrindRuns}: instructions/request nopgo ${r.nopgo.at(-1)?.toFixed(0)} pgo ${r.pgo.at(-1)?.toFixed(0)}\n`,
      );
    }
    loads.push(os.loadavg()[0] as number);
  }
  const blogSet = sets[0] as DocumentSet;
  const loadRequests = 3000;
  const latency = { pgo: [] as number[], nopgo: [] as number[] };
  const cpu = { pgo: [] as number[], nopgo: [] as number[] };
  const lines: string[] = [];
  for (let i = 0; i < loadRuns; i++) {
    for (const variant of i % 2 === 0 ? (['nopgo', 'pgo'] as const) : (['pgo', 'nopgo'] as const)) {
      const r = await loadRun(bins[variant], bins.load, loadRequests, blogSet.loadArgs);
      latency[variant].push(r.latencyNs);
      cpu[variant].push(r.serverCpuNs);
      lines.push(
        `BenchmarkLoad/pgo=${variant === 'pgo' ? 'on' : 'off'} ${loadRequests} ${r.latencyNs.toFixed(0)} ns/op ${r.serverCpuNs.toFixed(0)} server-cpu-ns/op`,
      );
    }
    loads.push(os.loadavg()[0] as number);
    process.stderr.write(
      `pgo-gain mdrender load run ${i + 1}/${loadRuns}: ns/request nopgo ${latency.nopgo.at(-1)?.toFixed(0)} pgo ${latency.pgo.at(-1)?.toFixed(0)}; server CPU ns/request nopgo ${cpu.nopgo.at(-1)?.toFixed(0)} pgo ${cpu.pgo.at(-1)?.toFixed(0)}; load average ${loads.at(-1)?.toFixed(2)}\n`,
    );
  }
  const cpuModel = os.cpus()[0]?.model ?? 'unknown';
  const text = `goos: linux\ngoarch: ${os.arch() === 'x64' ? 'amd64' : os.arch()}\npkg: example.com/examples/cmd/mdrender-load\ncpu: ${cpuModel}\n${lines.join('\n')}\n`;
  const benchFile = rawOut ?? path.join(dir, 'load.txt');
  fs.writeFileSync(benchFile, text);
  const args = ['-col', '/pgo@(off on)', benchFile];
  const bs = spawnSync(BENCHSTAT, args, { encoding: 'utf8' });
  if (bs.status !== 0) throw new Error(`benchstat failed: ${bs.stderr}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const gain = (x: { pgo: number[]; nopgo: number[] }): number =>
    (1 - median(x.pgo) / median(x.nopgo)) * 100;
  const gains: Record<string, number> = {};
  for (const s of sets) gains[s.name] = gain(instr[s.name] as { pgo: number[]; nopgo: number[] });
  return {
    target: '//examples/cmd/mdrender',
    blog: BLOG_FIGURES,
    documents: Object.fromEntries(sets.map((s) => [s.name, s.description])),
    callgrind: {
      requests: Object.fromEntries(sets.map((s) => [s.name, s.callgrindRequests])),
      instructionsPerRequest: instr,
      instructionGainPercent: gains,
    },
    load: {
      documents: blogSet.name,
      runs: loadRuns,
      requestsPerRun: loadRequests,
      latencyNsPerRequest: latency,
      serverCpuNsPerRequest: cpu,
      latencyGainPercent: gain(latency),
      serverCpuGainPercent: gain(cpu),
      benchmarkLines: lines,
      benchstatCommand: `benchstat -col '/pgo@(off on)' ${rawOut === undefined ? 'load.txt' : path.relative(REPO, rawOut)}`,
      benchstat: bs.stdout,
      benchstatRows: benchstatRows(bs.stdout),
    },
    loadAverage1m: loadAverage(loads),
  };
}
