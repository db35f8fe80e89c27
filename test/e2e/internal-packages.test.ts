import * as path from 'node:path';
import type { BuildEvent } from '../../src/events';
import { type CliRun, finished, go, makeWorkspace, pgobuild, tempDir } from './harness';

/**
 * Go's internal-package rule, with cmd/go as the oracle: `a/internal/x` is importable from `a` and
 * below only, std's `internal/…` from std only. The message and position are cmd/go's.
 */
const FILES = {
  'go.mod': 'module example.com/ws\n\ngo 1.22\n',
  'a/internal/x/x.go': 'package x\n\n// X is one.\nfunc X() int { return 1 }\n',
  'a/internal/x/BUILD.bazel': 'go_library(name = "x", srcs = ["x.go"])\n',
  'a/sub/main.go':
    'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/ws/a/internal/x"\n)\n\nfunc main() { fmt.Println(x.X()) }\n',
  'a/sub/BUILD.bazel':
    'go_binary(\n    name = "sub",\n    srcs = ["main.go"],\n    deps = ["//a/internal/x"],\n)\n',
  'b/main.go':
    'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/ws/a/internal/x"\n)\n\nfunc main() { fmt.Println(x.X()) }\n',
  'b/BUILD.bazel':
    'go_binary(\n    name = "b",\n    srcs = ["main.go"],\n    deps = ["//a/internal/x"],\n)\n',
  'c/main.go':
    'package main\n\nimport (\n\t"fmt"\n\t"internal/abi"\n)\n\nfunc main() { fmt.Println(abi.FuncPCABI0) }\n',
  'c/BUILD.bazel': 'go_binary(name = "c", srcs = ["main.go"])\n',
};

function errors(run: CliRun): string[] {
  return run.events
    .filter((e): e is Extract<BuildEvent, { type: 'diagnostic' }> => e.type === 'diagnostic')
    .filter((e) => e.severity === 'error')
    .map((e) => `${e.file}:${e.line}:${e.col}: ${e.message}`);
}

/** cmd/go's `file:line:col: message` for a package it refuses to build. */
function goError(ws: string, pkg: string): string {
  const r = go(ws, ['build', '-o', path.join(tempDir('oracle-'), 'bin'), pkg]);
  expect(r.code).not.toBe(0);
  return (r.stderr.split('\n').find((l) => l.includes('use of internal package')) ?? '').trim();
}

describe("Go's internal-package rule (cmd/go decides)", () => {
  const ws = makeWorkspace(FILES);

  test("a package outside the parent of internal/ may not import it: exit 2 with cmd/go's message at the import", () => {
    const run = pgobuild(ws, ['build', '//b']);
    expect(finished(run).exitCode).toBe(2);
    expect(errors(run)).toEqual([goError(ws, './b')]);
  });

  test("std's internal packages are not importable from user code", () => {
    const run = pgobuild(ws, ['build', '//c']);
    expect(finished(run).exitCode).toBe(2);
    expect(errors(run)).toEqual([goError(ws, './c')]);
  });

  test('a package below the parent of internal/ builds', () => {
    const run = pgobuild(ws, ['build', '//a/sub']);
    expect(errors(run)).toEqual([]);
    expect(finished(run).exitCode).toBe(0);
  });
});
