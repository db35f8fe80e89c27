import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildEvent } from '../../src/events';
import { type CliRun, finished, makeWorkspace, pgobuild, tempDir } from './harness';
import { SMALL_WORKSPACE } from './small-workspace';

/**
 * The persisted analysis cache must give exactly the graph a full analysis gives: after each of a
 * seeded random sequence of edits, a build that uses the cache and one that analyses from scratch
 * (PGOBUILD_ANALYSIS_CACHE=off) must produce the same actions with the same keys.
 *
 * Every file's mtime is set to one whole second an hour ago, and an edited file gets that mtime
 * back: the cache must notice changes through the rest of the stat signature (size, ctime), the
 * case where a cache keyed on size and mtime alone would serve a stale scan.
 */

/** A small seeded PRNG (mulberry32), so that a failing sequence can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORKSPACE: Readonly<Record<string, string>> = {
  ...SMALL_WORKSPACE,
  // A package whose files come from a glob: files added and removed change it without a BUILD edit.
  'lib/globbed/BUILD': 'go_library(\n    name = "globbed",\n    srcs = glob(["*.go"]),\n)\n',
  'lib/globbed/a.go': 'package globbed\n\n// A is one.\nfunc A() int { return 1 }\n',
  'cmd/two/BUILD':
    'go_binary(\n    name = "two",\n    srcs = ["main.go"],\n    deps = [\n        "//lib/globbed",\n        "//lib/other",\n    ],\n)\n',
  'cmd/two/main.go':
    'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/small/lib/globbed"\n\t"example.com/small/lib/other"\n)\n\nfunc main() { fmt.Println(other.Shout("two"), globbed.A()) }\n',
};

/** One second-aligned time an hour ago: every file's mtime, restored after each edit. */
const OLD_MTIME = Math.floor(Date.now() / 1000) - 3600;

interface Edit {
  readonly name: string;
  /**
   * Whether a warm server's next build keeps its analysis (src/analysis/source-patch.ts): the
   * edit changes non-test Go files and leaves their header scans equal.
   */
  readonly keepsAnalysis: boolean;
  /** Applies the edit; returns false when it does not apply to the workspace's current state. */
  readonly apply: (ws: string, random: () => number) => boolean;
}

function read(ws: string, rel: string): string {
  return fs.readFileSync(path.join(ws, rel), 'utf8');
}

function write(ws: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
  fs.writeFileSync(path.join(ws, rel), text);
}

const GO_FILES_WITH_FUNCS = ['lib/base/base.go', 'lib/other/other.go', 'lib/globbed/a.go'];

