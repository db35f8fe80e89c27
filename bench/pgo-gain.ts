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

/** Builds mdserver and its load driver with pgobuild; returns copies of the two server variants. */
function buildVariants(dir: string): { pgo: string; nopgo: string; load: string } {
  const build = (extra: string[]): void => {
    const r = spawnSync(
      process.execPath,
      [CLI, 'build', '//examples/cmd/mdserver', '//examples/cmd/mdserver-load', ...extra],
      { cwd: REPO, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(r.stderr);
  };
  const out = path.join(REPO, 'pgobuild-out/bin/examples/cmd');
  build(['--pgo=off']);
  fs.copyFileSync(path.join(out, 'mdserver/mdserver'), path.join(dir, 'mdserver-nopgo'));
  build([]);
  fs.copyFileSync(path.join(out, 'mdserver/mdserver'), path.join(dir, 'mdserver-pgo'));
  fs.copyFileSync(path.join(out, 'mdserver-load/mdserver-load'), path.join(dir, 'mdserver-load'));
  for (const f of ['mdserver-nopgo', 'mdserver-pgo', 'mdserver-load'])
    fs.chmodSync(path.join(dir, f), 0o755);
  return {
    pgo: path.join(dir, 'mdserver-pgo'),
    nopgo: path.join(dir, 'mdserver-nopgo'),
    load: path.join(dir, 'mdserver-load'),
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

function load(loadBin: string, address: string, requests: number): void {
  const r = spawnSync(
    loadBin,
    ['-addr', address, '-requests', String(requests), '-duration', '0', '-concurrency', '1'],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`load driver failed: ${r.stderr}`);
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
    load(loadBin, address, 50);
    control(['-z', String(child.pid)]);
    load(loadBin, address, requests);
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
