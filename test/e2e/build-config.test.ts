import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { finished, go, makeWorkspace, pgobuild, tempDir, textSection } from './harness';

/** The build settings lines of `go version -m`. */
function settings(ws: string, binary: string): string[] {
  return go(ws, ['version', '-m', binary])
    .stdout.split('\n')
    .filter((l) => l.trim().startsWith('build\t'))
    .map((l) => l.trim());
}

/** Sets every file's and directory's modification time an hour back (out of the racy window). */
function backdate(dir: string): void {
  const past = new Date(Date.now() - 3600_000);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true }))
    fs.utimesSync(path.join(entry.parentPath, entry.name), past, past);
}

/** What a binary prints. */
function output(binary: string): string {
  return spawnSync(binary, [], { encoding: 'utf8' }).stdout;
}

// One main package whose file set depends on the tag `fancy`, in the library and in main.
const WORKSPACE = {
  'go.mod': 'module example.com/cfg\n\ngo 1.22\n',
  'lib/BUILD': 'go_library(\n    name = "lib",\n    srcs = ["plain.go", "fancy.go"],\n)\n',
  'lib/plain.go':
    '//go:build !fancy\n\npackage lib\n\n// Suffix ends the greeting (set by -X).\nvar Suffix string\n\n// Greeting says hello.\nfunc Greeting() string { return "hello" + Suffix }\n',
  'lib/fancy.go':
    '//go:build fancy\n\npackage lib\n\n// Greeting says hello, fancily.\nfunc Greeting() string {\n\ts := ""\n\tfor i := 0; i < 3; i++ {\n\t\ts += "~"\n\t}\n\treturn s + "hello" + s\n}\n',
  'cmd/x/BUILD':
    'go_binary(\n    name = "x",\n    srcs = ["main.go"],\n    deps = ["//lib"],\n)\n\ngo_binary(\n    name = "stripped",\n    srcs = ["main.go"],\n    gc_linkopts = ["-s", "-w"],\n    deps = ["//lib"],\n)\n\ngo_binary(\n    name = "stamped",\n    srcs = ["main.go"],\n    x_defs = {\n        "version": "{STABLE_V}-x",\n        "example.com/cfg/lib.Suffix": "!",\n    },\n    deps = ["//lib"],\n)\n',
  'cmd/n/BUILD': 'go_binary(\n    name = "n",\n    srcs = ["main.go"],\n)\n',
  'cmd/n/main.go':
    'package main\n\nimport "net"\n\nfunc main() {\n\tif _, err := net.LookupPort("tcp", "http"); err != nil {\n\t\tpanic(err)\n\t}\n}\n',
  'cmd/x/main.go':
    'package main\n\nimport "example.com/cfg/lib"\n\nvar version = "dev"\n\nfunc main() { println(lib.Greeting(), version) }\n',
};

