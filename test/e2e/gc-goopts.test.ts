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
