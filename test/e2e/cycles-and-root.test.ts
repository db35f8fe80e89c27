import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  type CliRun,
  diagnostics,
  finished,
  go,
  makeWorkspace,
  pgobuild,
  tempDir,
  textSection,
} from './harness';

const GO_MOD = 'module example.com/m\n\ngo 1.22\n';

/** A go_library BUILD file; its deps list starts on line 4, column 13 for the first label. */
function library(name: string, deps: readonly string[]): string {
  return `go_library(\n    name = "${name}",\n    srcs = ["${name}.go"],\n    deps = [${deps.map((d) => `"${d}"`).join(', ')}],\n)\n`;
}

/** A Go file of package `name` importing `imports` (blank imports: only the edges matter). */
function goFile(name: string, imports: readonly string[]): string {
  return `package ${name}\n\n${imports.map((i) => `import _ "example.com/m/${i}"\n`).join('')}`;
}

/** `file:line:col` of each error diagnostic. */
function locations(run: CliRun): string[] {
  return diagnostics(run).map((d) => `${d.file}:${d.line}:${d.col}`);
}

describe('dependency cycles are errors at analysis (exit 2), never a silent exit 0', () => {
  test('two libraries that depend on each other: the cycle and both BUILD locations', () => {
    const ws = makeWorkspace({
      'go.mod': GO_MOD,
      'a/BUILD': library('a', ['//b']),
      'a/a.go': goFile('a', ['b']),
      'b/BUILD': library('b', ['//a']),
      'b/b.go': goFile('b', ['a']),
    });
    const run = pgobuild(ws, ['build', '//a']);
    expect(run.code).toBe(2);
    expect(finished(run).exitCode).toBe(2);
    expect(diagnostics(run)[0]?.message).toBe(
      'dependency cycle //a -> //b -> //a: //a depends on //b here',
    );
    expect(diagnostics(run)[1]?.message).toBe('... and //b depends on //a here');
    expect(locations(run)).toEqual(['a/BUILD:4:13', 'b/BUILD:4:13']);

    // Every target of the cycle requested: the cycle is reported once.
    const all = pgobuild(ws, ['build', '//...']);
    expect(all.code).toBe(2);
    expect(diagnostics(all).filter((d) => d.message.startsWith('dependency cycle'))).toHaveLength(
      1,
    );

    // Human output: file:line:col and a caret under each edge.
    const human = pgobuild(ws, ['build', '//a'], { json: false });
    expect(human.code).toBe(2);
    expect(human.stderr).toContain(
      'a/BUILD:4:13: error: dependency cycle //a -> //b -> //a: //a depends on //b here\n    deps = ["//b"],\n            ^~~~~\n',
    );
    expect(human.stderr).toContain('b/BUILD:4:13: error: ... and //b depends on //a here\n');
  });

  test('a cycle of three, reached from a binary', () => {
    const ws = makeWorkspace({
      'go.mod': GO_MOD,
      'a/BUILD': library('a', ['//b']),
      'a/a.go': goFile('a', ['b']),
      'b/BUILD': library('b', ['//c']),
      'b/b.go': goFile('b', ['c']),
      'c/BUILD': library('c', ['//a']),
      'c/c.go': goFile('c', ['a']),
      'cmd/BUILD':
        'go_binary(\n    name = "cmd",\n    srcs = ["main.go"],\n    deps = ["//b"],\n)\n',
      'cmd/main.go': 'package main\n\nimport _ "example.com/m/b"\n\nfunc main() {}\n',
    });
    const run = pgobuild(ws, ['build', '//cmd']);
    expect(run.code).toBe(2);
    expect(finished(run).exitCode).toBe(2);
    expect(diagnostics(run)[0]?.message).toBe(
      'dependency cycle //b -> //c -> //a -> //b: //b depends on //c here',
    );
    expect(locations(run)).toEqual(['b/BUILD:4:13', 'c/BUILD:4:13', 'a/BUILD:4:13']);
  });

  test('a library that depends on itself', () => {
    const ws = makeWorkspace({
      'go.mod': GO_MOD,
      'a/BUILD': library('a', [':a']),
      'a/a.go': 'package a\n',
    });
    const run = pgobuild(ws, ['build', '//a']);
    expect(run.code).toBe(2);
    expect(finished(run).exitCode).toBe(2);
    expect(diagnostics(run).map((d) => d.message)).toEqual([
      'dependency cycle //a -> //a: //a depends on itself here',
    ]);
    expect(locations(run)).toEqual(['a/BUILD:4:13']);
  });

  test('a test whose embed closes a cycle: import cycle not allowed in test, as cmd/go', () => {
    const ws = makeWorkspace({
      'go.mod': GO_MOD,
      'a/BUILD': `${library('a', [])}\ngo_test(\n    name = "a_test",\n    srcs = ["a_test.go"],\n    embed = [":a"],\n    deps = ["//c"],\n)\n`,
      'a/a.go': 'package a\n\n// A is what c uses.\nfunc A() int { return 1 }\n',
      'a/a_test.go':
        'package a\n\nimport (\n\t"testing"\n\n\t"example.com/m/c"\n)\n\nfunc TestC(t *testing.T) { _ = c.C() }\n',
      'c/BUILD': library('c', ['//a']),
      'c/c.go':
        'package c\n\nimport "example.com/m/a"\n\n// C uses a.\nfunc C() int { return a.A() }\n',
    });
    // The oracle refuses it too.
    const oracle = go(ws, ['test', './a']);
    expect(oracle.code).not.toBe(0);
    expect(oracle.stdout + oracle.stderr).toContain('import cycle not allowed in test');

    const run = pgobuild(ws, ['test', '//a:a_test']);
    expect(run.code).toBe(2);
    expect(finished(run).exitCode).toBe(2);
    expect(diagnostics(run)[0]?.message).toBe(
      'import cycle not allowed in test //a [//a:a_test] -> //c -> //a: //a:a_test embeds //a here',
    );
    expect(
      diagnostics(run)
        .slice(1)
        .map((d) => d.message),
    ).toEqual(['... and //a:a_test depends on //c here', '... and //c depends on //a here']);
    expect(locations(run)).toEqual(['a/BUILD:10:14', 'a/BUILD:11:13', 'c/BUILD:4:13']);
    // `build` analyses the test binary too.
    expect(pgobuild(ws, ['build', '//a:a_test']).code).toBe(2);

    // The same import from the external test package (package a_test) is no cycle, for cmd/go
    // and for pgobuild.
    fs.writeFileSync(
      path.join(ws, 'a/a_test.go'),
      'package a_test\n\nimport (\n\t"testing"\n\n\t"example.com/m/c"\n)\n\nfunc TestC(t *testing.T) { _ = c.C() }\n',
    );
    expect(go(ws, ['test', './a']).code).toBe(0);
    const external = pgobuild(ws, ['test', '//a:a_test']);
    expect(diagnostics(external)).toEqual([]);
    expect(finished(external).exitCode).toBe(0);
  });
});

