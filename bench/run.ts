/**
 * `npm run bench [section…]`: measures pgobuild side by side with `go build` on the same packages
 * and the same profiles, median of BENCH_RUNS (default 5) interleaved runs, and writes
 * `bench/results/<name>.json` plus the table in `bench/README.md`. Sections: examples, scale,
 * profiles, hashing, pgo-gain (default: all; pgo-gain measures mdserver and mdrender, the Go PGO
 * blog's service, and pgo-gain:mdserver / pgo-gain:mdrender one of them). BENCH_SCALES overrides
 * the synthetic sizes (default "1000,5000"); BENCH_LOAD_RUNS the number of native load runs per
 * variant of mdrender's benchstat comparison (default 20; needs scripts/fetch-tools.sh).
 * Section remote (remote:examples, remote:1000 for one workspace) measures a cold build uploading
 * to a real bazel-remote vs a fresh copy against the warm remote, over BENCH_REMOTE_PROTOCOLS
 * (default "grpc,http"), BENCH_REMOTE_COLD_RUNS (default 1) and BENCH_REMOTE_FRESH_RUNS (default 3).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, type Measurement, REPO, goBuild, measurement, median, ours, sleepMs } from './common';
import { BINARIES, generate, packageDir } from './generate';
import { measureHashing } from './hashing';
import { type BlogPgoGain, type PgoGain, measureBlogPgoGain, measurePgoGain } from './pgo-gain';
import { measurePreprocessing } from './profiles';
import { type RemoteScenario, measureRemote, remoteSection } from './remote';

const RESULTS = path.join(REPO, 'bench', 'results');
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const SCALES = (process.env['BENCH_SCALES'] ?? '1000,5000').split(',').map(Number);
/** Native load runs per variant of the blog's benchmark (benchstat wants 10 or more). */
const LOAD_RUNS = Number(process.env['BENCH_LOAD_RUNS'] ?? 20);

