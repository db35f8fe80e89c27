import * as path from 'node:path';
import { finished, go, makeWorkspace, pgobuild, tempDir, textSection } from './harness';

/** The build settings lines of `go version -m`. */
function settings(ws: string, binary: string): string[] {
  return go(ws, ['version', '-m', binary])
    .stdout.split('\n')
    .filter((l) => l.trim().startsWith('build\t'))
    .map((l) => l.trim());
}

it('gc_goopts on a go_binary compiles its package like go build -gcflags=...', () => {
  const ws = makeWorkspace(
    {
      'go.mod': 'module example.com/flags\n\ngo 1.22\n',
      'lib/BUILD': 'go_library(\n    name = "lib",\n    srcs = ["lib.go"],\n)\n',
      'lib/lib.go': 'package lib\n\n// Twice doubles n.\nfunc Twice(n int) int { return 2 * n }\n',
      'cmd/x/BUILD':
        'go_binary(\n    name = "x",\n    srcs = ["main.go"],\n    gc_goopts = ["-l"],\n    deps = ["//lib"],\n)\n',
      'cmd/x/main.go':
        'package main\n\nimport (\n\t"os"\n\n\t"example.com/flags/lib"\n)\n\nfunc add(a, b int) int { return a + b }\n\nfunc main() { os.Exit(add(lib.Twice(1), -2)) }\n',
    },
    'pgobuild-gcopts-',
  );
  const run = pgobuild(ws, ['build', '//cmd/x']);
  expect({ code: finished(run).exitCode, stderr: run.stderr }).toMatchObject({ code: 0 });
  const ours = path.join(ws, 'pgobuild-out/bin/cmd/x/x');
  const theirs = path.join(tempDir('pgobuild-gcopts-go-'), 'x');
  const g = go(ws, ['build', '-trimpath', '-gcflags=-l', '-o', theirs, './cmd/x']);
  expect(g.stderr).toBe('');
  expect(textSection(ours).equals(textSection(theirs))).toBe(true);
  expect(settings(ws, ours)).toEqual(settings(ws, theirs));
  expect(settings(ws, ours)).toContain('build\t-gcflags=-l');
  // Without the flag the main package inlines add: the flag really reached the compile.
  const plain = path.join(tempDir('pgobuild-gcopts-plain-'), 'x');
  go(ws, ['build', '-trimpath', '-o', plain, './cmd/x']);
  expect(textSection(ours).equals(textSection(plain))).toBe(false);
}, 600000);

describe('a go_test compiled with gc_goopts records them as go test -c does', () => {
  const files = (attr: string): Record<string, string> => ({
    'go.mod': 'module example.com/testflags\n\ngo 1.22\n',
    'lib/BUILD': `go_library(\n    name = "lib",\n    srcs = ["lib.go"],\n)\n\ngo_test(\n    name = "lib_test",\n    srcs = ["lib_test.go"],\n    embed = [":lib"],\n${attr})\n`,
    'lib/lib.go': 'package lib\n\nfunc add(a, b int) int { return a + b }\n',
    // Test binaries are not placed under pgobuild-out: the test prints its own build info.
    'lib/lib_test.go':
      'package lib\n\nimport (\n\t"runtime/debug"\n\t"testing"\n)\n\nfunc TestBuildInfo(t *testing.T) {\n\tbi, _ := debug.ReadBuildInfo()\n\tt.Logf("BUILDINFO\\n%sEND", bi)\n}\n',
  });
  const buildLines = (text: string): string[] =>
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('build\t'));
  test.each([
    ['the gc_goopts attribute', '    gc_goopts = ["-l"],\n', [], '-gcflags=-l'],
    ['the --gc_goopts flag', '', ['--gc_goopts=-l'], '-gcflags=all=-l'],
  ])('%s', (_what, attr, flags, goFlag) => {
    const ws = makeWorkspace(files(attr), 'pgobuild-gcopts-test-');
    const run = pgobuild(ws, ['test', '//lib:lib_test', ...flags, '--', '-test.v'], {
      cache: tempDir('pgobuild-gcopts-test-cache-'),
    });
    expect({ code: finished(run).exitCode, stderr: run.stderr }).toMatchObject({ code: 0 });
    const result = run.events.find((e) => e.type === 'test-result');
    const output = result?.type === 'test-result' ? result.output : '';
    const ours = buildLines(/BUILDINFO\n([\s\S]*?)END/.exec(output)?.[1] ?? '');
    const theirs = path.join(tempDir('pgobuild-gcopts-test-go-'), 'lib.test');
    const g = go(ws, ['test', '-c', '-trimpath', goFlag, '-o', theirs, './lib']);
    expect(g.stderr).toBe('');
    expect(ours).toEqual(settings(ws, theirs));
    expect(ours).toContain(`build\t${goFlag}`);
  });
});

it('a compile that prints (gc_goopts = ["-m"]) shows its output as go build does, cached or not', () => {
  const ws = makeWorkspace(
    {
      'go.mod': 'module example.com/printing\n\ngo 1.22\n',
      'lib/BUILD':
        'go_library(\n    name = "lib",\n    srcs = ["lib.go"],\n    gc_goopts = ["-m"],\n)\n',
      'lib/lib.go':
        'package lib\n\n// Twice doubles n.\nfunc Twice(n int) int { return 2 * n }\n\n// Keep leaks s.\nfunc Keep(s *string) *string { return s }\n',
      'cmd/x/BUILD':
        'go_binary(\n    name = "x",\n    srcs = ["main.go"],\n    deps = ["//lib"],\n)\n',
      'cmd/x/main.go':
        'package main\n\nimport "example.com/printing/lib"\n\nfunc main() { println(lib.Twice(1)) }\n',
    },
    'pgobuild-gcopts-print-',
  );
  const g = go(ws, [
    'build',
    '-trimpath',
    '-gcflags=example.com/printing/lib=-m',
    '-o',
    path.join(tempDir('pgobuild-gcopts-print-go-'), 'x'),
    './cmd/x',
  ]);
  expect(g.stderr).toContain('# example.com/printing/lib\n');
  const cache = tempDir('pgobuild-gcopts-print-cache-');
  for (const build of ['executed', 'replayed from the cache']) {
    const run = pgobuild(ws, ['build', '//cmd/x'], { cache, json: false });
    expect({ build, code: run.code }).toEqual({ build, code: 0 });
    expect(run.stderr).toContain(g.stderr.trimEnd());
  }
}, 600000);
