import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { actions, finished, go, makeWorkspace, pgobuild, tempDir, textSection } from './harness';

/**
 * Early cutoff (src/go/compile-action.ts): a compile's importers are keyed on its export data, a
 * link on the link objects. A library imported by two libraries and two binaries; editing the
 * body of a function that is not inlinable reruns that one compile and the links; editing an
 * inlinable function's body, or an exported signature, changes the export data and so reruns
 * every importer's compile. Each time the binaries' machine code equals `go build -trimpath`'s.
 */
const CORE = 'lib/core/core.go';
const CORE_SOURCE = `package core

// Checksum is kept out of its callers (go:noinline): its body is not part of the export data.
//
//go:noinline
func Checksum(s string) int {
	h := 7
	for i := 0; i < len(s); i++ {
		h = h*31 + int(s[i])
	}
	return h
}

// Scale is small: its body is exported for inlining into importers.
func Scale(n int) int { return n * 3 }
`;

const WORKSPACE: Readonly<Record<string, string>> = {
  'go.mod': 'module example.com/cutoff\n\ngo 1.22\n',
  'lib/core/BUILD': 'go_library(\n    name = "core",\n    srcs = ["core.go"],\n)\n',
  [CORE]: CORE_SOURCE,
  'lib/left/BUILD':
    'go_library(\n    name = "left",\n    srcs = ["left.go"],\n    deps = ["//lib/core"],\n)\n\ngo_test(\n    name = "left_test",\n    srcs = [\n        "left_ext_test.go",\n        "left_test.go",\n    ],\n    embed = [":left"],\n    deps = ["//lib/core"],\n)\n',
  'lib/left/left.go':
    'package left\n\nimport "example.com/cutoff/lib/core"\n\n// Left checksums s and adds a scaled one.\nfunc Left(s string) int { return core.Checksum(s) + core.Scale(1) }\n',
  'lib/left/left_test.go':
    'package left\n\nimport (\n\t"testing"\n\n\t"example.com/cutoff/lib/core"\n)\n\nfunc TestLeftInternal(t *testing.T) {\n\tif Left("x") != core.Checksum("x")+core.Scale(1) {\n\t\tt.Fatal("Left disagrees with core")\n\t}\n}\n',
  'lib/left/left_ext_test.go':
    'package left_test\n\nimport (\n\t"testing"\n\n\t"example.com/cutoff/lib/core"\n\t"example.com/cutoff/lib/left"\n)\n\nfunc TestLeftExternal(t *testing.T) {\n\tif left.Left("y") != core.Checksum("y")+core.Scale(1) {\n\t\tt.Fatal("Left disagrees with core")\n\t}\n}\n',
  'lib/right/BUILD':
    'go_library(\n    name = "right",\n    srcs = ["right.go"],\n    deps = ["//lib/core"],\n)\n',
  'lib/right/right.go':
    'package right\n\nimport "example.com/cutoff/lib/core"\n\n// Right scales the checksum of s.\nfunc Right(s string) int { return core.Scale(core.Checksum(s)) }\n',
  'cmd/a/BUILD':
    'go_binary(\n    name = "a",\n    srcs = ["main.go"],\n    deps = [\n        "//lib/core",\n        "//lib/left",\n    ],\n)\n',
  'cmd/a/main.go':
    'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/cutoff/lib/core"\n\t"example.com/cutoff/lib/left"\n)\n\nfunc main() { fmt.Println(left.Left("a"), core.Checksum("a")) }\n',
  'cmd/b/BUILD':
    'go_binary(\n    name = "b",\n    srcs = ["main.go"],\n    deps = [\n        "//lib/core",\n        "//lib/right",\n    ],\n)\n',
  'cmd/b/main.go':
    'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/cutoff/lib/core"\n\t"example.com/cutoff/lib/right"\n)\n\nfunc main() { fmt.Println(right.Right("b"), core.Scale(2)) }\n',
};