function log(text: string): void {
  process.stderr.write(`${text}\n`);
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

/** Appends a new exported function to a Go file (changes its export data, so dependents rebuild). */
function edit(file: string, tag: string): void {
  fs.appendFileSync(
    file,
    `\n// BenchEdit${tag} exists to invalidate this package.\nfunc BenchEdit${tag}() int { return ${tag.length} }\n`,
  );
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
  const t = {
    cold: [[], [], []],
    nul: [[], [], []],
    rep: [[], [], []],
    leaf: [[], [], []],
    wide: [[], [], []],
  } as Record<string, [number[], number[], number[]]>;
  const record = (k: string, o: { ms: number; rssKiB: number }, g: { ms: number }): void => {
    const row = t[k] as [number[], number[], number[]];
    row[0].push(o.ms);
    row[1].push(g.ms);
    row[2].push(o.rssKiB);
  };
  const leafFile = path.join(moduleDir, 'lib/logrec/record.go');
  const wideFile = path.join(moduleDir, 'lib/htmlutil/escape.go');
  const originals = new Map([leafFile, wideFile].map((f) => [f, fs.readFileSync(f)]));
  for (let i = 0; i < RUNS; i++) {
    const ourCache = path.join(tmp, `ours-${i}`);
    const goCache = path.join(tmp, `go-${i}`);
    const goOut = path.join(tmp, `go-bin-${i}`);
    fs.rmSync(path.join(ws, 'pgobuild-out'), { recursive: true, force: true });
    record('cold', ours(ws, patterns, ourCache), goBuild(moduleDir, goOut, goCache));
    record('nul', ours(ws, patterns, ourCache), goBuild(moduleDir, goOut, goCache));
    // The repeated null build: once the outputs are older than the racy window, a null build
    // records its inputs and the next one is answered by the up-to-date check.
    sleepMs(2500);
    ours(ws, patterns, ourCache);
    const replay = ours(ws, patterns, ourCache);
    if (!replay.replayed) throw new Error('the repeated null build was not replayed');
    record('rep', replay, goBuild(moduleDir, goOut, goCache));
    edit(leafFile, `L${i}`);
    record('leaf', ours(ws, patterns, ourCache), goBuild(moduleDir, goOut, goCache));
    edit(wideFile, `W${i}`);
    record('wide', ours(ws, patterns, ourCache), goBuild(moduleDir, goOut, goCache));
    for (const [f, bytes] of originals) fs.writeFileSync(f, bytes);
    for (const d of [ourCache, goCache, goOut]) fs.rmSync(d, { recursive: true, force: true });
    log(
      `examples ${i + 1}/${RUNS}: cold ${t['cold']?.[0].at(-1)?.toFixed(0)}/${t['cold']?.[1].at(-1)?.toFixed(0)} null ${t['nul']?.[0].at(-1)?.toFixed(0)}/${t['nul']?.[1].at(-1)?.toFixed(0)} repeat ${t['rep']?.[0].at(-1)?.toFixed(0)}/${t['rep']?.[1].at(-1)?.toFixed(0)} leaf ${t['leaf']?.[0].at(-1)?.toFixed(0)}/${t['leaf']?.[1].at(-1)?.toFixed(0)} wide ${t['wide']?.[0].at(-1)?.toFixed(0)}/${t['wide']?.[1].at(-1)?.toFixed(0)} ms (ours/go)`,
    );
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const m = (name: string, description: string, k: string): Measurement => {
    const row = t[k] as [number[], number[], number[]];
    return measurement(name, description, row[0], row[1], row[2]);
  };
  const what = `//examples/... (${patterns.length} go_binary/go_library targets; the three services with their default.pgo) vs go build -trimpath -o DIR/ ./... in examples/`;
  return [
    m('examples-cold', `cold build of ${what}, empty caches on both sides`, 'cold'),
    m(
      'examples-null',
      `null build of ${what}, everything cached, right after the cold build (full analysis)`,
      'nul',
    ),
    m(
      'examples-null-repeat',
      `repeated null build of ${what}: answered by the up-to-date check`,
      'rep',
    ),
    m(
      'examples-incremental-leaf',
      `rebuild after adding a function to lib/logrec (imported by one binary)`,
      'leaf',
    ),
    m(
      'examples-incremental-wide',
      `rebuild after adding a function to lib/htmlutil (imported by markdown, search and through them 4 binaries)`,
      'wide',
    ),
  ];
}

/** Copies WORKSPACE and examples/ into ws, as the examples benchmarks do. */
function copyExamples(ws: string): void {
  fs.mkdirSync(ws, { recursive: true });
  fs.copyFileSync(path.join(REPO, 'WORKSPACE'), path.join(ws, 'WORKSPACE'));
  fs.cpSync(path.join(REPO, 'examples'), path.join(ws, 'examples'), {
    recursive: true,
    filter: (s) => !s.includes('pgobuild-out'),
  });
}

const SCALE_PROFILES = [
  'p2pool-observer-api.cpu.pprof',
  'p2pool-observer-daemon.cpu.pprof',
  'masterdnsvpn-server.cpu.pprof',
].map((f) => path.join(REPO, 'test', 'fixtures', 'profiles', f));

/** The remote cache figures for the examples and/or the 1k workspace, merged into remote.json. */
async function measureRemoteSection(which: readonly string[]): Promise<void> {
  const cold = Number(process.env['BENCH_REMOTE_COLD_RUNS'] ?? 1);
  const fresh = Number(process.env['BENCH_REMOTE_FRESH_RUNS'] ?? 3);
  const protocols = (process.env['BENCH_REMOTE_PROTOCOLS'] ?? 'grpc,http').split(',') as (
    'grpc' | 'http'
  )[];
  const file = path.join(RESULTS, 'remote.json');
  const saveScenarios = (added: RemoteScenario[]): void => {
    const old = readResult<{ scenarios: RemoteScenario[] }>('remote')?.scenarios ?? [];
    const key = (s: RemoteScenario): string => `${s.workspace} ${s.protocol}`;
    const keys = new Set(added.map(key));
    save('remote', {
      runs: fresh,
      scenarios: [...old.filter((s) => !keys.has(key(s))), ...added],
    });
    log(`wrote ${file}`);
  };
  if (which.includes('examples')) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-bench-'));
    copyExamples(path.join(tmp, 'ws'));
    const patterns = buildablePatterns(
      path.join(tmp, 'ws'),
      '//examples/...',
      path.join(tmp, 'query-cache'),
    );
    const profiles = (
      fs.readdirSync(path.join(tmp, 'ws', 'examples'), { recursive: true }) as string[]
    ).filter((f) => path.basename(f) === 'default.pgo').length;
    fs.rmSync(tmp, { recursive: true, force: true });
    saveScenarios(
      await measureRemote(
        'examples',
        `the ${patterns.length} go_binary/go_library targets of //examples/... (the ${profiles} services with their default.pgo), as in examples-cold`,
        copyExamples,
        patterns,
        cold,
        fresh,
        protocols,
        log,
      ),
    );
  }
  for (const n of SCALES.filter((n) => which.includes(String(n)))) {
    const src = fs.mkdtempSync(path.join(os.tmpdir(), `pgobuild-bench-remote-synth-${n}-`));
    generate(src, n, SCALE_PROFILES);
    saveScenarios(
      await measureRemote(
        `scale-${n}`,
        `//... of the synthetic ${n}-package workspace (${BINARIES.length} binaries with profiles), written once by bench/generate.ts and copied`,
        (dir) => fs.cpSync(src, dir, { recursive: true }),
        ['//...'],
        cold,
        fresh,
        protocols,
        log,
      ),
    );
    fs.rmSync(src, { recursive: true, force: true });
  }
}

function measureScale(n: number): Measurement[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `pgobuild-bench-${n}-`));
  const ws = path.join(tmp, 'ws');
  const corpus = path.join(REPO, 'test', 'fixtures', 'profiles');
  generate(
    ws,
    n,
    [
      'p2pool-observer-api.cpu.pprof',
      'p2pool-observer-daemon.cpu.pprof',
      'masterdnsvpn-server.cpu.pprof',
    ].map((f) => path.join(corpus, f)),
  );
  const ourCache = path.join(tmp, 'ours');
  const goCache = path.join(tmp, 'go');
  // Without -o: with it cmd/go would build only the binaries' graphs (a tenth of the packages),
  // while //... builds every library too.
  const goOut = undefined;
  log(`scale ${n}: warming both caches (one cold build each, not measured)`);
  const coldOurs = ours(ws, ['//...'], ourCache);
  const coldGo = goBuild(ws, goOut, goCache);
  log(
    `scale ${n}: cold ${coldOurs.ms.toFixed(0)} ms (ours, peak ${coldOurs.rssKiB} KiB) vs ${coldGo.ms.toFixed(0)} ms (go)`,
  );
  const nul: [number[], number[], number[]] = [[], [], []];
  const rep: [number[], number[], number[]] = [[], [], []];
  const leaf: [number[], number[], number[]] = [[], [], []];
  for (let i = 0; i < RUNS; i++) {
    const o = ours(ws, ['//...'], ourCache);
    const g = goBuild(ws, goOut, goCache);
    nul[0].push(o.ms);
    nul[1].push(g.ms);
    nul[2].push(o.rssKiB);
    sleepMs(2500); // out of the racy window: this null build records, the next one replays
    ours(ws, ['//...'], ourCache);
    const r = ours(ws, ['//...'], ourCache);
    if (!r.replayed) throw new Error(`scale ${n}: the repeated null build was not replayed`);
    const gr = goBuild(ws, goOut, goCache);
    rep[0].push(r.ms);
    rep[1].push(gr.ms);
    rep[2].push(r.rssKiB);
    // A package imported by one binary only: edit the last package's source.
    edit(path.join(ws, packageDir(n - 1), `p${String(n - 1).padStart(5, '0')}.go`), `S${i}`);
    const ol = ours(ws, ['//...'], ourCache);
    const gl = goBuild(ws, goOut, goCache);
    leaf[0].push(ol.ms);
    leaf[1].push(gl.ms);
    leaf[2].push(ol.rssKiB);
    log(
      `scale ${n} run ${i + 1}/${RUNS}: null ${o.ms.toFixed(0)}/${g.ms.toFixed(0)} repeat ${r.ms.toFixed(0)}/${gr.ms.toFixed(0)} leaf ${ol.ms.toFixed(0)}/${gl.ms.toFixed(0)} ms (ours/go), peak RSS ${o.rssKiB} KiB`,
    );
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  return [
    measurement(
      `scale-${n}-null`,
      `null build of a synthetic ${n}-package workspace (${BINARIES.length} binaries with profiles) vs go build -trimpath ./... (every package compiled, mains linked)`,
      nul[0],
      nul[1],
      nul[2],
    ),
    measurement(
      `scale-${n}-null-repeat`,
      `repeated null build of the ${n}-package workspace: answered by the up-to-date check`,
      rep[0],
      rep[1],
      rep[2],
    ),
    measurement(
      `scale-${n}-incremental-leaf`,
      `rebuild of the ${n}-package workspace after editing a top-layer package`,
      leaf[0],
      leaf[1],
      leaf[2],
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

function save(name: string, value: object): void {
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(
    path.join(RESULTS, `${name}.json`),
    `${JSON.stringify({ runs: RUNS, ...value, machine: machine(), date: new Date().toISOString() }, null, 2)}\n`,
  );
}

function readResult<T>(
  name: string,
): (T & { runs: number; machine: Record<string, string> }) | undefined {
  const file = path.join(RESULTS, `${name}.json`);
  return fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as T & {
        runs: number;
        machine: Record<string, string>;
      })
    : undefined;
}

/** Regenerates bench/README.md from every result file. */
function writeReadme(): void {
  const files = fs.existsSync(RESULTS)
    ? fs
        .readdirSync(RESULTS)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
  const side = files
    .map(
      (f) =>
        JSON.parse(fs.readFileSync(path.join(RESULTS, f), 'utf8')) as Measurement & {
          runs: number;
        },
    )
    .filter((r) => r.ratio !== undefined);
  const rss = (r: Measurement): string =>
    r.oursPeakRssKiB === undefined ? '' : `${(median(r.oursPeakRssKiB) / 1024).toFixed(0)} MiB`;
  const rows = side.map(
    (r) =>
      `| ${r.name} | ${r.oursMedianMs.toFixed(0)} | ${r.goMedianMs.toFixed(0)} | ${r.ratio.toFixed(2)}× | ${rss(r)} | ${r.runs} | ${r.description} |`,
  );
  // The machine each result was measured on (the shared machine's host can change between runs).
  const describe = (info: Record<string, string | number>): string =>
    `${info['cpus']} × ${info['cpuModel']}, ${info['memoryGiB']} GiB, ${info['os']}; ${info['node']}; ${info['go']}`;
  const sideMachine = (side[0] as { machine?: Record<string, string | number> } | undefined)
    ?.machine;
  const info = sideMachine ?? machine();
  let text = `# Benchmarks

Generated by \`npm run bench\` (do not edit by hand). Each figure is the median of the runs, ours
and \`go build\` measured side by side, interleaved, in the same run; ratio = ours / go build
(lower is better). The machine is shared and noisy: compare ratios, not absolute times.

Machine: ${describe(info)}.

| benchmark | ours (ms) | go build (ms) | ratio | our peak RSS | runs | what |
|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
  const prep = readResult<{
    profiles: { name: string; bytes: number; oursMs: number; goMs: number }[];
  }>('preprocess');
  if (prep !== undefined) {
    text += `
## Profile preprocessing: ours in-process vs the \`preprofile\` tool process

Decode + preprocess of each profile (median of ${prep.runs}); ours runs inside the build process
(after warm-up), \`preprofile\` is the SDK's tool binary run as a process, as cmd/go runs it.

| profile | size (KiB) | ours (ms) | preprofile (ms) | ratio |
|---|---|---|---|---|
${prep.profiles.map((p) => `| ${p.name} | ${(p.bytes / 1024).toFixed(0)} | ${p.oursMs.toFixed(1)} | ${p.goMs.toFixed(1)} | ${(p.oursMs / p.goMs).toFixed(2)}× |`).join('\n')}
`;
  }
  const hash = readResult<{ files: number; megabytes: number; coldMs: number; warmMs: number }>(
    'hashing',
  );
  if (hash !== undefined) {
    text += `
## Hashing (SHA-256 of ${hash.files} files, ${hash.megabytes.toFixed(1)} MB of Go sources)

| | time (ms) | throughput |
|---|---|---|
| without stat cache (every file read and hashed) | ${hash.coldMs.toFixed(0)} | ${(hash.megabytes / (hash.coldMs / 1000)).toFixed(0)} MB/s |
| with a warm stat cache (stat only) | ${hash.warmMs.toFixed(0)} | ${(hash.files / (hash.warmMs / 1000)).toFixed(0)} files/s |
`;
  }
  const gain = readResult<PgoGain>('pgo-gain');
  if (gain !== undefined) {
    text += `
## PGO gain: examples/cmd/mdserver (Markdown → HTML over HTTP with the workspace's own renderer)

Both binaries built by pgobuild from the same sources, with and without the service's committed
\`default.pgo\`; ${gain.runs} interleaved runs, medians. The Go team reports 2–7% CPU savings from
PGO on typical programs. Measured on ${describe(gain.machine)}, ${(gain as { date?: string }).date?.slice(0, 10) ?? ''}.

| measure | no PGO | PGO | gain |
|---|---|---|---|
| instructions per request (callgrind, one client) | ${median(gain.instructionsPerRequest.nopgo).toFixed(0)} | ${median(gain.instructionsPerRequest.pgo).toFixed(0)} | ${gain.instructionGainPercent.toFixed(1)}% |
| server CPU time per request (native, µs) | ${median(gain.cpuMicrosPerRequest.nopgo).toFixed(1)} | ${median(gain.cpuMicrosPerRequest.pgo).toFixed(1)} | ${gain.cpuTimeGainPercent.toFixed(1)}% |
| the renderer alone: BenchmarkRender (ns/op, go test -bench with the same profile) | ${median(gain.renderNsPerOp.nopgo).toFixed(0)} | ${median(gain.renderNsPerOp.pgo).toFixed(0)} | ${gain.renderGainPercent.toFixed(1)}% |
`;
  }
  const blog = readResult<BlogPgoGain>('pgo-gain-mdrender');
  if (blog !== undefined) {
    const ir = (k: string): { pgo: number[]; nopgo: number[] } =>
      blog.callgrind.instructionsPerRequest[k] as { pgo: number[]; nopgo: number[] };
    const range = (xs: number[]): string =>
      `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
    const rows = Object.keys(blog.callgrind.instructionsPerRequest)
      .map(
        (k) =>
          `| instructions per request (callgrind, one client, ${blog.callgrind.requests[k]} requests × ${ir(k).nopgo.length} runs): ${blog.documents[k]} | ${median(ir(k).nopgo).toFixed(0)} (${range(ir(k).nopgo)}) | ${median(ir(k).pgo).toFixed(0)} (${range(ir(k).pgo)}) | ${(blog.callgrind.instructionGainPercent[k] as number).toFixed(1)}% |`,
      )
      .join('\n');
    const l = blog.load;
    const la = blog.loadAverage1m;
    text += `
## PGO gain: examples/cmd/mdrender (the Go PGO blog's service and profile)

The blog's service (\`gitlab.com/golang-commonmark/markdown\` at the blog's version) with the
blog's own profile as \`default.pgo\`, both binaries built by pgobuild (\`--pgo=off\` and the
default). Median (min–max) of interleaved runs; 1-minute load average during the runs
${la.min.toFixed(1)}–${la.max.toFixed(1)} (median ${la.median.toFixed(1)}) on ${blog.machine['cpus']} cores shared with other builds.
Measured on ${describe(blog.machine)}, ${(blog as { date?: string }).date?.slice(0, 10) ?? ''}.
The blog: ${blog.blog.words}; its benchstat line: \`${blog.blog.benchstat}\`.

| measure | no PGO | PGO | gain |
|---|---|---|---|
${rows}
| the blog's way: mean latency per request (ns, ${l.runs} runs × ${l.requestsPerRun} sequential requests of ${l.documents}) | ${median(l.latencyNsPerRequest.nopgo).toFixed(0)} | ${median(l.latencyNsPerRequest.pgo).toFixed(0)} | ${l.latencyGainPercent.toFixed(1)}% |
| the blog's way: server CPU time per request (ns, all threads, same runs) | ${median(l.serverCpuNsPerRequest.nopgo).toFixed(0)} | ${median(l.serverCpuNsPerRequest.pgo).toFixed(0)} | ${l.serverCpuGainPercent.toFixed(1)}% |

\`${l.benchstatCommand}\` (one \`BenchmarkLoad/pgo=off|on\` line per run; the file is beside the JSON):

\`\`\`
${l.benchstat.trim()}
\`\`\`
`;
  }
  const remote = readResult<{ scenarios: RemoteScenario[]; date: string }>('remote');
  if (remote !== undefined)
    text += remoteSection(remote.scenarios, describe, remote.machine, remote.date);
  fs.writeFileSync(path.join(REPO, 'bench', 'README.md'), text);
}

