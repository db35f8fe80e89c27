// pgobuild generate on temp workspaces: the files written, idempotence, `# keep` and hand-written
// attributes, stale deps, buildifier formatting (the real buildifier from node_modules).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateBuildFiles } from '../../src/generate';

const BUILDIFIER = path.join(__dirname, '../../node_modules/.bin/buildifier');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function workspace(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-generate-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries({ WORKSPACE: '', ...files })) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

function generate(root: string, patterns = ['//...']): ReturnType<typeof generateBuildFiles> {
  return generateBuildFiles(root, patterns, '');
}

const read = (root: string, rel: string): string => fs.readFileSync(path.join(root, rel), 'utf8');

export const SAMPLE: Record<string, string> = {
  'go.mod':
    'module example.com/m\n\ngo 1.22\n\nrequire (\n\tgithub.com/Foo/bar-baz v1.2.0\n\tgopkg.in/yaml.v3 v3.0.1\n\tgithub.com/x/y/v2 v2.0.0\n)\n',
  'root.go': 'package m\n\nconst V = 1\n',
  'lib/text/text.go':
    'package text\n\nimport (\n\t_ "embed"\n\t"strings"\n\n\t"github.com/Foo/bar-baz/sub/pkg"\n\t"github.com/x/y/v2/z"\n)\n\n//go:embed data/*.txt style.css\nvar files string\n\nvar _ = strings.ToUpper\nvar _ = pkg.X\nvar _ = z.Y\n',
  'lib/text/text_amd64.s': '// asm\n',
  'lib/text/style.css': 'body{}\n',
  'lib/text/data/a.txt': 'a\n',
  'lib/text/data/b.txt': 'b\n',
  'lib/text/text_test.go': 'package text\n\nimport "testing"\n\nfunc TestX(t *testing.T) {}\n',
  'lib/text/x_test.go':
    'package text_test\n\nimport (\n\t"testing"\n\n\t"example.com/m/lib/text"\n\t"example.com/m/internal/util"\n)\n\nfunc TestY(t *testing.T) { _ = text.X; _ = util.U }\n',
  'lib/text/gen.go': '//go:build ignore\n\npackage main\n\nfunc main() {}\n',
  'lib/ext/ext.go': 'package ext\n',
  'lib/ext/ext_test.go':
    'package ext_test\n\nimport (\n\t"testing"\n\n\t"example.com/m/lib/ext"\n)\n\nfunc TestE(t *testing.T) { _ = ext.E }\n',
  'internal/util/util.go': 'package util\n\nimport "example.com/m"\n\nvar U = m.V\n',
  'cmd/tool/main.go':
    'package main\n\nimport "example.com/m/lib/text"\n\nfunc main() { _ = text.X }\n',
  'cmd/tool/main_test.go': 'package main\n\nimport "testing"\n\nfunc TestMain2(t *testing.T) {}\n',
  'vendor/example.org/v/v.go': 'package v\n',
  'lib/text/testdata/t.go': 'package broken\n',
  'ignored/i.go': 'package ignored\n',
  '.pgobuildignore': 'ignored\n',
};

