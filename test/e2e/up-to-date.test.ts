import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildEvent } from '../../src/events';
import { type CliRun, finished, makeWorkspace, pgobuild, tempDir } from './harness';
import { SMALL_WORKSPACE } from './small-workspace';

/**
 * The up-to-date check (src/orchestration/up-to-date.ts): a null build records what it depended on, and
 * the next identical build replays its answer only while none of that changed.
 */

/** Sets every file's and directory's modification time an hour back: out of the racy window. */
function backdate(dir: string): void {
  const past = new Date(Date.now() - 3600_000);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    fs.utimesSync(path.join(entry.parentPath, entry.name), past, past);
  }
}

function replayed(run: CliRun): boolean {
  return finished(run).replayed === true;
}

/** The events that say what the build did, without timings. */
function outcome(run: CliRun): unknown[] {
  return run.events
    .filter((e) => e.type !== 'progress')
    .map((e: BuildEvent) => {
      if (e.type === 'action-finished') return { ...e, durationMs: 0 };
      if (e.type === 'analysis-finished') return { ...e, durationMs: 0 };
      if (e.type === 'command-finished') return { ...e, durationMs: 0, replayed: undefined };
      return e;
    });
}

describe('the up-to-date check', () => {
  const cache = tempDir('pgobuild-utd-cache-');
  const ws = makeWorkspace(SMALL_WORKSPACE);
  const build = (...args: string[]): CliRun => {
    const run = pgobuild(ws, ['build', ...(args.length > 0 ? args : ['//...'])], { cache });
    if (finished(run).exitCode !== 0) throw new Error(`build failed:\n${run.stderr}`);
    return run;
  };
  /** Brings the workspace to "recorded": a full null build, then one that replays. */
  const settle = (): CliRun => {
    backdate(ws);
    const full = build();
    expect(finished(full).executed).toBe(0);
    expect(replayed(full)).toBe(false);
    const again = build();
    expect(replayed(again)).toBe(true);
    return full;
  };

  beforeAll(() => {
    build();
  });

  test('a repeated null build replays the same events without analysis or processes', () => {
    const full = settle();
    const again = build();
    expect(replayed(again)).toBe(true);
    expect(finished(again).spawns).toBe(0);
    expect(outcome(again)).toEqual(outcome(full));
    const one = spawnSync(path.join(ws, 'pgobuild-out/bin/cmd/one/one'), { encoding: 'utf8' });
    expect(one.stdout).toBe('hello 42 on linux 42\n');
  });

  test('a same-size edit of a compiled source rebuilds', () => {
    settle();
    const file = path.join(ws, 'lib/base/base.go');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('2 * n', '3 * n'));
    const run = build();
    expect(replayed(run)).toBe(false);
    expect(finished(run).executed).toBeGreaterThan(0);
    const one = spawnSync(path.join(ws, 'pgobuild-out/bin/cmd/one/one'), { encoding: 'utf8' });
    expect(one.stdout).toBe('hello 63 on linux 42\n');
  });

  // Changes that analysis reads but that change no action: they must still be looked at.
  test.each<[string, () => void]>([
    [
      'an edit of a file excluded by build constraints',
      () => {
        const file = path.join(ws, 'lib/base/sys_other.go');
        fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('other', 'OTHER'));
      },
    ],
    [
      'a new file in a package directory',
      () => fs.writeFileSync(path.join(ws, 'lib/base/notes.txt'), 'n'),
    ],
    [
      'a comment added to a BUILD file',
      () => fs.appendFileSync(path.join(ws, 'lib/other/BUILD'), '# note\n'),
    ],
    ['a comment added to go.mod', () => fs.appendFileSync(path.join(ws, 'go.mod'), '// note\n')],
    [
      'a .pgobuildignore entry',
      () => fs.writeFileSync(path.join(ws, '.pgobuildignore'), 'nothing/\n'),
    ],
  ])('%s brings back a full null build', (_what, change) => {
    settle();
    change();
    const run = build();
    expect(replayed(run)).toBe(false);
    expect(finished(run).executed).toBe(0);
  });

  test('a new package under a ... pattern is found', () => {
    const before = settle();
    fs.mkdirSync(path.join(ws, 'lib/extra'));
    fs.writeFileSync(
      path.join(ws, 'lib/extra/BUILD'),
      'go_library(\n    name = "extra",\n    srcs = ["extra.go"],\n)\n',
    );
    fs.writeFileSync(path.join(ws, 'lib/extra/extra.go'), 'package extra\n\nconst X = 1\n');
    const run = build();
    expect(replayed(run)).toBe(false);
    const targets = (r: CliRun): number => {
      const e = r.events.find((x) => x.type === 'analysis-finished');
      return e?.type === 'analysis-finished' ? e.targets : -1;
    };
    expect(targets(run)).toBe(targets(before) + 1);
  });

  test('a deleted output is placed again', () => {
    settle();
    const binary = path.join(ws, 'pgobuild-out/bin/cmd/two/two');
    fs.rmSync(binary);
    const run = build();
    expect(replayed(run)).toBe(false);
    expect(spawnSync(binary, { encoding: 'utf8' }).stdout).toBe('TWO\n');
  });

  test('another request, or a replaced disk cache, is not answered from the recording', () => {
    settle();
    expect(replayed(build('//cmd/one'))).toBe(false);
    settle();
    expect(replayed(build('//...', '--pgo=off'))).toBe(false);
    settle();
    // The same entries in a new directory (another inode): the recording no longer applies.
    const moved = `${cache}-moved`;
    fs.cpSync(cache, moved, { recursive: true });
    fs.rmSync(cache, { recursive: true });
    fs.renameSync(moved, cache);
    const run = build();
    expect(replayed(run)).toBe(false);
    expect(finished(run).executed).toBe(0);
  });

  test('test and run commands drop the recording (they rewrite the explain log)', () => {
    settle();
    const t = pgobuild(ws, ['test', '//cmd/one:one_test'], { cache });
    expect(finished(t).exitCode).toBe(0);
    expect(replayed(build())).toBe(false);
  });

  test('the build right after a rebuild replays what a null build emits, even with the edited source still too recent to trust by stat', () => {
    settle();
    const file = path.join(ws, 'lib/base/base.go');
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, original.replace(/\d \* n/, '5 * n'));
    const rebuild = build();
    expect(finished(rebuild).executed).toBeGreaterThan(0);
    const next = build();
    expect(replayed(next)).toBe(true);
    expect(finished(next).spawns).toBe(0);
    // Exactly the events of a full null build (the recording removed: analysis, keys, lookups).
    fs.rmSync(path.join(ws, 'pgobuild-out/.pgobuild/up-to-date.json'));
    const full = build();
    expect(replayed(full)).toBe(false);
    expect(finished(full).executed).toBe(0);
    // The same events in any order (actions finish in the order they ran), and the same last one.
    const sameEvents = (r: CliRun): string[] =>
      outcome(r)
        .filter((e) => (e as BuildEvent).type !== 'analysis-cache')
        .map((e) => JSON.stringify(e))
        .sort();
    expect(sameEvents(next)).toEqual(sameEvents(full));
    expect(outcome(next).at(-1)).toEqual(outcome(full).at(-1));
    const one = spawnSync(path.join(ws, 'pgobuild-out/bin/cmd/one/one'), { encoding: 'utf8' });
    expect(one.stdout).toBe('hello 105 on linux 42\n');
    fs.writeFileSync(file, original);
  });

  test('after a replayed rebuild, explain says every action was cached', () => {
    settle();
    const file = path.join(ws, 'lib/base/base.go');
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, original.replace(/\d \* n/, '7 * n'));
    expect(finished(build()).executed).toBeGreaterThan(0);
    expect(replayed(build())).toBe(true);
    const explain = pgobuild(ws, ['explain', '//cmd/one'], { cache, json: false });
    expect(explain.stdout).toMatch(/all \d+ actions cached, nothing ran/);
    fs.writeFileSync(file, original);
  });

  test('a build right after an edit of a BUILD file records nothing: the edit is too recent to trust', () => {
    settle();
    const file = path.join(ws, 'cmd/two/BUILD');
    fs.appendFileSync(file, '# recent\n');
    expect(replayed(build())).toBe(false);
    // Modified "now" as far as the next build can tell, however long the last one took.
    fs.utimesSync(file, new Date(), new Date());
    expect(replayed(build())).toBe(false);
    expect(replayed(build())).toBe(false);
  });
});
