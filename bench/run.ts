/**
 * `npm run bench`: measures pgobuild side by side with `go build` on the same packages and the
 * same profiles, median of several runs, and writes `bench/results/<name>.json` plus the table in
 * `bench/README.md`. Timings are wall-clock on a shared machine: only ratios measured in the same
 * run (interleaved) are meaningful.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type PgoGain, measurePgoGain } from './pgo-gain';

const REPO = path.resolve(__dirname, '..', '..');
const CLI = path.join(REPO, 'bin', 'pgobuild.js');
const RESULTS = path.join(REPO, 'bench', 'results');
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);

/** One benchmark: ours and go's timings (ms) and their medians. */
interface Measurement {
  readonly name: string;
  readonly description: string;
  readonly oursMs: number[];
  readonly goMs: number[];
  readonly oursMedianMs: number;
  readonly goMedianMs: number;
  readonly ratio: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1
    ? (s[mid] as number)
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function timed(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): void {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}\n${r.stdout.slice(-2000)}`,
    );
}

function goEnv(gocache: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    GOCACHE: gocache,
    GOFLAGS: '-buildvcs=false',
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
  };
}

/** The go_binary and go_library targets under a pattern (what `go build ./...` builds). */
function buildablePatterns(cwd: string, pattern: string, cache: string): string[] {
  const out = execFileSync(
    process.execPath,
    [CLI, 'query', `kind('go_(binary|library)', ${pattern})`, `--disk_cache=${cache}`],
    { cwd, encoding: 'utf8' },
  );
  return out.split('\n').filter((l) => l.startsWith('//'));
}

function measureExamples(): Measurement[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-bench-'));
  const ws = path.join(tmp, 'ws');
  fs.mkdirSync(ws);
  fs.copyFileSync(path.join(REPO, 'WORKSPACE'), path.join(ws, 'WORKSPACE'));
  fs.cpSync(path.join(REPO, 'examples'), path.join(ws, 'examples'), {
    recursive: true,
    filter: (s) => !s.includes('pgobuild-out'),
  });
  const moduleDir = path.join(ws, 'examples');
  const patterns = buildablePatterns(ws, '//examples/...', path.join(tmp, 'query-cache'));
  const ours = (cache: string): void =>
    run(
      process.execPath,
      [CLI, 'build', ...patterns, `--disk_cache=${cache}`, '--output=json'],
      ws,
      process.env,
    );
  const theirs = (gocache: string): void =>
    run(
      'go',
      ['build', '-trimpath', '-o', path.join(tmp, 'go-bin') + '/', './...'],
      moduleDir,
      goEnv(gocache),
    );
  const cold = { ours: [] as number[], go: [] as number[] };
  const nul = { ours: [] as number[], go: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    // Cold: empty caches on both sides, interleaved so load changes hit both alike.
    const ourCache = path.join(tmp, `ours-${i}`);
    const goCache = path.join(tmp, `go-${i}`);
    fs.rmSync(path.join(ws, 'pgobuild-out'), { recursive: true, force: true });
    cold.ours.push(timed(() => ours(ourCache)));
    cold.go.push(timed(() => theirs(goCache)));
    nul.ours.push(timed(() => ours(ourCache)));
    nul.go.push(timed(() => theirs(goCache)));
    fs.rmSync(ourCache, { recursive: true, force: true });
    fs.rmSync(goCache, { recursive: true, force: true });
    process.stderr.write(
      `examples run ${i + 1}/${RUNS}: cold ${cold.ours.at(-1)?.toFixed(0)} vs ${cold.go.at(-1)?.toFixed(0)} ms, null ${nul.ours.at(-1)?.toFixed(0)} vs ${nul.go.at(-1)?.toFixed(0)} ms\n`,
    );
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const m = (
    name: string,
    description: string,
    t: { ours: number[]; go: number[] },
  ): Measurement => ({
    name,
    description,
    oursMs: t.ours,
    goMs: t.go,
    oursMedianMs: median(t.ours),
    goMedianMs: median(t.go),
    ratio: median(t.ours) / median(t.go),
  });
  return [
    m(
      'examples-cold',
      `cold build of //examples/... (${patterns.length} go_binary/go_library targets, PGO where default.pgo exists) vs go build -trimpath -o DIR/ ./..., empty caches`,
      cold,
    ),
    m(
      'examples-null',
      'null build of the same (everything cached) vs go build with a warm GOCACHE',
      nul,
    ),
  ];
}

