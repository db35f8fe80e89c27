import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, finished, makeWorkspace, pgobuild } from './harness';
import { SMALL_WORKSPACE } from './small-workspace';

describe('query, run, explain, clean', () => {
  let ws: string;
  beforeAll(() => {
    ws = makeWorkspace({
      ...SMALL_WORKSPACE,
      'macros/defs.bzl':
        'def small_library(name, **kwargs):\n    go_library(name = name, srcs = [name + ".go"], **kwargs)\n',
      'lib/viamacro/BUILD':
        'load("//macros:defs.bzl", "small_library")\n\nsmall_library(name = "viamacro")\n',
      'lib/viamacro/viamacro.go': 'package viamacro\n\n// Seven is 7.\nconst Seven = 7\n',
      'node_modules/junk/BUILD': 'this is not starlark(\n',
      '.pgobuildignore': '# generated code\nignored\n',
      'ignored/BUILD': 'also not starlark(\n',
    });
  });

  test('query: patterns, deps, rdeps and kind', () => {
    const all = pgobuild(ws, ['query', '//...'], { json: false });
    expect(all.code).toBe(0);
    expect(all.stdout.split('\n').filter(Boolean)).toEqual([
      '//cmd/one',
      '//cmd/one:one_test',
      '//cmd/two',
      '//lib/asm',
      '//lib/base',
      '//lib/mid',
      '//lib/other',
      '//lib/viamacro',
    ]);
    expect(pgobuild(ws, ['query', 'deps(//cmd/one)'], { json: false }).stdout).toBe(
      '//cmd/one\n//lib/asm\n//lib/base\n//lib/mid\n',
    );
    expect(pgobuild(ws, ['query', 'rdeps(//..., //lib/base)'], { json: false }).stdout).toBe(
      '//cmd/one\n//cmd/one:one_test\n//lib/base\n//lib/mid\n',
    );
    expect(pgobuild(ws, ['query', "kind('go_binary', //...)"], { json: false }).stdout).toBe(
      '//cmd/one\n//cmd/two\n',
    );
  });

  test('a macro loaded from a .bzl file declares targets in the calling package', () => {
    const run = pgobuild(ws, ['build', '//lib/viamacro']);
    expect(finished(run).exitCode).toBe(0);
  });

  test('run passes arguments after -- and returns the program exit code', () => {
    const run = pgobuild(ws, ['run', '//cmd/two', '--', 'ignored-arg'], { json: false });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('TWO\n');
  });

  test('explain names the key component that changed, and the profile digests', () => {
    pgobuild(ws, ['build', '//cmd/one']);
    fs.appendFileSync(
      path.join(ws, 'lib/asm/add.go'),
      '\n// Sub is not implemented in assembly.\nfunc Sub(a, b int64) int64 { return a - b }\n',
    );
    pgobuild(ws, ['build', '//cmd/one']);
    const explained = pgobuild(ws, ['explain', '//cmd/one'], { json: false });
    expect(explained.code).toBe(0);
    expect(explained.stdout).toMatch(
      /executed {3}GoCompile \/\/lib\/asm\n {15}because input changed: lib\/asm\/add\.go \([0-9a-f]{12}… → [0-9a-f]{12}…\)/,
    );
    expect(explained.stdout).toMatch(/cached {5}GoCompile runtime/);
    fs.copyFileSync(
      path.join(REPO, 'test/fixtures/profiles/p2pool-observer-daemon.cpu.pprof'),
      path.join(ws, 'cmd/one/default.pgo'),
    );
    pgobuild(ws, ['build', '//cmd/one']);
    // The first build with a profile: each action's previous run was the build without one.
    const added = pgobuild(ws, ['explain', '//cmd/one'], { json: false });
    expect(added.stdout).toMatch(
      /executed {3}GoCompile runtime \[pgo [0-9a-f]{8}…\]\n {15}because profile added: [0-9a-f]{12}… \(profile cmd\/one\/default\.pgo of binary \/\/cmd\/one; built without a profile before\)/,
    );
    expect(added.stdout).not.toContain('first build of this action');
    fs.copyFileSync(
      path.join(REPO, 'test/fixtures/profiles/p2pool-observer-web.cpu.pprof'),
      path.join(ws, 'cmd/one/default.pgo'),
    );
    pgobuild(ws, ['build', '//cmd/one']);
    const pgo = pgobuild(ws, ['explain', '//cmd/one'], { json: false });
    expect(pgo.stdout).toMatch(
      /executed {3}GoCompile runtime \[pgo [0-9a-f]{8}…\]\n {15}because profile changed: [0-9a-f]{12}… → [0-9a-f]{12}… \(profile cmd\/one\/default\.pgo of binary \/\/cmd\/one\)/,
    );
    fs.rmSync(path.join(ws, 'cmd/one/default.pgo'));
    // After a null build explain says so in one line; --verbose lists the cached actions.
    pgobuild(ws, ['build', '//cmd/one']);
    pgobuild(ws, ['build', '//cmd/one']);
    const nothing = pgobuild(ws, ['explain', '//cmd/one'], { json: false });
    expect(nothing.stdout).toMatch(
      /^Last build of \/\/cmd\/one: all \d+ actions cached, nothing ran\n$/,
    );
    const verbose = pgobuild(ws, ['explain', '//cmd/one', '--verbose'], { json: false });
    expect(verbose.stdout).toMatch(/cached {5}GoCompile runtime/);
  });

  test('//... skips node_modules and .pgobuildignore entries; clean removes pgobuild-out', () => {
    expect(pgobuild(ws, ['build', '//...']).code).toBe(0);
    expect(fs.existsSync(path.join(ws, 'pgobuild-out'))).toBe(true);
    const clean = pgobuild(ws, ['clean'], { json: false });
    expect(clean.code).toBe(0);
    expect(clean.stderr).toContain(`Removed ${path.join(ws, 'pgobuild-out')}`);
    expect(fs.existsSync(path.join(ws, 'pgobuild-out'))).toBe(false);
  });

  test('usage errors exit with 2', () => {
    expect(pgobuild(ws, ['frobnicate'], { json: false }).code).toBe(2);
    expect(pgobuild(ws, ['build', '--jobs=0'], { json: false }).code).toBe(2);
  });
});