async function main(): Promise<void> {
  const sections = process.argv.slice(2);
  const want = (s: string): boolean => sections.length === 0 || sections.includes(s);
  // Preprocessing takes milliseconds: more runs give a steadier median.
  const preprocessRuns = Math.max(RUNS, 15);
  if (want('profiles'))
    save('preprocess', { ...(await measurePreprocessing(preprocessRuns)), runs: preprocessRuns });
  if (want('hashing')) save('hashing', await measureHashing());
  if (want('examples')) for (const m of measureExamples()) save(m.name, m);
  if (want('scale')) for (const n of SCALES) for (const m of measureScale(n)) save(m.name, m);
  // pgo-gain measures both services; pgo-gain:mdserver or pgo-gain:mdrender only one.
  if (want('pgo-gain') || sections.includes('pgo-gain:mdserver'))
    save('pgo-gain', await measurePgoGain(RUNS));
  if (want('pgo-gain') || sections.includes('pgo-gain:mdrender'))
    save(
      'pgo-gain-mdrender',
      await measureBlogPgoGain(RUNS, LOAD_RUNS, path.join(RESULTS, 'pgo-gain-mdrender.load.txt')),
    );
  // remote: both workspaces; remote:examples or remote:1000 one of them.
  const remote = want('remote')
    ? ['examples', '1000']
    : sections.filter((s) => s.startsWith('remote:')).map((s) => s.slice('remote:'.length));
  if (remote.length > 0) await measureRemoteSection(remote);
  writeReadme();
  process.stdout.write(fs.readFileSync(path.join(REPO, 'bench', 'README.md'), 'utf8'));
}

main().catch((e: unknown) => {
  process.stderr.write(
    `bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exitCode = 1;
});
