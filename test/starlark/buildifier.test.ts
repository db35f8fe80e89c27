// Runs the real buildifier over typical rules_go-style BUILD and .bzl files, then checks that
// everything buildifier produces parses and evaluates to the same targets.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  evaluateModule,
  makeBuiltin,
  makeList,
  parseFile,
  repr,
  type EvalEnv,
  type StarlarkFailure,
  type Value,
} from '../../src/starlark';
import { formatDiagnostic } from '../../src/util/diagnostic';
import { err, ok, type Result } from '../../src/util/result';

const BUILDIFIER = join(__dirname, '../../node_modules/.bin/buildifier');

/** Sample files, deliberately written in a style buildifier rewrites. */
const SAMPLES: Record<string, string> = {
  'cmd/api/BUILD.bazel': `
load("@io_bazel_rules_go//go:def.bzl", "go_test", "go_binary", "go_library")
go_library(name='api_lib', srcs=['main.go', "handlers.go"], importpath = "example.com/cmd/api", visibility=["//visibility:private"], deps=["//lib/util", '//lib/render'])
go_binary(
  name = "api",
  embed = [":api_lib"],
  pgo = "auto",
  visibility = ["//visibility:public"]
)
go_test(name = "api_test", srcs = ["main_test.go"], embed = [":api_lib"], size = "small",)
`,
  'lib/render/BUILD': `
load("@io_bazel_rules_go//go:def.bzl", "go_library", "go_test")
load("//tools:defs.bzl", "go_lib_with_test", STAMP_KEYS = "STAMP_KEYS")
package(default_visibility = ["//visibility:public"])
_SRCS = glob(["*.go"], exclude = ["*_test.go"])
X_DEFS = {"example.com/lib/render.%s" % k: "{%s}" % k.upper() for k in STAMP_KEYS}
go_library(
    name = "render",
    srcs = _SRCS + ["zz_generated.go"],
    importpath = "example.com/lib/render",
    x_defs = X_DEFS,
    gc_goopts = ["-N"] if False else [],
    deps = [
        "//lib/util",
        "@org_golang_x_text//:text",
    ] + select({
        "@io_bazel_rules_go//go/platform:linux": ["//lib/linuxonly"],
        "//conditions:default": [],
    }),
)
go_test(name = "render_test", srcs = glob(["*_test.go"]), embed = [":render"], args = ["-test.v", "--name=%s" % "render"])
go_lib_with_test(name = "extra", srcs = ["extra.go"])
exports_files(["testdata/golden.txt"])
`,
  'tools/defs.bzl': `
"""Helpers shared by BUILD files."""
load("@io_bazel_rules_go//go:def.bzl", "go_library", "go_test")
STAMP_KEYS = ["version", "commit"]
def _test_name(name):
    return name + "_test"
def go_lib_with_test(name, srcs, deps = [], **kwargs):
    """Declares a go_library and a go_test that embeds it."""
    test_srcs = [s.replace(".go", "_test.go") for s in srcs]
    go_library(name = name, srcs = srcs, deps = deps, importpath = "example.com/" + name, **kwargs)
    tags = []
    for s in srcs:
        if s.startswith("zz_"):
            continue
        tags.append("src:" + s)
    go_test(name = _test_name(name), srcs = test_srcs, embed = [":" + name], tags = tags)
`,
};

interface Target {
  readonly rule: string;
  readonly attrs: Record<string, string>;
}

/** Canonical form of a value for comparison: list elements sorted (buildifier sorts deps). */
function canonical(v: Value): string {
  if (v !== null && typeof v === 'object' && v.kind === 'list') {
    return '[' + v.items.map(canonical).sort().join(', ') + ']';
  }
  return repr(v);
}

