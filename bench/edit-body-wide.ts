/**
 * `node dist/bench/edit-body-wide.js [name=path/to/bin/pgobuild.js …]`: the examples
 * "edit-body-wide" edit alone, in the loop a developer runs: each round edits the body of
 * htmlutil.EscapeString (imported by markdown and search, and through them by four binaries)
 * with bench/edits.ts's editFunctionBody, then builds with every pgobuild given (each in its own
 * copy of the examples and its own disk cache, so two versions can be compared: before/after a
 * change) and with `go build -trimpath -o DIR/ ./...` in its own copy, in a rotating order.
 * Caches are warm (a cold build and one edit-rebuild first, which declares the edit's counter
 * variable). Prints each round and the medians of BENCH_RUNS (default 7) rounds as JSON; writes
 * nothing under bench/. Without arguments it measures this clone's bin/pgobuild.js.
 *
 * bench/run.ts's examples-edit-body-wide row measures the same in-place edit, inside the loop
 * of bench/edit-loop.ts (after adding an exported function to the same file), from fresh caches
 * on each of its runs.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BATCH_ENV, CLI, REPO, goBuild, median, run } from './common';
import { editFunctionBody } from './edits';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);

interface Variant {
  readonly name: string;
  /** Our CLI script, or undefined for go build. */
  readonly cli?: string;
  readonly ws: string;
  readonly cache: string;
  readonly ms: number[];
  readonly compiles: number[];
}

function copyExamples(ws: string): void {
  fs.mkdirSync(ws, { recursive: true });
  fs.copyFileSync(path.join(REPO, 'WORKSPACE'), path.join(ws, 'WORKSPACE'));
  fs.cpSync(path.join(REPO, 'examples'), path.join(ws, 'examples'), {
    recursive: true,
    filter: (s) => !s.includes('pgobuild-out'),
  });
}

/** One build of a variant: wall ms, and for ours the number of compiles it executed. */
function build(v: Variant, patterns: readonly string[]): { ms: number; compiles: number } {
  if (v.cli === undefined) {
    const r = goBuild(path.join(v.ws, 'examples'), path.join(v.ws, 'go-bin'), v.cache);
    return { ms: r.ms, compiles: NaN };
  }
  const r = run(
    process.execPath,
    [v.cli, 'build', ...patterns, `--disk_cache=${v.cache}`, '--output=json'],
    v.ws,
    BATCH_ENV,
  );
  const compiles = r.stdout
    .split('\n')
    .filter((l) => l.includes('"action-finished"') && l.includes('"GoCompile"'))
    .filter((l) => l.includes('"status":"executed"')).length;
  return { ms: r.ms, compiles };
}

function main(): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-bench-body-wide-'));
  const given = process.argv.slice(2);
  const ours = (given.length === 0 ? [`ours=${CLI}`] : given).map((arg) => {
    const [name, cli] = arg.split('=');
    if (name === undefined || cli === undefined) throw new Error(`expected name=cli.js: ${arg}`);
    return { name, cli: path.resolve(cli) };
  });
  const variants: Variant[] = [...ours, { name: 'go', cli: undefined }].map((o, i) => {
    const ws = path.join(tmp, `ws-${i}`);
    copyExamples(ws);
    return { ...o, ws, cache: path.join(tmp, `cache-${i}`), ms: [], compiles: [] };
  });
  const patterns = execFileSync(
    process.execPath,
    [CLI, 'query', "kind('go_(binary|library)', //examples/...)", `--disk_cache=${tmp}/q`],
    { cwd: variants[0]?.ws, encoding: 'utf8' },
  )
    .split('\n')
    .filter((l) => l.startsWith('//'));
  const edit = (v: Variant): void =>
    editFunctionBody(path.join(v.ws, 'examples/lib/htmlutil/escape.go'), 'func EscapeString(');
  for (const v of variants) {
    build(v, patterns); // cold
    edit(v);
    build(v, patterns); // the first edit inserts the counter line and declares the variable
  }
  for (let i = 0; i < RUNS; i++) {
    const order = variants.map((_, k) => variants[(k + i) % variants.length] as Variant);
    for (const v of order) {
      edit(v);
      const r = build(v, patterns);
      v.ms.push(r.ms);
      v.compiles.push(r.compiles);
    }
    process.stderr.write(
      `round ${i + 1}/${RUNS}: ${variants.map((v) => `${v.name} ${v.ms.at(-1)?.toFixed(0)} ms`).join(', ')}\n`,
    );
  }
  const goMedian = median(variants.find((v) => v.cli === undefined)?.ms ?? []);
  const summary = variants.map((v) => ({
    name: v.name,
    medianMs: Math.round(median(v.ms)),
    ratioToGo: Number((median(v.ms) / goMedian).toFixed(2)),
    ms: v.ms.map(Math.round),
    executedCompiles: v.cli === undefined ? undefined : v.compiles,
  }));
  process.stdout.write(`${JSON.stringify({ runs: RUNS, load: os.loadavg(), summary }, null, 2)}\n`);
  fs.rmSync(tmp, { recursive: true, force: true });
}

main();