const EDITS: readonly Edit[] = [
  {
    // Same size: the digit of a constant changes. Only ctime tells the file changed.
    name: 'change a function body, same size',
    keepsAnalysis: true,
    apply: (ws, random) => {
      const rel = 'lib/base/base.go';
      const text = read(ws, rel);
      const m = /return (\d) \* n/.exec(text);
      if (m === null) return false;
      const next = String((Number(m[1]) + 1 + Math.floor(random() * 7)) % 10 || 3);
      write(ws, rel, text.replace(/return \d \* n/, `return ${next} * n`));
      return true;
    },
  },
  {
    name: 'change a function body, new size',
    keepsAnalysis: true,
    apply: (ws, random) => {
      const rel = GO_FILES_WITH_FUNCS[Math.floor(random() * GO_FILES_WITH_FUNCS.length)] as string;
      write(
        ws,
        rel,
        `${read(ws, rel)}\nfunc unused${Math.floor(random() * 1e6)}() int { return 7 }\n`,
      );
      return true;
    },
  },
  {
    name: 'add an import',
    keepsAnalysis: false,
    apply: (ws) => {
      const rel = 'lib/other/other.go';
      const text = read(ws, rel);
      if (text.includes('"sort"')) return false;
      write(
        ws,
        rel,
        text.replace('import "strings"', 'import (\n\t"sort"\n\t"strings"\n)') +
          '\n// Sorted sorts s.\nfunc Sorted(s []string) { sort.Strings(s) }\n',
      );
      return true;
    },
  },
  {
    name: 'remove an import',
    keepsAnalysis: false,
    apply: (ws) => {
      const rel = 'lib/other/other.go';
      const text = read(ws, rel);
      if (!text.includes('"sort"')) return false;
      write(
        ws,
        rel,
        text
          .replace('import (\n\t"sort"\n\t"strings"\n)', 'import "strings"')
          .replace('\n// Sorted sorts s.\nfunc Sorted(s []string) { sort.Strings(s) }\n', ''),
      );
      return true;
    },
  },
  {
    name: 'add a new .go file',
    keepsAnalysis: false,
    apply: (ws, random) => {
      const n = Math.floor(random() * 1e6);
      write(
        ws,
        `lib/globbed/new${n}.go`,
        `package globbed\n\nimport "strconv"\n\n// N${n} formats.\nfunc N${n}() string { return strconv.Itoa(${n}) }\n`,
      );
      return true;
    },
  },
  {
    name: 'delete a file',
    keepsAnalysis: false,
    apply: (ws, random) => {
      const dir = path.join(ws, 'lib/globbed');
      const victims = fs.readdirSync(dir).filter((n) => n !== 'a.go' && n.endsWith('.go'));
      const victim = victims[Math.floor(random() * victims.length)];
      if (victim === undefined) return false;
      fs.rmSync(path.join(dir, victim));
      return true;
    },
  },
  {
    name: 'add a build-tag-constrained file',
    keepsAnalysis: false,
    apply: (ws, random) => {
      const n = Math.floor(random() * 1e6);
      // Excluded on this platform: it would not even compile (A is already declared).
      write(
        ws,
        `lib/globbed/tagged${n}_x.go`,
        '//go:build !linux\n\npackage globbed\n\nfunc A() int { return 2 }\n',
      );
      return true;
    },
  },
  {
    name: 'flip a build constraint of an existing file',
    keepsAnalysis: false,
    apply: (ws) => {
      const dir = path.join(ws, 'lib/globbed');
      const tagged = fs.readdirSync(dir).find((n) => n.startsWith('tagged'));
      if (tagged === undefined) return false;
      const rel = `lib/globbed/${tagged}`;
      const text = read(ws, rel);
      // Same size both ways: "!linux" and "ignore" have the same length.
      write(
        ws,
        rel,
        text.includes('!linux')
          ? text.replace('!linux', 'ignore')
          : text.replace('ignore', '!linux'),
      );
      return true;
    },
  },
  {
    name: 'edit a BUILD file deps (and the import that needs it)',
    keepsAnalysis: false,
    apply: (ws) => {
      const rel = 'cmd/two/BUILD';
      const build = read(ws, rel);
      const main = read(ws, 'cmd/two/main.go');
      if (build.includes('//lib/base')) {
        write(ws, rel, build.replace('        "//lib/base",\n', ''));
        write(
          ws,
          'cmd/two/main.go',
          main.replace('\t"example.com/small/lib/base"\n', '').replace(', base.Double(1))', ')'),
        );
      } else {
        write(ws, rel, build.replace('    deps = [\n', '    deps = [\n        "//lib/base",\n'));
        write(
          ws,
          'cmd/two/main.go',
          main
            .replace(
              '\t"example.com/small/lib/globbed"\n',
              '\t"example.com/small/lib/base"\n\t"example.com/small/lib/globbed"\n',
            )
            .replace('globbed.A())', 'globbed.A(), base.Double(1))'),
        );
      }
      return true;
    },
  },
  {
    name: 'touch a file without changing it',
    keepsAnalysis: true,
    apply: (ws, random) => {
      const rel = GO_FILES_WITH_FUNCS[Math.floor(random() * GO_FILES_WITH_FUNCS.length)] as string;
      write(ws, rel, read(ws, rel));
      return true;
    },
  },
];

/**
 * Sets the mtime of every file that does not have it yet (the ones just written) to
 * {@link OLD_MTIME}: nothing is racy, and edits keep their mtime. Other files are left alone
 * (setting a time changes ctime too).
 */
