import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { BuildEvent } from '../../src/events';
import {
  type CliRun,
  REPO,
  actions,
  finished,
  go,
  makeWorkspace,
  pgobuild,
  tempDir,
  textSection,
} from './harness';

/**
 * Third-party modules, with real modules from the Go module proxy. The module cache is the
 * project's `.cache/gomod` (downloaded once, kept between runs); tests that need an empty cache or
 * no network make their own.
 */
const GOMODCACHE = path.join(REPO, '.cache', 'gomod');
const MODULE_ENV = {
  GOMODCACHE,
  GOFLAGS: '-modcacherw -buildvcs=false',
  GOPROXY: process.env['GOPROXY'] ?? 'https://proxy.golang.org,direct',
};
const FIXTURE = path.join(REPO, 'test', 'fixtures', 'modules', 'many');
const PROFILES = path.join(REPO, 'test', 'fixtures', 'profiles');

function build(
  ws: string,
  args: readonly string[],
  env: Record<string, string> = {},
  cache?: string,
): CliRun {
  return pgobuild(ws, args, { cache, env: { ...process.env, ...MODULE_ENV, ...env } });
}

function goOracle(ws: string, args: readonly string[], env: Record<string, string> = {}) {
  return go(ws, args, { ...MODULE_ENV, ...env });
}

/** Asserts the pgobuild binary has the .text and `go version -m` lines of cmd/go's. */
function expectSameAsGo(ws: string, ours: string, goArgs: readonly string[], cwd = ws): void {
  const out = path.join(tempDir('oracle-'), 'bin');
  const built = goOracle(cwd, ['build', '-trimpath', '-o', out, ...goArgs]);
  expect(built.stderr).toBe('');
  expect(goOracle(ws, ['version', '-m', ours]).stdout.split('\n').slice(1)).toEqual(
    goOracle(ws, ['version', '-m', out]).stdout.split('\n').slice(1),
  );
  expect(textSection(ours).equals(textSection(out))).toBe(true);
}

/** One ELF section's bytes (objcopy). */
function section(binary: string, name: string): Buffer {
  const out = path.join(tempDir('section-'), 'section.bin');
  const r = spawnSync('objcopy', ['-O', 'binary', `--only-section=${name}`, binary, out]);
  if (r.status !== 0) throw new Error(`objcopy failed: ${String(r.stderr)}`);
  return fs.readFileSync(out);
}

function diagnostics(run: CliRun): string {
  return run.events
    .filter((e): e is Extract<BuildEvent, { type: 'diagnostic' }> => e.type === 'diagnostic')
    .map((e) => e.formatted)
    .join('\n');
}

/** A workspace with one binary `//cmd/tool` importing packages of six public modules. */
function manyModulesWorkspace(): string {
  const read = (name: string): string => fs.readFileSync(path.join(FIXTURE, name), 'utf8');
  return makeWorkspace({
    'go.mod': read('go.mod'),
    'go.sum': read('go.sum'),
    'cmd/tool/main.go': read('main.go'),
    'cmd/tool/BUILD.bazel': read('BUILD.bazel'),
  });
}

const UUID_GO_MOD = 'module example.com/app\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n';
const UUID_SUM = 'h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=';
const UUID_GO_SUM =
  `github.com/google/uuid v1.6.0 ${UUID_SUM}\n` +
  'github.com/google/uuid v1.6.0/go.mod h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=\n';
const UUID_MAIN =
  'package main\n\nimport (\n\t"fmt"\n\n\t"github.com/google/uuid"\n)\n\nfunc main() { fmt.Println(len(uuid.NewString())) }\n';
const UUID_BUILD =
  'go_binary(\n    name = "app",\n    srcs = ["main.go"],\n    deps = ["@com_github_google_uuid//:uuid"],\n)\n';

function uuidWorkspace(files: Record<string, string> = {}): string {
  return makeWorkspace({
    'go.mod': UUID_GO_MOD,
    'go.sum': UUID_GO_SUM,
    'cmd/app/main.go': UUID_MAIN,
    'cmd/app/BUILD.bazel': UUID_BUILD,
    ...files,
  });
}

