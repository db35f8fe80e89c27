import { makeWorkspace, pgobuild } from './harness';

/** Runs a human-output build and returns its exit code and stderr. */
function build(
  files: Record<string, string>,
  patterns: string[],
): { code: number | null; stderr: string } {
  const ws = makeWorkspace({ 'go.mod': 'module example.com/bad\n\ngo 1.22\n', ...files });
  const run = pgobuild(ws, ['build', ...patterns], { json: false });
  return { code: run.code, stderr: run.stderr };
}

const LIB_B = {
  'b/BUILD': 'go_library(\n    name = "b",\n    srcs = ["b.go"],\n)\n',
  'b/b.go': 'package b\n',
};

describe('(g) diagnostics point at the exact file, line and column', () => {
  test('a BUILD syntax error', () => {
    const r = build(
      {
        'b/BUILD': 'go_library(\n    name = "b",\n    srcs = ["b.go"]\n    deps = [],\n)\n',
        'b/b.go': 'package b\n',
      },
      ['//...'],
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "b/BUILD:4:5: error: expected ')' but found identifier 'deps'\n    deps = [],\n    ^~~~\n",
    );
  });

  test('an unknown attribute with a suggestion', () => {
    const r = build(
      {
        'b/BUILD': 'go_library(\n    name = "b",\n    srcz = ["b.go"],\n)\n',
        'b/b.go': 'package b\n',
      },
      ['//b'],
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "b/BUILD:3:5: error: go_library has no attribute 'srcz'; did you mean 'srcs'?\n    srcz = [\"b.go\"],\n    ^~~~\n",
    );
  });

  test('an unknown dep label suggests the nearest target', () => {
    const r = build(
      {
        ...LIB_B,
        'a/BUILD':
          'go_library(\n    name = "a",\n    srcs = ["a.go"],\n    deps = ["//b:bb"],\n)\n',
        'a/a.go': 'package a\n\nimport _ "example.com/bad/b"\n',
      },
      ['//a'],
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "a/BUILD:4:13: error: no such target '//b:bb'; did you mean '//b'?\n    deps = [\"//b:bb\"],\n            ^~~~~~~~\n",
    );
  });

  test('unknown targets and packages on the command line', () => {
    const r = build(LIB_B, ['//b:bb', '//c']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: no such target '//b:bb'; did you mean '//b'?");
    expect(r.stderr).toContain("error: no such package '//c': no BUILD or BUILD.bazel file in c");
  });

  test('an import that no dep provides names file, line and import path', () => {
    const r = build(
      {
        ...LIB_B,
        'a/BUILD': 'go_library(\n    name = "a",\n    srcs = ["a.go"],\n)\n',
        'a/a.go':
          'package a\n\nimport (\n\t"fmt"\n\n\t"example.com/bad/b"\n)\n\nvar _ = fmt.Sprint\nvar _ = b.X\n',
      },
      ['//a'],
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'a/a.go:6:2: error: import "example.com/bad/b" is not provided by any dep of //a; add "//b" to deps\n\t"example.com/bad/b"\n\t^~~~~~~~~~~~~~~~~~~\n',
    );
  });

  test('a file //go:embed matches on disk but embedsrcs leaves out is a warning at the pattern', () => {
    const r = build(
      {
        'e/BUILD':
          'go_library(\n    name = "e",\n    srcs = ["e.go"],\n    embedsrcs = ["a.txt"],\n)\n',
        'e/e.go': 'package e\n\nimport "embed"\n\n//go:embed *.txt\nvar Files embed.FS\n',
        'e/a.txt': 'a\n',
        'e/b.txt': 'b\n',
      },
      ['//e'],
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'e/e.go:5:12: warning: pattern *.txt also matches b.txt, which embedsrcs does not list: go build would embed it, pgobuild does not (add it to embedsrcs, or run pgobuild generate)\n//go:embed *.txt\n           ^~~~~\n',
    );
  });

  test('a dep that no source imports is a warning, and the build goes on', () => {
    const r = build(
      {
        ...LIB_B,
        'a/BUILD': 'go_library(\n    name = "a",\n    srcs = ["a.go"],\n    deps = ["//b"],\n)\n',
        'a/a.go': 'package a\n',
      },
      ['//a'],
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'a/BUILD:4:13: warning: dep //b:b (import path "example.com/bad/b") is not imported by any source of //a\n    deps = ["//b"],\n            ^~~~~\n',
    );
  });

  test('for statements are rejected in BUILD files', () => {
    const r = build({ 'b/BUILD': 'for x in ["a"]:\n    pass\n' }, ['//b']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/b\/BUILD:1:1: error: .*for.*BUILD/);
  });

  test('a Go compile error is a build failure (exit 1) with the compiler message', () => {
    const r = build(
      {
        'b/BUILD': 'go_library(\n    name = "b",\n    srcs = ["b.go"],\n)\n',
        'b/b.go': 'package b\n\nfunc F() int { return "x" }\n',
      },
      ['//b'],
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'b/b.go:3:23: cannot use "x" (untyped string constant) as int value in return statement',
    );
  });
});