/** A main package in the workspace and module root, with an internal test reading testdata. */
const ROOT_BINARY: Readonly<Record<string, string>> = {
  'go.mod': 'module example.com/tool\n\ngo 1.22\n',
  BUILD:
    'go_binary(\n    name = "tool",\n    srcs = ["main.go"],\n)\n\ngo_test(\n    name = "tool_test",\n    srcs = ["main_test.go"],\n    embed = [":tool"],\n)\n',
  'main.go':
    'package main\n\nimport (\n\t"fmt"\n\t"strings"\n)\n\nfunc shout(s string) string { return strings.ToUpper(s) + "!" }\n\nfunc main() { fmt.Println(shout("root")) }\n',
  'main_test.go':
    'package main\n\nimport (\n\t"os"\n\t"testing"\n)\n\nfunc TestShout(t *testing.T) {\n\twant, err := os.ReadFile("testdata/want.txt")\n\tif err != nil {\n\t\tt.Fatal(err)\n\t}\n\tif got := shout("root"); got != string(want) {\n\t\tt.Fatalf("got %q, want %q", got, want)\n\t}\n}\n',
  'testdata/want.txt': 'ROOT!',
};

/**
 * A library in the module root (its import path is the module path itself) with //go:embed,
 * internal and external tests, and a binary elsewhere that imports it.
 */