/** Evaluates a BUILD file with fake rules_go rules; .bzl loads are served from `files`. */
function evaluateBuild(
  path: string,
  files: Record<string, string>,
): Result<Target[], StarlarkFailure> {
  const targets: Target[] = [];
  const rule = (name: string): Value =>
    makeBuiltin(name, (args) => {
      const attrs: Record<string, string> = {};
      for (const n of args.named) attrs[n.name] = canonical(n.value);
      targets.push({ rule: name, attrs });
      return ok(null);
    });
  const predeclared = new Map<string, Value>(
    ['package', 'exports_files', 'go_library', 'go_binary', 'go_test'].map((n) => [n, rule(n)]),
  );
  predeclared.set(
    'glob',
    makeBuiltin('glob', (args) => {
      const include = args.positional[0]?.value;
      const isTest =
        include !== null &&
        typeof include === 'object' &&
        include.kind === 'list' &&
        include.items[0] === '*_test.go';
      return ok(makeList(isTest ? ['render_test.go'] : ['render.go', 'color.go']));
    }),
  );
  predeclared.set(
    'select',
    makeBuiltin('select', (args) => {
      // Stand-in for the real select(): take the default branch.
      const d = args.positional[0]?.value;
      if (d === null || d === undefined || typeof d !== 'object' || d.kind !== 'dict')
        return ok(null);
      return ok(d.entries.get(repr('//conditions:default'))?.value ?? null);
    }),
  );
  const env: EvalEnv = {
    predeclared,
    load: (label, _span) => {
      if (label.startsWith('@io_bazel_rules_go')) return ok(predeclared);
      const file = label.replace(/^\/\//, '').replace(':', '/');
      const m = parseFile(file, files[file] ?? '', 'bzl');
      if (!m.ok) return m;
      const g = evaluateModule(m.value, env);
      if (!g.ok) return g;
      return ok(new Map([...g.value].filter(([k]) => !k.startsWith('_'))));
    },
  };
  const m = parseFile(path, files[path] ?? '', 'build');
  if (!m.ok) return err(m.failure);
  const r = evaluateModule(m.value, env);
  return r.ok ? ok(targets) : err(r.failure);
}

function unwrap<T>(r: Result<T, StarlarkFailure>): T {
  if (!r.ok) throw new Error(formatDiagnostic(r.failure.diagnostic));
  return r.value;
}

describe('buildifier round trip', () => {
  let dir: string;
  const formatted: Record<string, string> = {};

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'starlark-buildifier-'));
    for (const [path, text] of Object.entries(SAMPLES)) {
      const file = join(dir, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    execFileSync(BUILDIFIER, ['--mode=fix', ...Object.keys(SAMPLES).map((p) => join(dir, p))]);
    for (const path of Object.keys(SAMPLES))
      formatted[path] = readFileSync(join(dir, path), 'utf8');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('buildifier really reformatted the samples', () => {
    for (const [path, text] of Object.entries(SAMPLES)) {
      expect(formatted[path]).not.toBe(text);
    }
    // Signs of buildifier's style: double quotes, one attribute per line, sorted load symbols.
    expect(formatted['cmd/api/BUILD.bazel']).toContain('    name = "api_lib",\n');
    expect(formatted['cmd/api/BUILD.bazel']).toContain('"go_binary", "go_library", "go_test"');
  });

  test('every file buildifier produced parses', () => {
    for (const [path, text] of Object.entries(formatted)) {
      const r = parseFile(path, text, path.endsWith('.bzl') ? 'bzl' : 'build');
      if (!r.ok) throw new Error(`${path}:\n${formatDiagnostic(r.failure.diagnostic)}`);
    }
  });

  test('formatted files evaluate to the same targets as the originals', () => {
    for (const path of ['cmd/api/BUILD.bazel', 'lib/render/BUILD']) {
      const before = unwrap(evaluateBuild(path, SAMPLES));
      const after = unwrap(evaluateBuild(path, formatted));
      expect(after).toEqual(before);
    }
  });

  test('targets carry the expected attributes', () => {
    const targets = unwrap(evaluateBuild('lib/render/BUILD', formatted));
    expect(
      targets.map((t) => `${t.rule}:${JSON.parse(t.attrs['name'] ?? '""') as string}`),
    ).toEqual([
      'package:',
      'go_library:render',
      'go_test:render_test',
      'go_library:extra',
      'go_test:extra_test',
      'exports_files:',
    ]);
    const render = targets[1]?.attrs;
    expect(render?.['srcs']).toBe('["color.go", "render.go", "zz_generated.go"]');
    expect(render?.['deps']).toBe('["//lib/util", "@org_golang_x_text//:text"]');
    expect(render?.['x_defs']).toBe(
      '{"example.com/lib/render.version": "{VERSION}", "example.com/lib/render.commit": "{COMMIT}"}',
    );
    expect(render?.['gc_goopts']).toBe('[]');
    expect(targets[2]?.attrs['args']).toBe('["--name=render", "-test.v"]');
    expect(targets[4]?.attrs).toEqual({
      name: '"extra_test"',
      srcs: '["extra_test.go"]',
      embed: '[":extra"]',
      tags: '["src:extra.go"]',
    });
  });
});
