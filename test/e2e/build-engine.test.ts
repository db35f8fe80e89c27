import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { actions, finished, go, makeWorkspace, pgobuild, textSection, tempDir } from './harness';
import { SMALL_WORKSPACE } from './small-workspace';

describe('build engine end to end (real Go toolchain)', () => {
  let ws: string;
  beforeAll(() => {
    ws = makeWorkspace(SMALL_WORKSPACE);
  });

  test('builds binaries that run, and whose .text equals go build -trimpath', () => {
    const run = pgobuild(ws, ['build', '//...']);
    expect(run.stderr).toBe('');
    expect(finished(run).exitCode).toBe(0);
    const one = spawnSync(path.join(ws, 'pgobuild-out/bin/cmd/one/one'), { encoding: 'utf8' });
    expect(one.stdout).toBe('hello 42 on linux 42\n');
    const two = spawnSync(path.join(ws, 'pgobuild-out/bin/cmd/two/two'), { encoding: 'utf8' });
    expect(two.stdout).toBe('TWO\n');
    for (const bin of ['one', 'two']) {
      const out = path.join(tempDir('oracle-'), bin);
      const built = go(ws, ['build', '-trimpath', '-o', out, `./cmd/${bin}`]);
      expect(built.stderr).toBe('');
      expect(
        textSection(path.join(ws, 'pgobuild-out/bin/cmd', bin, bin)).equals(textSection(out)),
      ).toBe(true);
      expect(
        go(ws, ['version', '-m', path.join(ws, 'pgobuild-out/bin/cmd', bin, bin)])
          .stdout.split('\n')
          .slice(1),
      ).toEqual(go(ws, ['version', '-m', out]).stdout.split('\n').slice(1));
    }
  });

  test('(a) a second build spawns no compile or link process', () => {
    pgobuild(ws, ['build', '//...']);
    const again = pgobuild(ws, ['build', '//...']);
    const done = finished(again);
    expect(done.exitCode).toBe(0);
    expect(done.executed).toBe(0);
    expect(done.spawns).toBe(0);
    expect(actions(again, 'executed')).toEqual([]);
  });

  test('(b) editing one library rebuilds that package and its dependents, nothing else', () => {
    pgobuild(ws, ['build', '//...']);
    fs.appendFileSync(
      path.join(ws, 'lib/base/base.go'),
      '\n// Triple triples n.\nfunc Triple(n int) int { return 3 * n }\n',
    );
    const run = pgobuild(ws, ['build', '//...']);
    expect(finished(run).exitCode).toBe(0);
    // base's export data changed (a new exported function), so mid, which imports base, is
    // recompiled; mid's own export data comes out byte-identical, so cmd/one (the program, and
    // with its test files for its go_test) and the generated test main are not recompiled: their
    // keys hold their dependencies' export data (early cutoff). Both binaries are relinked with
    // the new link objects. lib/asm, lib/other, cmd/two and every std package are untouched.
    expect(actions(run, 'executed')).toEqual(
      ['//cmd/one', '//cmd/one:one_test', '//lib/base', '//lib/mid'].sort(),
    );
    expect(actions(run, 'executed', 'GoLink')).toEqual(['//cmd/one', '//cmd/one:one_test']);
  });

  test('(e) the same workspace at another path gives 100% cache hits', () => {
    pgobuild(ws, ['build', '//...']);
    const copy = tempDir('pgobuild-moved-');
    fs.cpSync(ws, copy, { recursive: true, filter: (src) => !src.includes('pgobuild-out') });
    const run = pgobuild(copy, ['build', '//...']);
    const done = finished(run);
    expect(done.exitCode).toBe(0);
    expect(done.executed).toBe(0);
    expect(done.cached).toBeGreaterThan(30);
    expect(fs.existsSync(path.join(copy, 'pgobuild-out/bin/cmd/one/one'))).toBe(true);
  });

  test('(f) a corrupted cache blob is detected, evicted and rebuilt', () => {
    const cache = tempDir('pgobuild-corrupt-');
    const first = pgobuild(ws, ['build', '//cmd/one'], { cache });
    expect(finished(first).exitCode).toBe(0);
    // Corrupt every blob in the CAS (flip the first byte), then force reads: remove outputs and
    // edit the main package so its compile needs its dependencies' archives.
    const cas = path.join(cache, 'v1', 'cas');
    for (const shard of fs.readdirSync(cas)) {
      for (const blob of fs.readdirSync(path.join(cas, shard))) {
        const p = path.join(cas, shard, blob);
        fs.chmodSync(p, 0o644);
        const bytes = fs.readFileSync(p);
        if (bytes.length === 0) continue;
        bytes[0] = (bytes[0] as number) ^ 0xff;
        fs.writeFileSync(p, bytes);
      }
    }
    fs.rmSync(path.join(ws, 'pgobuild-out'), { recursive: true, force: true });
    fs.appendFileSync(path.join(ws, 'cmd/one/main.go'), '\n// edited\n');
    const second = pgobuild(ws, ['build', '//cmd/one'], { cache });
    expect(finished(second).exitCode).toBe(0);
    expect(second.events.filter((e) => e.type === 'cache-corruption').length).toBeGreaterThan(0);
    // Each action counts once, as executed or cached, even when a corrupt blob made it run again.
    const analysed = second.events.find((e) => e.type === 'analysis-finished');
    expect(analysed?.type === 'analysis-finished' && analysed.actions).toBeGreaterThan(30);
    expect(finished(second).executed + finished(second).cached).toBe(
      analysed?.type === 'analysis-finished' ? analysed.actions : -1,
    );
    const one = spawnSync(path.join(ws, 'pgobuild-out/bin/cmd/one/one'), { encoding: 'utf8' });
    expect(one.stdout).toBe('hello 42 on linux 42\n');
    // Everything is sound again: a third build is a null build.
    const third = pgobuild(ws, ['build', '//cmd/one'], { cache });
    expect(finished(third).executed).toBe(0);
    expect(third.events.filter((e) => e.type === 'cache-corruption')).toEqual([]);
  });

  test('go_test targets build and pass, and a passing result is cached', () => {
    const run = pgobuild(ws, ['test', '//cmd/one:one_test']);
    expect(finished(run).exitCode).toBe(0);
    expect(
      run.events
        .filter((e) => e.type === 'test-result')
        .map((e) => (e.type === 'test-result' ? e.status : '')),
    ).toEqual(['passed']);
    const again = pgobuild(ws, ['test', '//cmd/one:one_test']);
    expect(
      again.events
        .filter((e) => e.type === 'test-result')
        .map((e) => (e.type === 'test-result' ? e.status : '')),
    ).toEqual(['cached']);
  });
});