const BINARIES = ['a', 'b'] as const;
/** Every link `build //...` makes: the two programs and the go_test's binary. */
const LINKS = ['//cmd/a', '//cmd/b', '//lib/left:left_test'];
/**
 * lib/core and every compile whose inputs' export data holds core's: its importers, and the test
 * packages of lib/left (left recompiled with its test files, the external test package and the
 * generated test main, which import left, whose inline body of Left holds core.Scale's).
 */
const CORE_AND_IMPORTERS = [
  '//cmd/a',
  '//cmd/b',
  '//lib/core',
  '//lib/left',
  '//lib/left [//lib/left:left_test]',
  '//lib/left:left_test [testmain]',
  '//lib/left:left_test_test [//lib/left:left_test]',
  '//lib/right',
];

describe('early cutoff on export data (real Go toolchain)', () => {
  let ws: string;
  const edit = (from: string, to: string): void => {
    const file = path.join(ws, CORE);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain(from);
    fs.writeFileSync(file, text.replace(from, to));
  };
  const build = (): ReturnType<typeof pgobuild> => {
    const run = pgobuild(ws, ['build', '//...']);
    expect(finished(run).exitCode).toBe(0);
    return run;
  };
  /** Both binaries' .text equals go build -trimpath's; returns what each prints. */
  const sameMachineCodeAsGoBuild = (): string[] =>
    BINARIES.map((bin) => {
      const ours = path.join(ws, 'pgobuild-out/bin/cmd', bin, bin);
      const theirs = path.join(tempDir('cutoff-oracle-'), bin);
      const built = go(ws, ['build', '-trimpath', '-o', theirs, `./cmd/${bin}`]);
      expect(built.stderr).toBe('');
      expect(textSection(ours).equals(textSection(theirs))).toBe(true);
      const printed = spawnSync(ours, { encoding: 'utf8' }).stdout;
      expect(printed).toBe(spawnSync(theirs, { encoding: 'utf8' }).stdout);
      return printed;
    });

  beforeAll(() => {
    ws = makeWorkspace(WORKSPACE, 'pgobuild-cutoff-');
    build();
  });

  test('a body edit of a function that is not inlinable recompiles that package only, then relinks', () => {
    const before = sameMachineCodeAsGoBuild();
    edit('h := 7', 'h := 11');
    const run = build();
    expect(actions(run, 'executed', 'GoCompile')).toEqual(['//lib/core']);
    expect(actions(run, 'executed', 'GoLink')).toEqual(LINKS);
    // The importers' compiles were answered from the cache: their keys did not change.
    expect(actions(run, 'cached', 'GoCompile')).toEqual(
      expect.arrayContaining(CORE_AND_IMPORTERS.filter((c) => c !== '//lib/core')),
    );
    const after = sameMachineCodeAsGoBuild();
    // The links took the new code.
    expect(after).not.toEqual(before);

    // The test binary of an importer (its internal and external test packages cached, relinked
    // above) runs and passes.
    const tested = pgobuild(ws, ['test', '//lib/left:left_test']);
    expect(finished(tested).exitCode).toBe(0);
    expect(actions(tested, 'executed', 'GoCompile')).toEqual([]);
    expect(actions(tested, 'executed', 'GoLink')).toEqual([]);
    expect(actions(tested, 'executed', 'GoTestRun')).toHaveLength(1);
  });

  test('an inlinable function body edit recompiles every importer', () => {
    edit('return n * 3', 'return n * 5');
    const run = build();
    expect(actions(run, 'executed', 'GoCompile')).toEqual(CORE_AND_IMPORTERS);
    expect(actions(run, 'executed', 'GoLink')).toEqual(LINKS);
    sameMachineCodeAsGoBuild();
  });

  test('an exported signature change recompiles every importer', () => {
    edit('func Checksum(s string) int {', 'func Checksum(s string, _ ...int) int {');
    const run = build();
    expect(actions(run, 'executed', 'GoCompile')).toEqual(CORE_AND_IMPORTERS);
    expect(actions(run, 'executed', 'GoLink')).toEqual(LINKS);
    sameMachineCodeAsGoBuild();
  });
});