function ageFiles(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.name === 'pgobuild-out') continue;
    if (e.isDirectory()) ageFiles(p);
    else if (fs.statSync(p).mtimeMs !== OLD_MTIME * 1000) fs.utimesSync(p, OLD_MTIME, OLD_MTIME);
  }
}

type ActionFinished = Extract<BuildEvent, { type: 'action-finished' }>;

/** Action id → key of a build, and the events that tell whether analysis used the cache. */
function keysOf(run: CliRun): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const e of run.events)
    if (e.type === 'action-finished') keys[(e as ActionFinished).id] = (e as ActionFinished).key;
  return keys;
}

function scanCacheOf(run: CliRun): { hits: number; misses: number } {
  const e = run.events.find((x) => x.type === 'analysis-cache');
  if (e?.type !== 'analysis-cache') throw new Error(`no analysis-cache event:\n${run.stdout}`);
  return { hits: e.sourceFileHits, misses: e.sourceFileMisses };
}

describe('incremental analysis', () => {
  const ws = makeWorkspace(WORKSPACE);
  const build = (cwd: string, env: NodeJS.ProcessEnv = process.env): CliRun => {
    const run = pgobuild(cwd, ['build', '//...'], { env });
    const f = finished(run);
    if (f.exitCode !== 0) throw new Error(`build failed:\n${run.stderr}\n${run.stdout}`);
    // A replay would analyse nothing: both builds must really analyse.
    expect(f.replayed).not.toBe(true);
    return run;
  };
  /** A build from the workspace root with the cache, and one from cmd/ without it (another
   * working directory, so the up-to-date check cannot answer it with the first one's events). */
  const cachedThenFresh = (): { cached: CliRun; fresh: CliRun } => {
    const cached = build(ws);
    const fresh = build(path.join(ws, 'cmd'), {
      ...process.env,
      PGOBUILD_ANALYSIS_CACHE: 'off',
    });
    return { cached, fresh };
  };

  it('gives the graph and keys of a full analysis after each of a random sequence of edits', () => {
    const seed = Number(process.env['PGOBUILD_INCR_SEED'] ?? 20261204);
    const random = prng(seed);
    ageFiles(ws);
    // Fills the cache (nothing racy: every file is an hour old).
    const first = cachedThenFresh();
    expect(keysOf(first.cached)).toEqual(keysOf(first.fresh));
    expect(scanCacheOf(first.fresh)).toEqual({ hits: 0, misses: 0 });
    let totalHits = 0;
    const applied: string[] = [];
    // Each kind of edit at least once, then random ones.
    const order = [...EDITS.map((_, i) => i)];
    for (let i = 0; i < 8; i++) order.push(Math.floor(random() * EDITS.length));
    for (const index of order) {
      const edit = EDITS[index] as Edit;
      if (!edit.apply(ws, random)) continue;
      applied.push(edit.name);
      ageFiles(ws);
      const { cached, fresh } = cachedThenFresh();
      const context = `seed ${seed}, after: ${applied.join(' → ')}`;
      const cachedKeys = keysOf(cached);
      expect({ context, keys: cachedKeys }).toEqual({ context, keys: keysOf(fresh) });
      expect(Object.keys(cachedKeys).length).toBeGreaterThan(10);
      const stats = scanCacheOf(cached);
      totalHits += stats.hits;
      // Every file but the edited ones comes from the cache.
      expect({ context, hits: stats.hits > 0 }).toEqual({ context, hits: true });
    }
    expect(applied.length).toBeGreaterThanOrEqual(EDITS.length);
    expect(totalHits).toBeGreaterThan(0);
  }, 900_000);
});

/**
 * The environment of commands through a server of `ws` (its socket and log under a TMPDIR of its
 * own), stopped after the describe block's tests.
 */
function warmServer(ws: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PGOBUILD_BATCH: '0',
    PGOBUILD_MAX_IDLE_SECS: '300',
    TMPDIR: tempDir('pgobuild-kept-analysis-'),
  };
  afterAll(() => {
    pgobuild(ws, ['shutdown'], { env, json: false });
  });
  return env;
}

