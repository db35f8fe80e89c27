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
  COMMAND,
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
import {
  EDIT_LOOP_KEYS,
  type EditedFile,
  type OurRun,
  editLoopRun,
  fullAnalysisNullBuild,
  repeatedNullBuild,
  restorer,
  serverPeakRssKiB,
} from './edit-loop';
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

/**
 * The go_binary targets under a pattern: the same work as `go build -o DIR/ ./...`, which compiles
 * the main packages and their dependencies, once per profile, and links the mains. (`//...` would
 * also build each library target on its own, without a profile: a dozen compiles more than cmd/go
 * does with -o, and in the edit loop a second compile of the edited library.)
 */
function binaryPatterns(cwd: string, pattern: string, cache: string): string[] {
  return targetsOfKind('go_binary', cwd, pattern, cache);
}

/** The targets of a kind (a rule name regular expression) under a pattern. */
function targetsOfKind(kind: string, cwd: string, pattern: string, cache: string): string[] {
  const out = execFileSync(
    process.execPath,
    [CLI, 'query', `kind('${kind}', ${pattern})`, `--disk_cache=${cache}`],
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

/** The files the examples' edit-rebuild loop edits (bench/edit-loop.ts). */
function examplesEdits(moduleDir: string): { leaf: EditedFile; wide: EditedFile } {
  return {
    leaf: {
      file: path.join(moduleDir, 'lib/logrec/record.go'),
      signature: 'func (r *Record) Path(',
    },
    wide: { file: path.join(moduleDir, 'lib/htmlutil/escape.go'), signature: 'func EscapeString(' },
  };
}

/** The rows of the edit-rebuild loop ({@link editLoopRun}'s keys), named `<prefix>-…<suffix>`. */
function editLoopRows(
  prefix: string,
  suffix: string,
  measure: (name: string, description: string, k: string) => Measurement,
  what: { leaf: string; wide: string; via: string },
): Measurement[] {
  return [
    measure(
      `${prefix}-incremental-leaf${suffix}`,
      `rebuild after adding a function to ${what.leaf}${what.via}`,
      'leaf',
    ),
    measure(
      `${prefix}-null-after-edit${suffix}`,
      `null build right after that rebuild (the build after an edit-rebuild)${what.via}`,
      'after',
    ),
    measure(
      `${prefix}-incremental-wide${suffix}`,
      `rebuild after adding a function to ${what.wide}${what.via}`,
      'wide',
    ),
    measure(
      `${prefix}-edit-body-leaf${suffix}`,
      `rebuild after editing a function body in ${what.leaf} in place (same API, no line moves)${what.via}`,
      'bodyLeaf',
    ),
    measure(
      `${prefix}-edit-body-wide${suffix}`,
      `rebuild after editing a function body in ${what.wide} in place (same API, no line moves)${what.via}`,
      'bodyWide',
    ),
  ];
}

const EXAMPLES_EDITED = {
  leaf: 'lib/logrec ((*Record).Path; imported by one binary)',
  wide: 'lib/htmlutil (EscapeString; imported by markdown, search and through them 4 binaries)',
};

function measureExamples(): Measurement[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-bench-'));
  const ws = path.join(tmp, 'ws');
  copyExamples(ws);
  const moduleDir = path.join(ws, 'examples');
  const patterns = binaryPatterns(ws, '//examples/...', path.join(tmp, 'query-cache'));
  const pgobuild = installedCommand(path.join(tmp, 'npm-prefix'));
  const keys = ['cold', 'nul', 'rep', ...EDIT_LOOP_KEYS, 'installed'];
  const { record, last, measure } = rows(keys);
  const edits = examplesEdits(moduleDir);
  const restore = restorer([edits.leaf.file, edits.wide.file]);
  for (let i = 0; i < RUNS; i++) {
    const ourCache = path.join(tmp, `ours-${i}`);
    const goCache = path.join(tmp, `go-${i}`);
    const goOut = path.join(tmp, `go-bin-${i}`);
    const go = (): { ms: number } => goBuild(moduleDir, goOut, goCache);
    const build = (): OurRun => ours(ws, patterns, ourCache);
    fs.rmSync(path.join(ws, 'pgobuild-out'), { recursive: true, force: true });
    record('cold', build(), go());
    record('nul', fullAnalysisNullBuild(ws, build), go());
    record('rep', repeatedNullBuild(build, 'examples'), go());
    editLoopRun(edits, String(i), build, go, record);
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
    restore();
    for (const d of [ourCache, goCache, goOut]) fs.rmSync(d, { recursive: true, force: true });
    log(`examples ${i + 1}/${RUNS}: ${keys.map(last).join(' ')} ms (ours/go)`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const what = `the ${patterns.length} go_binary targets of //examples/... (the services with their default.pgo) vs go build -trimpath -o DIR/ ./... in examples/ (the same packages and binaries)`;
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
    ...editLoopRows('examples', '', measure, {
      ...EXAMPLES_EDITED,
      via: ', one process per command (batch mode)',
    }),
    measure(
      'examples-null-installed',
      `repeated null build through the \`pgobuild\` command \`npm link\` installs, in batch mode (one process per command, as before the server; a script with #!/usr/bin/env node) vs go build`,
      'installed',
    ),
  ];
}

/** What a row measured through the server says about its peak RSS column. */
const SERVER_RSS_NOTE = "; peak RSS: the server's (VmHWM over the whole section)";

/**
 * The examples' edit-rebuild loop through the client and the workspace's warm server, README's
 * daily use (section examples-server), interleaved with go build doing the same. Caches are warm
 * (one cold build first); the edit loop runs bin/pgobuild, and the last row is a repeated null
 * build through a `pgobuild` symlink to it, what `npm link` installs.
 */
function measureExamplesServer(): Measurement[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-bench-'));
  const ws = path.join(tmp, 'ws');
  copyExamples(ws);
  const moduleDir = path.join(ws, 'examples');
  const patterns = binaryPatterns(ws, '//examples/...', path.join(tmp, 'query-cache'));
  // What `npm link` installs, made by hand (npm link would touch the clone's node_modules): a
  // `pgobuild` symlink to bin/pgobuild (the native client where it was built).
  const pgobuild = path.join(tmp, 'bin', 'pgobuild');
  fs.mkdirSync(path.dirname(pgobuild));
  fs.symlinkSync(COMMAND, pgobuild);
  const keys = [...EDIT_LOOP_KEYS, 'installed'];
  const { record, last, measure } = rows(keys);
  const edits = examplesEdits(moduleDir);
  // BENCH_DISK_CACHE: start from an existing (warm) disk cache instead of a cold build.
  const ourCache = process.env['BENCH_DISK_CACHE'] ?? path.join(tmp, 'ours');
  const goCache = path.join(tmp, 'go');
  const goOut = path.join(tmp, 'go-bin');
  const go = (): { ms: number } => goBuild(moduleDir, goOut, goCache);
  const build = (): OurRun => ours(ws, patterns, ourCache, 'server');
  ours(ws, patterns, ourCache, 'batch');
  go();
  build(); // starts the server; its first command warms it up
  let serverRss: number;
  try {
    for (let i = 0; i < RUNS; i++) {
      editLoopRun(edits, String(i), build, go, record);
      sleepMs(2500);
      build(); // records its inputs: the next null build is answered from them
      record(
        'installed',
        run(
          pgobuild,
          ['build', ...patterns, `--disk_cache=${ourCache}`, '--output=json'],
          ws,
          SERVER_ENV,
        ),
        go(),
      );
      log(`examples-server ${i + 1}/${RUNS}: ${keys.map(last).join(' ')} ms (ours/go)`);
    }
    serverRss = serverPeakRssKiB(CLI, ws, SERVER_ENV);
  } finally {
    run(process.execPath, [CLI, 'shutdown'], ws, SERVER_ENV);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return withRss(
    [
      ...editLoopRows('examples', '-server', measure, {
        ...EXAMPLES_EDITED,
        via: `, through the client and the warm server (README's daily use)${SERVER_RSS_NOTE}`,
      }),
      measure(
        'examples-null-installed-server',
        `repeated null build through a \`pgobuild\` symlink to bin/pgobuild (what \`npm link\` installs: the native client), talking to the workspace's warm server (README's daily use)${SERVER_RSS_NOTE}`,
        'installed',
      ),
    ],
    serverRss,
  );
}

/** Rows measured through the server, with the server's peak RSS as their memory figure. */
function withRss(rowsOf: Measurement[], rssKiB: number): Measurement[] {
  return rowsOf.map((m) => ({ ...m, oursPeakRssKiB: m.oursMs.map(() => rssKiB) }));
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
    const patterns = targetsOfKind(
      'go_(binary|library)',
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

/** Cold builds per synthetic size (BENCH_COLD_RUNS, default 3): each is minutes at 5k. */
const COLD_RUNS = Number(process.env['BENCH_COLD_RUNS'] ?? 3);

/** A synthetic workspace of n packages (bench/generate.ts) in a new temporary directory. */
function scaleWorkspace(n: number): { tmp: string; ws: string } {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `pgobuild-bench-${n}-`));
  const ws = path.join(tmp, 'ws');
  generate(ws, n, SCALE_PROFILES);
  return { tmp, ws };
}

/** The files the synthetic workspace's edit-rebuild loop edits. */
function scaleEdits(ws: string, n: number): { leaf: EditedFile; wide: EditedFile } {
  const source = (k: number): string =>
    path.join(ws, packageDir(k), `p${String(k).padStart(5, '0')}.go`);
  // The last package is imported by one binary only; the first is the most widely imported
  // "core" one (bench/generate.ts skews imports).
  return {
    leaf: { file: source(n - 1), signature: 'func Score(' },
    wide: { file: source(0), signature: 'func Score(' },
  };
}

function scaleDescription(n: number): string {
  return `a synthetic ${n}-package workspace (${BINARIES.length} binaries with profiles) vs go build -trimpath ./... (every package compiled, mains linked)`;
}

const SCALE_EDITED = {
  leaf: 'a top-layer package (imported by one binary)',
  wide: 'the most widely imported package',
};

function measureScale(n: number): Measurement[] {
  const { tmp, ws } = scaleWorkspace(n);
  // Without -o: with it cmd/go would build only the binaries' graphs (a tenth of the packages),
  // while //... builds every library too.
  const goOut = undefined;
  const keys = ['cold', 'nul', 'rep', ...EDIT_LOOP_KEYS];
  const { record, last, measure } = rows(keys);
  for (let i = 0; i < COLD_RUNS; i++) {
    fs.rmSync(path.join(ws, 'pgobuild-out'), { recursive: true, force: true });
    const ourCache = path.join(tmp, `ours-cold-${i}`);
    const goCache = path.join(tmp, `go-cold-${i}`);
    record('cold', ours(ws, ['//...'], ourCache), goBuild(ws, goOut, goCache));
    log(`scale ${n} cold ${i + 1}/${COLD_RUNS}: ${last('cold')} ms (ours/go)`);
    // The last run's caches stay warm for the runs below.
    if (i < COLD_RUNS - 1)
      for (const d of [ourCache, goCache]) fs.rmSync(d, { recursive: true, force: true });
  }
  const ourCache = path.join(tmp, `ours-cold-${COLD_RUNS - 1}`);
  const goCache = path.join(tmp, `go-cold-${COLD_RUNS - 1}`);
  const build = (): OurRun => ours(ws, ['//...'], ourCache);
  const go = (): { ms: number } => goBuild(ws, goOut, goCache);
  const edits = scaleEdits(ws, n);
  for (let i = 0; i < RUNS; i++) {
    record('nul', fullAnalysisNullBuild(ws, build), go());
    record('rep', repeatedNullBuild(build, `scale ${n}`), go());
    editLoopRun(edits, `S${i}`, build, go, record);
    log(`scale ${n} run ${i + 1}/${RUNS}: ${keys.map(last).join(' ')} ms (ours/go)`);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const what = scaleDescription(n);
  return [
    measure(`scale-${n}-cold`, `cold build of ${what}, empty caches on both sides`, 'cold'),
    measure(`scale-${n}-null`, `null build of ${what} (full analysis)`, 'nul'),
    measure(
      `scale-${n}-null-repeat`,
      `repeated null build of the ${n}-package workspace: answered by the up-to-date check`,
      'rep',
    ),
    ...editLoopRows(`scale-${n}`, '', measure, {
      ...SCALE_EDITED,
      via: ', one process per command (batch mode)',
    }),
  ];
}

/**
 * The synthetic workspace's edit-rebuild loop through the client and the workspace's warm
 * server (section scale-server), after one cold build that is not measured.
 */
function measureScaleServer(n: number): Measurement[] {
  const { tmp, ws } = scaleWorkspace(n);
  const ourCache = path.join(tmp, 'ours');
  const goCache = path.join(tmp, 'go');
  const keys = [...EDIT_LOOP_KEYS, 'rep'];
  const { record, last, measure } = rows(keys);
  const build = (): OurRun => ours(ws, ['//...'], ourCache, 'server');
  const go = (): { ms: number } => goBuild(ws, undefined, goCache);
  log(`scale-server ${n}: cold builds (not measured)`);
  build(); // starts the server
  go();
  const edits = scaleEdits(ws, n);
  let serverRss: number;
  try {
    for (let i = 0; i < RUNS; i++) {
      editLoopRun(edits, `S${i}`, build, go, record);
      record('rep', repeatedNullBuild(build, `scale-server ${n}`), go());
      log(`scale-server ${n} run ${i + 1}/${RUNS}: ${keys.map(last).join(' ')} ms (ours/go)`);
    }
    serverRss = serverPeakRssKiB(CLI, ws, SERVER_ENV);
  } finally {
    run(process.execPath, [CLI, 'shutdown'], ws, SERVER_ENV);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const via = `, through the client and the warm server (README's daily use)${SERVER_RSS_NOTE}`;
  return withRss(
    [
      ...editLoopRows(`scale-${n}`, '-server', measure, { ...SCALE_EDITED, via }),
      measure(
        `scale-${n}-null-repeat-server`,
        `repeated null build of the ${n}-package workspace${via}`,
        'rep',
      ),
    ],
    serverRss,
  );
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
      oursColdInProcessMs?: number;
      goMs: number;
      oursWarmMs?: number;
      nodeFloorMs?: number;
    }[];
  }>('preprocess');
  if (prep !== undefined && prep.profiles.every((p) => p.oursProcessMs !== undefined)) {
    const row = (p: (typeof prep.profiles)[number]): string => {
      const ratio = (p.oursProcessMs as number) / p.goMs;
      const inBuild =
        p.oursColdInProcessMs === undefined
          ? '| | |'
          : `| ${p.oursColdInProcessMs.toFixed(1)} | ${(p.oursColdInProcessMs / p.goMs).toFixed(2)}× ${verdict('preprocess-in-build', p.oursColdInProcessMs / p.goMs)} |`;
      return `| ${p.name} | ${(p.bytes / 1024).toFixed(0)} | ${p.goMs.toFixed(1)} | ${(p.oursProcessMs as number).toFixed(1)} | ${ratio.toFixed(2)}× ${verdict('preprocess-one-shot', ratio)} ${inBuild} ${p.nodeFloorMs?.toFixed(1) ?? ''} | ${p.oursWarmMs?.toFixed(1) ?? ''} |`;
    };
    text += `
## Profile preprocessing: \`pgobuild pgo preprocess\` and a cold build vs the \`preprofile\` tool

Decode + preprocess of each profile, median of ${prep.runs} interleaved runs${prep.loadAverage1m === undefined ? '' : ` (1-minute load average ${prep.loadAverage1m.min.toFixed(1)}–${prep.loadAverage1m.max.toFixed(1)} on ${prep.machine['cpus']} cores shared with other work)`}; the outputs are
checked byte-identical. \`preprofile\` is \`$GOTOOLDIR/preprofile -i IN -o OUT\`, one process, as
cmd/go runs it. Ours is measured two ways, both with the JIT cold:

- **one process**: \`node bin/pgobuild.js pgo preprocess IN -o OUT\`, the command. It pays Node's
  start-up (\`node -e 0\`, timed in the same rounds) before any of our code, which alone exceeds
  the native tool's whole run on the small profiles: this target is out of reach for a Node
  command, and the column shows by how much.
- **in a cold build**: what a build's already running process pays on meeting a new profile, in
  a fresh process that has never run the decoder: loading the pprof modules (protobufjs
  included), reading, decoding, preprocessing and writing the result; Node's start-up excluded.

The last column is ours inside an already warmed process: a profiling aid, not a figure to compare.

| profile | size (KiB) | preprofile (ms) | ours, one process (ms) | ratio, target ≤ 1.00× | ours, in a cold build (ms) | ratio, target ≤ 1.00× | node -e 0 (ms) | ours warmed (ms) |
|---|---|---|---|---|---|---|---|---|
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
  if (want('scale-server'))
    for (const n of SCALES) for (const m of measureScaleServer(n)) save(m.name, m);
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
