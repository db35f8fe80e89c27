/**
 * `npm run bench [section…]`: measures pgobuild side by side with `go build` on the same packages
 * and the same profiles, median of BENCH_RUNS (default 5) interleaved runs, and writes
 * `bench/results/<name>.json` plus the table in `bench/README.md`. Sections: examples,
 * examples-server (three examples rows through the client and a warm server; BENCH_DISK_CACHE
 * names a warm disk cache to start from), scale,
 * profiles, startup, hashing, pgo-gain (default: all; pgo-gain measures mdserver and mdrender, the Go PGO
 * blog's service, and pgo-gain:mdserver / pgo-gain:mdrender one of them). BENCH_SCALES overrides
 * the synthetic sizes (default "1000,5000"); BENCH_LOAD_RUNS the number of native load runs per
 * variant of mdrender's benchstat comparison (default 20; needs scripts/fetch-tools.sh).
 * Section remote (remote:examples, remote:1000 for one workspace) measures a cold build uploading
 * to a real bazel-remote vs a fresh copy against the warm remote, over BENCH_REMOTE_PROTOCOLS
 * (default "grpc,http"), BENCH_REMOTE_COLD_RUNS (default 1) and BENCH_REMOTE_FRESH_RUNS (default 3).
 * Section action-overhead: the main thread's CPU by category in a cold 1k build (bench/action-overhead.ts).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BATCH_ENV,
  CLI,
  type Measurement,
  REPO,
  SERVER_ENV,
  goBuild,
  measurement,
  median,
  ours,
  run,
  sleepMs,
} from './common';
import { actionOverheadSection, measureActionOverhead } from './action-overhead';
import { addExportedFunction, editFunctionBody } from './edits';
import { BINARIES, generate, packageDir } from './generate';
import { measureHashing } from './hashing';
import { type BlogPgoGain, type PgoGain, measureBlogPgoGain, measurePgoGain } from './pgo-gain';
import { measurePreprocessing } from './profiles';
import { type RemoteScenario, measureRemote, remoteSection } from './remote';
import { verdict } from './targets';

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

/**
 * Links this clone as the README's install story does (`npm link`, into a scratch npm prefix so
 * the machine's global prefix is untouched) and returns the `pgobuild` command it installs.
 */
function installedCommand(prefix: string): string {
  execFileSync('npm', ['link', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: REPO,
    env: { ...process.env, npm_config_prefix: prefix },
    stdio: 'ignore',
  });
  return path.join(prefix, 'bin', 'pgobuild');
}

/** Interleaved runs per scenario key: our times, go's times and our peak RSS. */
function rows(keys: readonly string[]): {
  record: (k: string, o: { ms: number; rssKiB: number }, g: { ms: number }) => void;
  /** `key ours/go` of the last run, for the progress line. */
  last: (k: string) => string;
  measure: (name: string, description: string, k: string) => Measurement;
} {
  const t = new Map(
    keys.map((k) => [k, { ours: [] as number[], go: [] as number[], rss: [] as number[] }]),
  );
  const row = (k: string): { ours: number[]; go: number[]; rss: number[] } => {
    const r = t.get(k);
    if (r === undefined) throw new Error(`no benchmark row ${k}`);
    return r;
  };
  return {
    record: (k, o, g) => {
      row(k).ours.push(o.ms);
      row(k).go.push(g.ms);
      row(k).rss.push(o.rssKiB);
    },
    last: (k) => `${k} ${row(k).ours.at(-1)?.toFixed(0)}/${row(k).go.at(-1)?.toFixed(0)}`,
    measure: (name, description, k) =>
      measurement(name, description, row(k).ours, row(k).go, row(k).rss),
  };
}