/** A build's analysis-finished event. */
function analysisOf(run: CliRun): Extract<BuildEvent, { type: 'analysis-finished' }> {
  const e = run.events.find((x) => x.type === 'analysis-finished');
  if (e?.type !== 'analysis-finished') throw new Error(`no analysis-finished:\n${run.stdout}`);
  return e;
}

describe('a warm server keeping its last analysis', () => {
  const ws = makeWorkspace(WORKSPACE);
  const serverEnv = warmServer(ws);

  it('gives the keys of a full analysis after each of a random sequence of edits, kept exactly when only Go sources changed below their headers', () => {
    const seed = Number(process.env['PGOBUILD_INCR_SEED'] ?? 20261207);
    const random = prng(seed);
    const viaServer = (): CliRun => {
      const run = pgobuild(ws, ['build', '//...'], { env: serverEnv });
      const f = finished(run);
      if (f.exitCode !== 0) throw new Error(`build failed:\n${run.stderr}\n${run.stdout}`);
      expect(f.replayed).not.toBe(true);
      return run;
    };
    /** A full analysis from scratch, in another process and working directory. */
    const fresh = (): CliRun => {
      const run = pgobuild(path.join(ws, 'cmd'), ['build', '//...'], {
        env: { ...process.env, PGOBUILD_ANALYSIS_CACHE: 'off' },
      });
      if (finished(run).exitCode !== 0) throw new Error(`build failed:\n${run.stderr}`);
      return run;
    };
    ageFiles(ws);
    expect(analysisOf(viaServer()).patched).toBeUndefined();
    const applied: string[] = [];
    const order = [...EDITS.map((_, i) => i)];
    for (let i = 0; i < 8; i++) order.push(Math.floor(random() * EDITS.length));
    let kept = 0;
    for (const index of order) {
      const edit = EDITS[index] as Edit;
      if (!edit.apply(ws, random)) continue;
      applied.push(edit.name);
      ageFiles(ws);
      const served = viaServer();
      const context = `seed ${seed}, after: ${applied.join(' → ')}`;
      expect({ context, keys: keysOf(served) }).toEqual({ context, keys: keysOf(fresh()) });
      const patched = analysisOf(served).patched;
      expect({ context, kept: patched !== undefined }).toEqual({
        context,
        kept: edit.keepsAnalysis,
      });
      if (patched !== undefined) kept++;
    }
    expect(kept).toBeGreaterThanOrEqual(3);
  }, 900_000);
});

describe('a warm server after a compile error', () => {
  const ws = makeWorkspace(SMALL_WORKSPACE);
  const serverEnv = warmServer(ws);

  it('keeps the analysis of the failed build: the fix is built from it, with the keys of a full analysis', () => {
    const build = (): CliRun => pgobuild(ws, ['build', '//...'], { env: serverEnv });
    ageFiles(ws);
    expect(finished(build()).exitCode).toBe(0);
    const base = path.join(ws, 'lib', 'base', 'base.go');
    const good = fs.readFileSync(base, 'utf8');
    fs.writeFileSync(base, good.replace('return 2 * n', 'return 2 * undefinedName'));
    ageFiles(ws);
    const failed = build();
    expect(finished(failed).exitCode).toBe(1);
    expect(analysisOf(failed).patched).toEqual(['lib/base/base.go']);
    fs.writeFileSync(base, good.replace('return 2 * n', 'return n + n'));
    ageFiles(ws);
    const fixed = build();
    expect(finished(fixed).exitCode).toBe(0);
    expect(analysisOf(fixed).patched).toEqual(['lib/base/base.go']);
    const fresh = pgobuild(path.join(ws, 'cmd'), ['build', '//...'], {
      env: { ...process.env, PGOBUILD_ANALYSIS_CACHE: 'off' },
    });
    expect(keysOf(fixed)).toEqual(keysOf(fresh));
  }, 300_000);
});