const ROOT_LIBRARY: Readonly<Record<string, string>> = {
  'go.mod': 'module example.com/greet\n\ngo 1.22\n',
  BUILD:
    'go_library(\n    name = "greet",\n    srcs = ["greet.go"],\n    embedsrcs = ["greeting.txt"],\n)\n\ngo_test(\n    name = "greet_test",\n    srcs = [\n        "greet_test.go",\n        "x_test.go",\n    ],\n    embed = [":greet"],\n)\n',
  'greet.go':
    'package greet\n\nimport _ "embed"\n\n//go:embed greeting.txt\nvar greeting string\n\n// Hello greets name.\nfunc Hello(name string) string { return greeting + ", " + name }\n',
  'greeting.txt': 'hello',
  'greet_test.go':
    'package greet\n\nimport "testing"\n\nfunc TestGreeting(t *testing.T) {\n\tif greeting != "hello" {\n\t\tt.Fatal(greeting)\n\t}\n}\n',
  'x_test.go':
    'package greet_test\n\nimport (\n\t"testing"\n\n\t"example.com/greet"\n)\n\nfunc TestHello(t *testing.T) {\n\tif got := greet.Hello("go"); got != "hello, go" {\n\t\tt.Fatal(got)\n\t}\n}\n',
  'cmd/hi/BUILD':
    'go_binary(\n    name = "hi",\n    srcs = ["main.go"],\n    deps = ["//:greet"],\n)\n',
  'cmd/hi/main.go':
    'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/greet"\n)\n\nfunc main() { fmt.Println(greet.Hello("root")) }\n',
};

/** Asserts that pgobuild's binary has go build -trimpath's machine code and build info. */
function expectSameAsGoBuild(ws: string, binary: string, goPackage: string): void {
  const out = path.join(tempDir('oracle-'), path.basename(binary));
  const built = go(ws, ['build', '-trimpath', '-o', out, goPackage]);
  expect(built.stderr).toBe('');
  expect(textSection(binary).equals(textSection(out))).toBe(true);
  expect(go(ws, ['version', '-m', binary]).stdout.split('\n').slice(1)).toEqual(
    go(ws, ['version', '-m', out]).stdout.split('\n').slice(1),
  );
}

describe('packages in the workspace and module root', () => {
  test('a root go_binary builds to pgobuild-out/bin/<name>, equal to go build -trimpath, and its test passes', () => {
    const ws = makeWorkspace(ROOT_BINARY);
    const run = pgobuild(ws, ['build', '//:tool']);
    expect(run.stderr).toBe('');
    expect(finished(run).exitCode).toBe(0);
    const binary = path.join(ws, 'pgobuild-out', 'bin', 'tool');
    expect(spawnSync(binary, { encoding: 'utf8' }).stdout).toBe('ROOT!\n');
    expectSameAsGoBuild(ws, binary, '.');

    const test = pgobuild(ws, ['test', '//:tool_test']);
    expect(test.stderr).toBe('');
    expect(finished(test).exitCode).toBe(0);
    expect(test.events.filter((e) => e.type === 'test-result')).toMatchObject([
      { target: '//:tool_test', status: 'passed' },
    ]);
    expect(go(ws, ['test', '.']).code).toBe(0);
  });

  test('a root go_library (import path = module path) with internal and external tests', () => {
    const ws = makeWorkspace(ROOT_LIBRARY);
    const run = pgobuild(ws, ['build', '//...']);
    expect(run.stderr).toBe('');
    expect(finished(run).exitCode).toBe(0);
    const binary = path.join(ws, 'pgobuild-out', 'bin', 'cmd', 'hi', 'hi');
    expect(spawnSync(binary, { encoding: 'utf8' }).stdout).toBe('hello, root\n');
    expectSameAsGoBuild(ws, binary, './cmd/hi');

    const test = pgobuild(ws, ['test', '//:greet_test']);
    expect(test.stderr).toBe('');
    expect(finished(test).exitCode).toBe(0);
    expect(test.events.filter((e) => e.type === 'test-result')).toMatchObject([
      { target: '//:greet_test', status: 'passed' },
    ]);
    expect(go(ws, ['test', '.']).code).toBe(0);
    // Nothing lands outside pgobuild-out (a '' package directory joined as '/x' would).
    expect(fs.readdirSync(ws).sort()).toEqual(
      [...Object.keys(ROOT_LIBRARY).map((f) => f.split('/')[0]), 'WORKSPACE', 'pgobuild-out']
        .filter((f, i, all) => all.indexOf(f) === i)
        .sort(),
    );
  });
});