function measureExamples(): Measurement[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-bench-'));
  const ws = path.join(tmp, 'ws');
  copyExamples(ws);
  const moduleDir = path.join(ws, 'examples');
  const patterns = buildablePatterns(ws, '//examples/...', path.join(tmp, 'query-cache'));
  const pgobuild = installedCommand(path.join(tmp, 'npm-prefix'));
  const keys = ['cold', 'nul', 'rep', 'leaf', 'after', 'wide', 'bodyLeaf', 'bodyWide', 'installed'];
  const { record, last, measure } = rows(keys);
  const leafFile = path.join(moduleDir, 'lib/logrec/record.go');
  const wideFile = path.join(moduleDir, 'lib/htmlutil/escape.go');
  const originals = new Map([leafFile, wideFile].map((f) => [f, fs.readFileSync(f)]));
  for (let i = 0; i < RUNS; i++) {
    const ourCache = path.join(tmp, `ours-${i}`);
    const goCache = path.join(tmp, `go-${i}`);
    const goOut = path.join(tmp, `go-bin-${i}`);
    const go = (): { ms: number } => goBuild(moduleDir, goOut, goCache);
    const build = (): { ms: number; rssKiB: number; replayed: boolean } =>
      ours(ws, patterns, ourCache);
    fs.rmSync(path.join(ws, 'pgobuild-out'), { recursive: true, force: true });
    record('cold', build(), go());
    record('nul', build(), go());
    // The repeated null build: once the outputs are older than the racy window, a null build
    // records its inputs and the next one is answered by the up-to-date check.
    sleepMs(2500);
    build();
    const replay = build();
    if (!replay.replayed) throw new Error('the repeated null build was not replayed');
    record('rep', replay, go());
    addExportedFunction(leafFile, `L${i}`);
    record('leaf', build(), go());
    record('after', build(), go());
    addExportedFunction(wideFile, `W${i}`);
    record('wide', build(), go());
    editFunctionBody(leafFile, 'func (r *Record) Path(');
    record('bodyLeaf', build(), go());
    editFunctionBody(wideFile, 'func EscapeString(');
    record('bodyWide', build(), go());
    // What README tells users to type: the command `npm link` installed, on a null build.
    sleepMs(2500);
    build();
    const installed = run(
      pgobuild,
      ['build', ...patterns, `--disk_cache=${ourCache}`, '--output=json'],
      ws,
      BATCH_ENV,
    );
    record('installed', installed, go());
    for (const [f, bytes] of originals) fs.writeFileSync(f, bytes);
    for (const d of [ourCache, goCache, goOut]) fs.rmSync(d, { recursive: true, force: true });
    log(`examples ${i + 1}/${RUNS}: ${keys.map(last).join(' ')} ms (ours/go)`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const what = `//examples/... (${patterns.length} go_binary/go_library targets; the three services with their default.pgo) vs go build -trimpath -o DIR/ ./... in examples/`;
  return [
    measure('examples-cold', `cold build of ${what}, empty caches on both sides`, 'cold'),
    measure(
      'examples-null',
      `null build of ${what}, everything cached, right after the cold build (full analysis)`,
      'nul',
    ),
    measure(
      'examples-null-repeat',
      `repeated null build of ${what}: answered by the up-to-date check`,
      'rep',
    ),
    measure(
      'examples-incremental-leaf',
      `rebuild after adding a function to lib/logrec (imported by one binary)`,
      'leaf',
    ),
    measure(
      'examples-null-after-edit',
      `null build right after the lib/logrec rebuild (the build after an edit-rebuild)`,
      'after',
    ),
    measure(
      'examples-incremental-wide',
      `rebuild after adding a function to lib/htmlutil (imported by markdown, search and through them 4 binaries)`,
      'wide',
    ),
    measure(
      'examples-edit-body-leaf',
      `rebuild after editing the body of (*logrec.Record).Path (same API; one binary)`,
      'bodyLeaf',
    ),
    measure(
      'examples-edit-body-wide',
      `rebuild after editing the body of htmlutil.EscapeString (same API; 4 binaries)`,
      'bodyWide',
    ),
    measure(
      'examples-null-installed',
      `repeated null build through the \`pgobuild\` command \`npm link\` installs, in batch mode (one process per command, as before the server; a script with #!/usr/bin/env node) vs go build`,
      'installed',
    ),
  ];
}

/**
 * The server variants of three examples rows (section examples-server): the same work through
 * the client and the workspace's warm server (README's daily use), interleaved with the batch
 * runs and with go build doing the same. Caches are warm (one cold build first); each run edits
 * the body of (*logrec.Record).Path twice, once for the batch rebuild and once for the server's.
 */
function measureExamplesServer(): Measurement[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-bench-'));
  const ws = path.join(tmp, 'ws');
  copyExamples(ws);
  const moduleDir = path.join(ws, 'examples');
  const patterns = buildablePatterns(ws, '//examples/...', path.join(tmp, 'query-cache'));
  // What `npm link` installs, made by hand (npm link would touch the clone's node_modules): a
  // `pgobuild` symlink to bin/pgobuild.js, run through its #!/usr/bin/env node line.
  const pgobuild = path.join(tmp, 'bin', 'pgobuild');
  fs.mkdirSync(path.dirname(pgobuild));
  fs.symlinkSync(CLI, pgobuild);
  const keys = ['bodyLeaf', 'after', 'installed', 'srvBodyLeaf', 'srvAfter', 'srvInstalled'];
  const { record, last, measure } = rows(keys);
  const leafFile = path.join(moduleDir, 'lib/logrec/record.go');
  // BENCH_DISK_CACHE: start from an existing (warm) disk cache instead of a cold build.
  const ourCache = process.env['BENCH_DISK_CACHE'] ?? path.join(tmp, 'ours');
  const goCache = path.join(tmp, 'go');
  const goOut = path.join(tmp, 'go-bin');
  const go = (): { ms: number } => goBuild(moduleDir, goOut, goCache);
  const build = (via: 'batch' | 'server'): { ms: number; rssKiB: number; replayed: boolean } =>
    ours(ws, patterns, ourCache, via);
  const installed = (env: NodeJS.ProcessEnv): { ms: number; rssKiB: number } =>
    run(pgobuild, ['build', ...patterns, `--disk_cache=${ourCache}`, '--output=json'], ws, env);
  build('batch');
  go();
  build('server'); // starts the server; its first command warms it up
  try {
    for (let i = 0; i < RUNS; i++) {
      editFunctionBody(leafFile, 'func (r *Record) Path(');
      record('bodyLeaf', build('batch'), go());
      record('after', build('batch'), go());
      editFunctionBody(leafFile, 'func (r *Record) Path(');
      record('srvBodyLeaf', build('server'), go());
      record('srvAfter', build('server'), go());
      // Repeated null builds: the first records its inputs, the next is answered from them.
      sleepMs(2500);
      build('batch');
      record('installed', installed(BATCH_ENV), go());
      record('srvInstalled', installed(SERVER_ENV), go());
      log(`examples-server ${i + 1}/${RUNS}: ${keys.map(last).join(' ')} ms (ours/go)`);
    }
  } finally {
    run(process.execPath, [CLI, 'shutdown'], ws, SERVER_ENV);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  // The peak RSS column of these rows is the client's; the server's memory is not in it.
  const batch = (k: string): string => {
    const m = measure(`batch-${k}`, '', k);
    return `batch in the same runs: ${m.oursMedianMs.toFixed(0)} ms, ${m.ratio.toFixed(2)}×; peak RSS: the client's`;
  };
  return [
    measure(
      'examples-edit-body-leaf-server',
      `rebuild after editing the body of (*logrec.Record).Path, through the client and the warm server (${batch('bodyLeaf')})`,
      'srvBodyLeaf',
    ),
    measure(
      'examples-null-after-edit-server',
      `null build right after that rebuild, through the client and the warm server (${batch('after')})`,
      'srvAfter',
    ),
    measure(
      'examples-null-installed-server',
      `repeated null build through a \`pgobuild\` symlink to bin/pgobuild.js (what \`npm link\` installs), talking to the workspace's warm server (README's daily use; ${batch('installed')})`,
      'srvInstalled',
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
  log(`scale ${n}: cold build on both sides`);
  const coldOurs = ours(ws, ['//...'], ourCache);
  const coldGo = goBuild(ws, goOut, goCache);
  log(
    `scale ${n}: cold ${coldOurs.ms.toFixed(0)} ms (ours, peak ${coldOurs.rssKiB} KiB) vs ${coldGo.ms.toFixed(0)} ms (go)`,
  );
  const keys = ['nul', 'rep', 'leaf', 'after', 'bodyLeaf', 'bodyWide'];
  const { record, last, measure } = rows(keys);
  const build = (): { ms: number; rssKiB: number; replayed: boolean } =>
    ours(ws, ['//...'], ourCache);
  const go = (): { ms: number } => goBuild(ws, goOut, goCache);
  const source = (k: number): string =>
    path.join(ws, packageDir(k), `p${String(k).padStart(5, '0')}.go`);
  for (let i = 0; i < RUNS; i++) {
    record('nul', build(), go());
    sleepMs(2500); // out of the racy window: this null build records, the next one replays
    build();
    const r = build();
    if (!r.replayed) throw new Error(`scale ${n}: the repeated null build was not replayed`);
    record('rep', r, go());
    // A package imported by one binary only: the last package.
    addExportedFunction(source(n - 1), `S${i}`);
    record('leaf', build(), go());
    record('after', build(), go());
    editFunctionBody(source(n - 1), 'func Score(');
    record('bodyLeaf', build(), go());
    // The first package: the most widely imported "core" one (bench/generate.ts skews imports).
    editFunctionBody(source(0), 'func Score(');
    record('bodyWide', build(), go());
    log(`scale ${n} run ${i + 1}/${RUNS}: ${keys.map(last).join(' ')} ms (ours/go)`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const m = (name: string, description: string, k: string): Measurement =>
    measure(`scale-${n}-${name}`, description, k);
  const what = `a synthetic ${n}-package workspace (${BINARIES.length} binaries with profiles) vs go build -trimpath ./... (every package compiled, mains linked)`;
  return [
    measurement(
      `scale-${n}-cold`,
      `cold build of ${what}, empty caches on both sides (one run each: the warm-up)`,
      [coldOurs.ms],
      [coldGo.ms],
      [coldOurs.rssKiB],
    ),
    m('null', `null build of ${what}`, 'nul'),
    m(
      'null-repeat',
      `repeated null build of the ${n}-package workspace: answered by the up-to-date check`,
      'rep',
    ),
    m(
      'incremental-leaf',
      `rebuild of the ${n}-package workspace after adding a function to a top-layer package`,
      'leaf',
    ),
    m('null-after-edit', `null build right after that rebuild`, 'after'),
    m(
      'edit-body-leaf',
      `rebuild after editing the body of a top-layer package's Score (same API)`,
      'bodyLeaf',
    ),
    m(
      'edit-body-wide',
      `rebuild after editing the body of Score in the most widely imported package`,
      'bodyWide',
    ),
  ];
}

/** Start-up floor: `pgobuild --help` through the installed command vs `go version`. */
function measureStartup(): Measurement {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-bench-startup-'));
  const pgobuild = installedCommand(path.join(tmp, 'npm-prefix'));
  const oursMs: number[] = [];
  const goMs: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < Math.max(RUNS, 10); i++) {
    const o = run(pgobuild, ['--help'], tmp);
    oursMs.push(o.ms);
    rss.push(o.rssKiB);
    goMs.push(run('go', ['version'], tmp).ms);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  return measurement(
    'startup-help',
    'start-up floor: `pgobuild --help` through the command `npm link` installs vs `go version`',
    oursMs,
    goMs,
    rss,
  );
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
      `| ${r.name} | ${r.oursMedianMs.toFixed(0)} | ${r.goMedianMs.toFixed(0)} | ${r.ratio.toFixed(2)}× | ${verdict(r.name, r.ratio)} | ${rss(r)} | ${r.oursMs.length} | ${r.description} |`,
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

| benchmark | ours (ms) | go build (ms) | ratio | target (issue 10) | our peak RSS | runs | what |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
  const prep = readResult<{
    loadAverage1m?: { min: number; median: number; max: number };
    profiles: {
      name: string;
      bytes: number;
      oursProcessMs?: number;
      goMs: number;
      oursWarmMs?: number;
      nodeFloorMs?: number;
    }[];
  }>('preprocess');
  if (prep !== undefined && prep.profiles.every((p) => p.oursProcessMs !== undefined)) {
    const row = (p: (typeof prep.profiles)[number]): string => {
      const ratio = (p.oursProcessMs as number) / p.goMs;
      return `| ${p.name} | ${(p.bytes / 1024).toFixed(0)} | ${(p.oursProcessMs as number).toFixed(1)} | ${p.goMs.toFixed(1)} | ${ratio.toFixed(2)}× | ${verdict('preprocess-one-shot', ratio)} | ${p.nodeFloorMs?.toFixed(1) ?? ''} | ${p.oursWarmMs?.toFixed(1) ?? ''} |`;
    };
    text += `
## Profile preprocessing, one process each: \`pgobuild pgo preprocess\` vs the \`preprofile\` tool

Decode + preprocess of each profile, median of ${prep.runs} interleaved runs${prep.loadAverage1m === undefined ? '' : ` (1-minute load average ${prep.loadAverage1m.min.toFixed(1)}–${prep.loadAverage1m.max.toFixed(1)} on ${prep.machine['cpus']} cores shared with other work)`}. Both sides are one
fresh process per profile, as a build meets a new profile (\`node bin/pgobuild.js pgo preprocess IN
-o OUT\` against \`$GOTOOLDIR/preprofile -i IN -o OUT\`, the binary cmd/go runs); the outputs are
checked byte-identical. \`node -e 0\` is Node's own start-up, timed in the same rounds: every one-shot
run of ours pays it before any of our code, so on the small profiles it alone exceeds the
\`preprofile\` tool's whole run (a native binary), and it shows how loaded the machine was. The last
column is ours inside an already warmed process: a profiling aid for the decoder, not a figure to
compare.

| profile | size (KiB) | ours, one process (ms) | preprofile (ms) | ratio | target (issue 10) | node -e 0 (ms) | ours warmed in-process (ms) |
|---|---|---|---|---|---|---|---|
${prep.profiles.map(row).join('\n')}
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
  text += actionOverheadSection(RESULTS);
  fs.writeFileSync(path.join(REPO, 'bench', 'README.md'), text);
}

async function main(): Promise<void> {
  // Every figure is one process per command unless a row says it goes through the server.
  process.env['PGOBUILD_BATCH'] ??= '1';
  const sections = process.argv.slice(2);
  const want = (s: string): boolean => sections.length === 0 || sections.includes(s);
  // Preprocessing takes milliseconds: more runs give a steadier median.
  const preprocessRuns = Math.max(RUNS, 15);
  if (want('profiles'))
    save('preprocess', { ...(await measurePreprocessing(preprocessRuns)), runs: preprocessRuns });
  if (want('hashing')) save('hashing', await measureHashing());
  if (want('startup')) {
    const m = measureStartup();
    save(m.name, m);
  }
  if (want('examples')) for (const m of measureExamples()) save(m.name, m);
  if (want('examples-server')) for (const m of measureExamplesServer()) save(m.name, m);
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
  if (want('action-overhead')) measureActionOverhead(RESULTS, log);
  writeReadme();
  process.stdout.write(fs.readFileSync(path.join(REPO, 'bench', 'README.md'), 'utf8'));
}

main().catch((e: unknown) => {
  process.stderr.write(
    `bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exitCode = 1;
});