function machine(): Record<string, string | number> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    go: execFileSync('go', ['version'], { encoding: 'utf8' }).trim(),
  };
}

function writeResults(measurements: readonly Measurement[]): void {
  fs.mkdirSync(RESULTS, { recursive: true });
  const info = machine();
  for (const m of measurements) {
    fs.writeFileSync(
      path.join(RESULTS, `${m.name}.json`),
      `${JSON.stringify({ ...m, runs: RUNS, machine: info, date: new Date().toISOString() }, null, 2)}\n`,
    );
  }
  const all = fs
    .readdirSync(RESULTS)
    .filter((f) => f.endsWith('.json') && f !== 'pgo-gain.json')
    .sort()
    .map(
      (f) =>
        JSON.parse(fs.readFileSync(path.join(RESULTS, f), 'utf8')) as Measurement & {
          runs: number;
          date: string;
          machine: Record<string, string>;
        },
    );
  const rows = all.map(
    (r) =>
      `| ${r.name} | ${r.oursMedianMs.toFixed(0)} | ${r.goMedianMs.toFixed(0)} | ${r.ratio.toFixed(2)}× | ${r.runs} | ${r.description} |`,
  );
  const text = `# Benchmarks

Generated by \`npm run bench\` (do not edit by hand). Each figure is the median of the runs, ours
and \`go build\` measured side by side in the same run; ratio = ours / go build (lower is better).

Machine: ${info['cpus']} × ${info['cpuModel']}, ${info['memoryGiB']} GiB, ${info['os']}; ${info['node']}; ${info['go']}.

| benchmark | ours (ms) | go build (ms) | ratio | runs | what |
|---|---|---|---|---|---|
${rows.join('\n')}
${pgoGainSection()}`;
  fs.writeFileSync(path.join(REPO, 'bench', 'README.md'), text);
}

function pgoGainSection(): string {
  const file = path.join(RESULTS, 'pgo-gain.json');
  if (!fs.existsSync(file)) return '';
  const r = JSON.parse(fs.readFileSync(file, 'utf8')) as PgoGain & { runs: number };
  const med = (xs: number[]): string => median(xs).toFixed(0);
  const medUs = (xs: number[]): string => median(xs).toFixed(1);
  return `
## PGO gain: examples/cmd/mdserver (Markdown → HTML over HTTP)

Both binaries built by pgobuild from the same sources, with and without the service's committed
\`default.pgo\`; ${r.runs} interleaved runs, medians.

| measure | no PGO | PGO | gain |
|---|---|---|---|
| instructions per request (callgrind, one client) | ${med(r.instructionsPerRequest.nopgo)} | ${med(r.instructionsPerRequest.pgo)} | ${r.instructionGainPercent.toFixed(1)}% |
| server CPU time per request (native, µs) | ${medUs(r.cpuMicrosPerRequest.nopgo)} | ${medUs(r.cpuMicrosPerRequest.pgo)} | ${r.cpuTimeGainPercent.toFixed(1)}% |

The Go team reports 2–7% CPU savings from PGO on typical programs.
`;
}

async function main(): Promise<void> {
  const only = process.argv[2];
  const measurements: Measurement[] = [];
  if (only === undefined || only === 'examples') measurements.push(...measureExamples());
  if (only === undefined || only === 'pgo-gain') {
    const gain = await measurePgoGain(RUNS);
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.writeFileSync(
      path.join(RESULTS, 'pgo-gain.json'),
      `${JSON.stringify({ ...gain, runs: RUNS, machine: machine(), date: new Date().toISOString() }, null, 2)}\n`,
    );
    process.stdout.write(
      `pgo-gain: ${gain.instructionGainPercent.toFixed(1)}% fewer instructions per request, ${gain.cpuTimeGainPercent.toFixed(1)}% less CPU time\n`,
    );
  }
  writeResults(measurements);
  for (const m of measurements)
    process.stdout.write(
      `${m.name}: ours ${m.oursMedianMs.toFixed(0)} ms, go ${m.goMedianMs.toFixed(0)} ms, ratio ${m.ratio.toFixed(2)}\n`,
    );
}

main().catch((e: unknown) => {
  process.stderr.write(
    `bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exitCode = 1;
});