describe('build configuration (--gotags, --linkopt, gc_linkopts)', () => {
  const ws = makeWorkspace(WORKSPACE, 'pgobuild-cfg-');
  const ours = path.join(ws, 'pgobuild-out/bin/cmd/x/x');
  const goOut = tempDir('pgobuild-cfg-go-');

  it('--gotags and --linkopt build what go build -tags -ldflags builds', () => {
    const run = pgobuild(ws, [
      'build',
      '//cmd/x',
      '--gotags=fancy',
      '--linkopt=-X=main.version=1.2',
    ]);
    expect({ code: finished(run).exitCode, stderr: run.stderr }).toMatchObject({ code: 0 });
    const theirs = path.join(goOut, 'x-fancy');
    const g = go(ws, [
      'build',
      '-trimpath',
      '-tags=fancy',
      '-ldflags=-X=main.version=1.2',
      '-o',
      theirs,
      './cmd/x',
    ]);
    expect(g.stderr).toBe('');
    expect(textSection(ours).equals(textSection(theirs))).toBe(true);
    expect(settings(ws, ours)).toEqual(settings(ws, theirs));
    expect(settings(ws, ours)).toContain('build\t-tags=fancy');
    expect(output(ours)).toBe('');
    const printed = spawnSync(ours, [], { encoding: 'utf8' }).stderr;
    expect(printed).toBe(spawnSync(theirs, [], { encoding: 'utf8' }).stderr);
    expect(printed).toBe('~~~hello~~~ 1.2\n');

    // Without the tag (and the -X) the other file compiles: the flags are part of the keys.
    const plain = pgobuild(ws, ['build', '//cmd/x']);
    expect(finished(plain).exitCode).toBe(0);
    expect(finished(plain).executed).toBeGreaterThan(0);
    expect(spawnSync(ours, [], { encoding: 'utf8' }).stderr).toBe('hello dev\n');
    expect(settings(ws, ours).some((l) => l.startsWith('build\t-tags'))).toBe(false);

    // A recorded null build is not replayed for a request with other tags or linker flags.
    backdate(ws);
    expect(finished(pgobuild(ws, ['build', '//cmd/x'])).executed).toBe(0);
    expect(finished(pgobuild(ws, ['build', '//cmd/x'])).replayed).toBe(true);
    const again = pgobuild(ws, [
      'build',
      '//cmd/x',
      '--gotags=fancy',
      '--linkopt=-X=main.version=3',
    ]);
    expect(finished(again).exitCode).toBe(0);
    expect(finished(again).replayed).not.toBe(true);
    expect(spawnSync(ours, [], { encoding: 'utf8' }).stderr).toBe('~~~hello~~~ 3\n');
  }, 600000);

  it('--gotags selects standard-library files too (netgo), as go build -tags', () => {
    const run = pgobuild(ws, ['build', '//cmd/n', '--gotags=netgo']);
    expect({ code: finished(run).exitCode, stderr: run.stderr }).toMatchObject({ code: 0 });
    const mine = path.join(ws, 'pgobuild-out/bin/cmd/n/n');
    const theirs = path.join(goOut, 'n');
    const g = go(ws, ['build', '-trimpath', '-tags=netgo', '-o', theirs, './cmd/n']);
    expect(g.stderr).toBe('');
    expect(textSection(mine).equals(textSection(theirs))).toBe(true);
    expect(settings(ws, mine)).toEqual(settings(ws, theirs));
  }, 600000);

  it('gc_linkopts = ["-s", "-w"] links as go build -ldflags="-s -w"', () => {
    const run = pgobuild(ws, ['build', '//cmd/x:stripped']);
    expect({ code: finished(run).exitCode, stderr: run.stderr }).toMatchObject({ code: 0 });
    const mine = path.join(ws, 'pgobuild-out/bin/cmd/x/stripped');
    const theirs = path.join(goOut, 'stripped');
    const g = go(ws, ['build', '-trimpath', '-ldflags=-s -w', '-o', theirs, './cmd/x']);
    expect(g.stderr).toBe('');
    expect(textSection(mine).equals(textSection(theirs))).toBe(true);
    expect(settings(ws, mine)).toEqual(settings(ws, theirs));
    // No symbol table: go tool nm finds none, as in go build's binary.
    expect(go(ws, ['tool', 'nm', mine]).stderr).toContain('no symbols');
  }, 600000);

  it('x_defs with --stamp links as go build -ldflags=-X with the status values', () => {
    const mine = path.join(ws, 'pgobuild-out/bin/cmd/x/stamped');
    const stamped = pgobuild(ws, [
      'build',
      '//cmd/x:stamped',
      '--stamp',
      '--workspace_status_command=echo STABLE_V 3.4; echo OTHER y',
    ]);
    expect({ code: finished(stamped).exitCode, stderr: stamped.stderr }).toMatchObject({ code: 0 });
    const theirs = path.join(goOut, 'stamped');
    const g = go(ws, [
      'build',
      '-trimpath',
      '-ldflags=-X main.version=3.4-x -X example.com/cfg/lib.Suffix=!',
      '-o',
      theirs,
      './cmd/x',
    ]);
    expect(g.stderr).toBe('');
    expect(textSection(mine).equals(textSection(theirs))).toBe(true);
    expect(settings(ws, mine)).toEqual(settings(ws, theirs));
    expect(spawnSync(mine, [], { encoding: 'utf8' }).stderr).toBe('hello! 3.4-x\n');

    // Without --stamp the value is linked as written, and the link re-runs.
    const plain = pgobuild(ws, ['build', '//cmd/x:stamped']);
    expect(finished(plain).exitCode).toBe(0);
    expect(spawnSync(mine, [], { encoding: 'utf8' }).stderr).toBe('hello! {STABLE_V}-x\n');

    // A failing status command stops the build, naming the flag.
    const failing = pgobuild(ws, [
      'build',
      '//cmd/x:stamped',
      '--stamp',
      '--workspace_status_command=exit 7',
    ]);
    expect(failing.code).toBe(2);
    expect(failing.stdout + failing.stderr).toContain('--workspace_status_command');
  }, 600000);

  it('bad --gotags and --linkopt values are usage errors naming the flag', () => {
    const tags = pgobuild(ws, ['build', '//cmd/x', '--gotags=a-b']);
    expect(tags.code).toBe(2);
    expect(tags.stderr + tags.stdout).toContain('--gotags');
    const link = pgobuild(ws, ['build', '//cmd/x', '--linkopt=-o=/tmp/x']);
    expect(link.code).toBe(2);
    expect(link.stderr + link.stdout).toContain('--linkopt');
  });
});