describe('third-party modules (real modules from the Go module proxy)', () => {
  test('packages of six modules, with assembly (x/sys, klauspost/compress), equal cmd/go; a second build is null', () => {
    const ws = manyModulesWorkspace();
    const run = build(ws, ['build', '//cmd/tool']);
    expect(diagnostics(run)).toBe('');
    expect(finished(run).exitCode).toBe(0);
    const executed = actions(run, 'executed', 'GoCompile').concat(
      actions(run, 'cached', 'GoCompile'),
    );
    for (const label of [
      '@org_golang_x_sys//unix',
      '@com_github_klauspost_compress//zstd',
      '@org_golang_x_text//language',
      '@com_github_yuin_goldmark//:goldmark',
      '@com_gitlab_golang_commonmark_markdown//:markdown',
    ])
      expect(executed).toContain(label);
    const bin = path.join(ws, 'pgobuild-out/bin/cmd/tool/tool');
    expect(spawnSync(bin, { encoding: 'utf8' }).stdout).toContain('<p><em>x</em></p>');
    expectSameAsGo(ws, bin, ['./cmd/tool']);
    const again = build(ws, ['build', '//cmd/tool']);
    expect(finished(again).exitCode).toBe(0);
    expect(finished(again).spawns).toBe(0);
  });

  test("PGO reaches module packages: equal to go build -pgo, and a new profile rebuilds the binary's graph, third-party packages included, and nothing else", () => {
    const ws = manyModulesWorkspace();
    fs.copyFileSync(
      path.join(PROFILES, 'markdown-server.cpu.pprof'),
      path.join(ws, 'cmd/tool/default.pgo'),
    );
    // A second binary without a profile shares no compile with the profiled one.
    fs.mkdirSync(path.join(ws, 'cmd/plain'));
    fs.copyFileSync(path.join(ws, 'cmd/tool/main.go'), path.join(ws, 'cmd/plain/main.go'));
    fs.writeFileSync(
      path.join(ws, 'cmd/plain/BUILD.bazel'),
      fs.readFileSync(path.join(ws, 'cmd/tool/BUILD.bazel'), 'utf8').replace('"tool"', '"plain"'),
    );
    // Its own cache: the standard library compiled with these real profiles must not turn other
    // files' "a new profile recompiles std" checks into cache hits.
    const cache = tempDir('pgobuild-modules-pgo-');
    const first = build(ws, ['build', '//cmd/...'], {}, cache);
    expect(diagnostics(first)).toBe('');
    expect(finished(first).exitCode).toBe(0);
    expectSameAsGo(ws, path.join(ws, 'pgobuild-out/bin/cmd/tool/tool'), [
      '-pgo=cmd/tool/default.pgo',
      './cmd/tool',
    ]);
    fs.copyFileSync(
      path.join(PROFILES, 'p2pool-observer-api.cpu.pprof'),
      path.join(ws, 'cmd/tool/default.pgo'),
    );
    const refreshed = build(ws, ['build', '//cmd/...'], {}, cache);
    expect(finished(refreshed).exitCode).toBe(0);
    const pgoTag = (d: string): string => d.replace(/ \[pgo [0-9a-f]+…\]$/, ' [pgo]');
    const rebuilt = actions(refreshed, 'executed', 'GoCompile').map(pgoTag);
    expect(rebuilt).toContain('@com_gitlab_golang_commonmark_markdown//:markdown [pgo]');
    expect(rebuilt).toContain('@org_golang_x_sys//unix [pgo]');
    expect(rebuilt).toContain('runtime [pgo]');
    expect(rebuilt.filter((d) => !d.endsWith('[pgo]'))).toEqual([]);
    expect(actions(refreshed, 'executed', 'GoLink').map(pgoTag)).toEqual(['//cmd/tool [pgo]']);
    expectSameAsGo(ws, path.join(ws, 'pgobuild-out/bin/cmd/tool/tool'), [
      '-pgo=cmd/tool/default.pgo',
      './cmd/tool',
    ]);
  });

  test('module labels work on the command line and in query, with the edges no BUILD file lists', () => {
    const ws = manyModulesWorkspace();
    const deps = pgobuild(ws, ['query', 'deps(//cmd/tool)'], {
      json: false,
      env: { ...process.env, ...MODULE_ENV },
    });
    expect(deps.code).toBe(0);
    const labels = deps.stdout.trim().split('\n');
    // markdown imports its sibling modules' packages; goldmark and zstd their own packages.
    for (const l of [
      '@com_gitlab_golang_commonmark_markdown//:markdown',
      '@com_gitlab_golang_commonmark_linkify//:linkify',
      '@com_github_klauspost_compress//huff0',
      '@org_golang_x_sys//unix',
    ])
      expect(labels).toContain(l);
    const one = build(ws, ['build', '@com_gitlab_golang_commonmark_puny//:puny']);
    expect(finished(one).exitCode).toBe(0);
    const bad = build(ws, ['build', '@com_gitlab_golang_commonmark_puny//:pny']);
    expect(finished(bad).exitCode).toBe(2);
    expect(
      bad.events.some(
        (e) =>
          e.type === 'diagnostic' &&
          e.message.includes("did you mean '@com_gitlab_golang_commonmark_puny//:puny'"),
      ),
    ).toBe(true);
  });

  test('a tampered go.sum line is a checksum error naming the module and the line (exit 2); the restored file builds', () => {
    const ws = uuidWorkspace();
    expect(finished(build(ws, ['build', '//cmd/app'])).exitCode).toBe(0);
    const tampered = UUID_GO_SUM.replace(
      UUID_SUM,
      'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    );
    fs.writeFileSync(path.join(ws, 'go.sum'), tampered);
    const run = build(ws, ['build', '//cmd/app']);
    expect(finished(run).exitCode).toBe(2);
    expect(finished(run).executed).toBe(0);
    const message = diagnostics(run);
    expect(message).toContain('github.com/google/uuid@v1.6.0');
    expect(message).toContain('checksum mismatch');
    expect(message).toMatch(/^go\.sum:1:\d+: error:/m);
    fs.writeFileSync(path.join(ws, 'go.sum'), UUID_GO_SUM);
    expect(finished(build(ws, ['build', '//cmd/app'])).exitCode).toBe(0);
  });

  test('a missing go.sum line names the module and its require line (exit 2)', () => {
    const ws = uuidWorkspace({ 'go.sum': UUID_GO_SUM.split('\n')[1] + '\n' });
    const run = build(ws, ['build', '//cmd/app']);
    expect(finished(run).exitCode).toBe(2);
    const message = diagnostics(run);
    expect(message).toContain('missing go.sum entry for module github.com/google/uuid@v1.6.0');
    expect(message).toMatch(/^go\.mod:5:\d+: error:/m);
  });

  test('a version that does not exist is an error at its require line (exit 2)', () => {
    const ws = uuidWorkspace({
      'go.mod': UUID_GO_MOD.replace('v1.6.0', 'v1.99.0'),
      'go.sum': '',
    });
    const run = build(ws, ['build', '//cmd/app']);
    expect(finished(run).exitCode).toBe(2);
    const message = diagnostics(run);
    expect(message).toMatch(/^go\.mod:5:\d+: error: .*github\.com\/google\/uuid@v1\.99\.0/m);
  });

  test('GOPROXY=off with an empty module cache fails with exit 2 naming the module; nothing is cached', () => {
    const ws = uuidWorkspace();
    const emptyCache = tempDir('gomodcache-');
    const cache = tempDir('pgobuild-cache-');
    const run = pgobuild(ws, ['build', '//cmd/app'], {
      cache,
      env: { ...process.env, ...MODULE_ENV, GOMODCACHE: emptyCache, GOPROXY: 'off' },
    });
    expect(finished(run).exitCode).toBe(2);
    expect(diagnostics(run)).toMatch(
      /^go\.mod:5:\d+: error: [^]*github\.com\/google\/uuid@v1\.6\.0/m,
    );
    expect(finished(run).executed).toBe(0);
    fs.rmSync(emptyCache, { recursive: true, force: true, maxRetries: 3 });
  });

  test('an import no required module provides says the go.mod is untidy (exit 2); the tidy module builds', () => {
    const ws = uuidWorkspace({
      'go.mod': 'module example.com/app\n\ngo 1.22\n',
      'go.sum': '',
      'cmd/app/BUILD.bazel': 'go_binary(name = "app", srcs = ["main.go"])\n',
    });
    const run = build(ws, ['build', '//cmd/app']);
    expect(finished(run).exitCode).toBe(2);
    const message = diagnostics(run);
    expect(message).toMatch(/^cmd\/app\/main\.go:6:\d+: error:/m);
    expect(message).toContain('no required module provides package github.com/google/uuid');
    expect(message).toContain('go mod tidy');
    fs.writeFileSync(path.join(ws, 'go.mod'), UUID_GO_MOD);
    fs.writeFileSync(path.join(ws, 'go.sum'), UUID_GO_SUM);
    const missingDep = build(ws, ['build', '//cmd/app']);
    expect(finished(missingDep).exitCode).toBe(2);
    expect(diagnostics(missingDep)).toContain('add "@com_github_google_uuid//:uuid" to deps');
    fs.writeFileSync(path.join(ws, 'cmd/app/BUILD.bazel'), UUID_BUILD);
    expect(finished(build(ws, ['build', '//cmd/app'])).exitCode).toBe(0);
  });

  test('vendor/ is used as cmd/go uses it (no module cache, no network), equal to go build', () => {
    const ws = uuidWorkspace();
    expect(goOracle(ws, ['mod', 'vendor']).code).toBe(0);
    const offline = { GOMODCACHE: tempDir('gomodcache-'), GOPROXY: 'off' };
    const run = build(ws, ['build', '//cmd/app'], offline);
    expect(diagnostics(run)).toBe('');
    expect(finished(run).exitCode).toBe(0);
    expect(run.events.filter((e) => e.type === 'module-download')).toEqual([]);
    expectSameAsGo(ws, path.join(ws, 'pgobuild-out/bin/cmd/app/app'), ['./cmd/app']);

    // A null build is recorded (files older than the racy window) and replayed; a file added to
    // a vendored package's directory must still be seen.
    const old = new Date(Date.now() - 60_000);
    const age = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) age(p);
        fs.utimesSync(p, old, old);
      }
    };
    age(ws);
    expect(finished(build(ws, ['build', '//cmd/app'], offline)).spawns).toBe(0);
    expect(finished(build(ws, ['build', '//cmd/app'], offline)).replayed).toBe(true);
    fs.writeFileSync(
      path.join(ws, 'vendor/github.com/google/uuid/extra.go'),
      'package uuid\n\n// Extra is new.\nfunc Extra() int { return 1 }\n',
    );
    const after = build(ws, ['build', '//cmd/app'], offline);
    expect(finished(after).replayed).toBeUndefined();
    expect(actions(after, 'executed', 'GoCompile')).toContain('@com_github_google_uuid//:uuid');
  });

  test('a replace to another version and a replace to a local module equal go build', () => {
    const ws = makeWorkspace({
      'go.mod':
        'module example.com/app\n\ngo 1.22\n\nrequire (\n\texample.com/lib v0.0.0\n\tgithub.com/google/uuid v1.5.0\n)\n\n' +
        'replace example.com/lib => ./lib\n\nreplace github.com/google/uuid v1.5.0 => github.com/google/uuid v1.6.0\n',
      'go.sum': UUID_GO_SUM,
      'lib/go.mod': 'module example.com/lib\n\ngo 1.21\n',
      'lib/sub/sub.go': 'package sub\n\n// Hello greets.\nfunc Hello() string { return "hi" }\n',
      'lib/sub/BUILD.bazel': 'go_library(name = "sub", srcs = ["sub.go"])\n',
      'cmd/app/main.go':
        'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/lib/sub"\n\t"github.com/google/uuid"\n)\n\nfunc main() { fmt.Println(sub.Hello(), len(uuid.NewString())) }\n',
      'cmd/app/BUILD.bazel':
        'go_binary(\n    name = "app",\n    srcs = ["main.go"],\n    deps = [\n        "//lib/sub",\n        "@com_github_google_uuid//:uuid",\n    ],\n)\n',
    });
    const run = build(ws, ['build', '//cmd/app']);
    expect(diagnostics(run)).toBe('');
    expect(finished(run).exitCode).toBe(0);
    const bin = path.join(ws, 'pgobuild-out/bin/cmd/app/app');
    expectSameAsGo(ws, bin, ['./cmd/app']);
    expect(goOracle(ws, ['version', '-m', bin]).stdout).toContain(
      'dep\tgithub.com/google/uuid\tv1.5.0\n\t=>\tgithub.com/google/uuid\tv1.6.0\th1:',
    );
    // The replaced local module's package is compiled as cmd/go compiles it, with
    // -trimpath example.com/lib@v0.0.0/sub: file names in the line table are the same.
    const oracleBin = path.join(tempDir('oracle-'), 'app');
    goOracle(ws, ['build', '-trimpath', '-o', oracleBin, './cmd/app']);
    expect(section(bin, '.gopclntab').equals(section(oracleBin, '.gopclntab'))).toBe(true);
    expect(finished(build(ws, ['build', '//cmd/app'])).spawns).toBe(0);
  });

  test('importing a package of a nested module the go.mod does not require is refused, as cmd/go refuses it (exit 2)', () => {
    const ws = makeWorkspace({
      'go.mod': 'module example.com/app\n\ngo 1.22\n',
      'other/go.mod': 'module example.com/other\n\ngo 1.22\n',
      'other/x/x.go': 'package x\n\n// X is one.\nfunc X() int { return 1 }\n',
      'other/x/BUILD.bazel': 'go_library(name = "x", srcs = ["x.go"])\n',
      'cmd/app/main.go':
        'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/other/x"\n)\n\nfunc main() { fmt.Println(x.X()) }\n',
      'cmd/app/BUILD.bazel':
        'go_binary(\n    name = "app",\n    srcs = ["main.go"],\n    deps = ["//other/x"],\n)\n',
    });
    expect(
      goOracle(ws, ['build', '-o', path.join(tempDir('oracle-'), 'app'), './cmd/app']).code,
    ).not.toBe(0);
    const run = build(ws, ['build', '//cmd/app']);
    expect(finished(run).exitCode).toBe(2);
    expect(diagnostics(run)).toMatch(
      /^cmd\/app\/main\.go:6:\d+: error: no required module provides package example\.com\/other\/x: .*module example\.com\/other \(other\/go\.mod\)/m,
    );
  });

  test('a go.work with two modules builds with one build list, equal to go build in that workspace', () => {
    const ws = makeWorkspace({
      'go.work': 'go 1.24\n\nuse (\n\t./svc\n\t./shared\n)\n',
      'shared/go.mod': 'module example.com/shared\n\ngo 1.23\n',
      'shared/util/util.go': 'package util\n\n// X is one.\nfunc X() int { return 1 }\n',
      'shared/util/BUILD.bazel': 'go_library(name = "util", srcs = ["util.go"])\n',
      'svc/go.mod': 'module example.com/svc\n\ngo 1.24\n\nrequire github.com/google/uuid v1.6.0\n',
      'svc/go.sum': UUID_GO_SUM,
      'svc/main.go':
        'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/shared/util"\n\t"github.com/google/uuid"\n)\n\nfunc main() { fmt.Println(util.X(), len(uuid.NewString())) }\n',
      'svc/BUILD.bazel':
        'go_binary(\n    name = "svc",\n    srcs = ["main.go"],\n    deps = [\n        "//shared/util",\n        "@com_github_google_uuid//:uuid",\n    ],\n)\n',
    });
    const run = build(ws, ['build', '//svc']);
    expect(diagnostics(run)).toBe('');
    expect(finished(run).exitCode).toBe(0);
    const bin = path.join(ws, 'pgobuild-out/bin/svc/svc');
    expectSameAsGo(ws, bin, ['.'], path.join(ws, 'svc'));
    expect(goOracle(ws, ['version', '-m', bin]).stdout).toContain(
      'dep\texample.com/shared\t(devel)',
    );
  });
});