describe('pgobuild generate', () => {
  test('writes the rules Gazelle writes for lib, main, internal and external tests, embed, root', () => {
    const root = workspace(SAMPLE);
    const r = generate(root);
    expect(r.ok && r.value.errors).toEqual([]);
    expect(r.ok && r.value.changed.map((c) => c.path).sort()).toEqual([
      'BUILD.bazel',
      'cmd/tool/BUILD.bazel',
      'internal/util/BUILD.bazel',
      'lib/ext/BUILD.bazel',
      'lib/text/BUILD.bazel',
    ]);
    expect(read(root, 'BUILD.bazel')).toBe(`load("@io_bazel_rules_go//go:def.bzl", "go_library")

go_library(
    name = "m",
    srcs = ["root.go"],
    importpath = "example.com/m",
    visibility = ["//visibility:public"],
)
`);
    expect(read(root, 'lib/text/BUILD.bazel'))
      .toBe(`load("@io_bazel_rules_go//go:def.bzl", "go_library", "go_test")

go_library(
    name = "text",
    srcs = [
        "text.go",
        "text_amd64.s",
    ],
    embedsrcs = [
        "data/a.txt",
        "data/b.txt",
        "style.css",
    ],
    importpath = "example.com/m/lib/text",
    visibility = ["//visibility:public"],
    deps = [
        "@com_github_foo_bar_baz//sub/pkg",
        "@com_github_x_y_v2//z",
    ],
)

go_test(
    name = "text_test",
    srcs = [
        "text_test.go",
        "x_test.go",
    ],
    data = glob(["testdata/**"]),
    embed = [":text"],
    deps = ["//internal/util"],
)
`);
    expect(read(root, 'lib/ext/BUILD.bazel')).toContain(`go_test(
    name = "ext_test",
    srcs = ["ext_test.go"],
    deps = [":ext"],
)`);
    expect(read(root, 'internal/util/BUILD.bazel')).toContain(
      'visibility = ["//:__subpackages__"],\n    deps = ["//:m"],',
    );
    expect(read(root, 'cmd/tool/BUILD.bazel'))
      .toBe(`load("@io_bazel_rules_go//go:def.bzl", "go_binary", "go_library", "go_test")

go_library(
    name = "tool_lib",
    srcs = ["main.go"],
    importpath = "example.com/m/cmd/tool",
    visibility = ["//visibility:private"],
    deps = ["//lib/text"],
)

go_binary(
    name = "tool",
    embed = [":tool_lib"],
    visibility = ["//visibility:public"],
)

go_test(
    name = "tool_test",
    srcs = ["main_test.go"],
    embed = [":tool_lib"],
)
`);
    for (const skipped of ['vendor/example.org/v', 'lib/text/testdata', 'ignored'])
      expect(fs.existsSync(path.join(root, skipped, 'BUILD.bazel'))).toBe(false);
  });

  test('a second run changes nothing', () => {
    const root = workspace(SAMPLE);
    generate(root);
    const before = read(root, 'lib/text/BUILD.bazel');
    const again = generate(root);
    expect(again.ok && again.value.changed).toEqual([]);
    expect(again.ok && again.value.unchanged).toBe(5);
    expect(read(root, 'lib/text/BUILD.bazel')).toBe(before);
  });

  test('keeps # keep (rule, attribute, element) and hand-written attributes; removes stale deps and srcs', () => {
    const root = workspace({
      ...SAMPLE,
      'lib/ext/BUILD.bazel': `# Hand-written header.
load("@rules_go//go:def.bzl", "go_library", "go_test")
load("//tools:defs.bzl", "helper")

go_library(
    name = "ext",
    srcs = [
        "ext.go",
        "gone.go",
    ],
    importpath = "example.com/m/lib/ext",
    pgo = "off",
    visibility = ["//lib:__subpackages__"],
    deps = [
        "//internal/util",  # keep
        "//lib/stale",
    ],
)

go_test(
    name = "ext_test",
    srcs = ["old_test.go"],  # keep
)

# keep
go_library(
    name = "extra",
    srcs = ["gone.go"],
)

helper(name = "h")
`,
    });
    const r = generate(root);
    expect(r.ok && r.value.errors).toEqual([]);
    const text = read(root, 'lib/ext/BUILD.bazel');
    expect(text).toBe(`# Hand-written header.
load("@rules_go//go:def.bzl", "go_library", "go_test")
load("//tools:defs.bzl", "helper")

go_library(
    name = "ext",
    srcs = ["ext.go"],
    importpath = "example.com/m/lib/ext",
    pgo = "off",
    visibility = ["//lib:__subpackages__"],
    deps = [
        "//internal/util",  # keep
    ],
)

go_test(
    name = "ext_test",
    srcs = ["old_test.go"],  # keep
    deps = [":ext"],
)

# keep
go_library(
    name = "extra",
    srcs = ["gone.go"],
)

helper(name = "h")
`);
    const again = generate(root);
    expect(again.ok && again.value.changed).toEqual([]);
  });

  test('removes rules it owns that have no sources left, and the load symbols they used', () => {
    const root = workspace(SAMPLE);
    generate(root);
    fs.rmSync(path.join(root, 'cmd/tool/main_test.go'));
    const r = generate(root);
    expect(r.ok && r.value.changed.map((c) => c.path)).toEqual(['cmd/tool/BUILD.bazel']);
    const text = read(root, 'cmd/tool/BUILD.bazel');
    expect(text).not.toContain('go_test');
    expect(
      text.startsWith('load("@io_bazel_rules_go//go:def.bzl", "go_binary", "go_library")\n'),
    ).toBe(true);
  });

  // Gazelle's libNameFromImportPath turns '.' into '_' (gopkg.in/yaml.v3 → yaml_v3).
  test('names a dotted last import path element as Gazelle does', () => {
    const root = workspace({
      ...SAMPLE,
      'lib/y/y.go': 'package y\n\nimport "gopkg.in/yaml.v3"\n\nvar _ = yaml.Y\n',
    });
    generate(root, ['//lib/y']);
    expect(read(root, 'lib/y/BUILD.bazel')).toContain('deps = ["@in_gopkg_yaml_v3//:yaml_v3"]');
  });

  test('a pattern limits the directories written', () => {
    const root = workspace(SAMPLE);
    const r = generate(root, ['//lib/...']);
    expect(r.ok && r.value.changed.map((c) => c.path).sort()).toEqual([
      'lib/ext/BUILD.bazel',
      'lib/text/BUILD.bazel',
    ]);
  });

  test('an unparsable BUILD file is an error and is left alone', () => {
    const root = workspace({ ...SAMPLE, 'lib/ext/BUILD.bazel': 'go_library(name = \n' });
    const r = generate(root);
    expect(r.ok && r.value.errors.map((e) => e.span.file)).toEqual(['lib/ext/BUILD.bazel']);
    expect(read(root, 'lib/ext/BUILD.bazel')).toBe('go_library(name = \n');
  });

  test('output passes buildifier --mode=check', () => {
    const root = workspace(SAMPLE);
    generate(root);
    const files = [
      'BUILD.bazel',
      'cmd/tool/BUILD.bazel',
      'lib/text/BUILD.bazel',
      'lib/ext/BUILD.bazel',
      'internal/util/BUILD.bazel',
    ];
    expect(() =>
      execFileSync(BUILDIFIER, ['--mode=check', ...files], { cwd: root, encoding: 'utf8' }),
    ).not.toThrow();
  });
});
