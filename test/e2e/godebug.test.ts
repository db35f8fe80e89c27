import * as path from 'node:path';
import { diagnostics, finished, go, makeWorkspace, pgobuild, tempDir } from './harness';

// GODEBUG as cmd/go decides it (load/godebug.go, load/test.go, modload.CheckGodebug): the test
// main takes the //go:debug lines of _test.go files; unknown and removed keys stop the build at
// their line; a go.mod without a `go` line means go1.16's defaults.

const GO_MOD = 'module example.com/gd\n\ngo 1.22\n';

const LIB_BUILD = `go_library(
    name = "lib",
    srcs = ["lib.go"],
)

go_test(
    name = "lib_test",
    srcs = ["lib_test.go", "x_test.go"],
    embed = [":lib"],
)
`;

/** A test that passes only with panicnil=1 (panic(nil) recovers as nil) and prints its build info. */
const LIB_TEST = `//go:debug panicnil=1

package lib

import (
	"runtime/debug"
	"testing"
)

func TestPanicNil(t *testing.T) {
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic(nil) recovered %v: the test's //go:debug panicnil=1 was not applied", r)
		}
	}()
	panic(nil)
}

func TestBuildInfo(t *testing.T) {
	bi, _ := debug.ReadBuildInfo()
	t.Logf("BUILDINFO\\n%sEND", bi)
}
`;

const X_TEST = `//go:debug asynctimerchan=0

package lib_test

import "testing"

func TestX(t *testing.T) {}
`;

/** The `path`/`mod`/`dep`/`build` lines of `go version -m` output or of debug.BuildInfo.String(). */
function infoLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(path|mod|dep|build)\t/.test(l));
}

/** The `build DefaultGODEBUG=` line of `go version -m`. */
function defaultGodebugOf(binary: string, cwd: string): string {
  const r = go(cwd, ['version', '-m', binary]);
  expect(r.code).toBe(0);
  return infoLines(r.stdout).find((l) => l.startsWith('build\tDefaultGODEBUG=')) ?? '(none)';
}

describe('GODEBUG as cmd/go decides it', () => {
  test('//go:debug lines of _test.go files apply to the test binary, with the build info go test gives', () => {
    const ws = makeWorkspace({
      'go.mod': GO_MOD,
      'lib/BUILD': LIB_BUILD,
      'lib/lib.go': 'package lib\n',
      'lib/lib_test.go': LIB_TEST,
      'lib/x_test.go': X_TEST,
    });
    const run = pgobuild(ws, ['test', '//lib:lib_test', '--', '-test.v']);
    expect(finished(run).exitCode).toBe(0);
    const result = run.events.find((e) => e.type === 'test-result');
    const output = result?.type === 'test-result' ? result.output : '';
    expect(output).toContain('--- PASS: TestPanicNil');
    const ours = /BUILDINFO\n([\s\S]*?)END/.exec(output)?.[1] ?? '';

    const out = path.join(tempDir('pgobuild-godebug-'), 'lib.test');
    const oracle = go(ws, ['test', '-c', '-trimpath', '-o', out, './lib']);
    expect(oracle.stderr).toBe('');
    const theirs = go(ws, ['version', '-m', out]);
    expect(infoLines(ours)).toEqual(infoLines(theirs.stdout));
    expect(infoLines(ours).join('\n')).toContain('panicnil=1');
    expect(infoLines(ours).join('\n')).toContain('asynctimerchan=0');
  });

  test.each([
    ['an unknown key', 'nosuchsetting=1', 'unknown //go:debug setting "nosuchsetting"'],
    [
      'a key Go 1.24 removed',
      'x509sha1=1',
      'use of removed //go:debug setting "x509sha1", see https://go.dev/doc/godebug#go-124',
    ],
  ])('%s in a _test.go file is an error at its line, as cmd/go says', (_what, setting, why) => {
    const ws = makeWorkspace({
      'go.mod': GO_MOD,
      'lib/BUILD': LIB_BUILD,
      'lib/lib.go': 'package lib\n',
      'lib/lib_test.go': `//go:debug panicnil=1\n//go:debug ${setting}\n${LIB_TEST.slice(LIB_TEST.indexOf('\n') + 1)}`,
      'lib/x_test.go': X_TEST,
    });
    const oracle = go(ws, ['test', '-c', '-o', '/dev/null', './lib']);
    expect(oracle.code).not.toBe(0);
    expect(oracle.stderr).toContain(`lib/lib_test.go:2:1: invalid //go:debug: ${why}`);

    const run = pgobuild(ws, ['test', '//lib:lib_test']);
    expect(run.code).toBe(2);
    expect(finished(run).exitCode).toBe(2);
    expect(
      diagnostics(run).map((d) => `${d.file ?? ''}:${d.line ?? 0}:${d.col ?? 0}: ${d.message}`),
    ).toEqual([`lib/lib_test.go:2:1: invalid //go:debug: ${why}`]);
    expect(run.events.some((e) => e.type === 'action-finished')).toBe(false);
  });

  test('an unknown key in a main package is an error, not stamped into the binary', () => {
    const ws = makeWorkspace({
      'go.mod': GO_MOD,
      'cmd/app/BUILD': 'go_binary(\n    name = "app",\n    srcs = ["main.go"],\n)\n',
      'cmd/app/main.go': '//go:debug bogus=1\n\npackage main\n\nfunc main() {}\n',
    });
    const oracle = go(ws, ['build', '-o', '/dev/null', './cmd/app']);
    expect(oracle.stderr).toContain(
      'cmd/app/main.go:1:1: invalid //go:debug: unknown //go:debug setting "bogus"',
    );
    const run = pgobuild(ws, ['build', '//cmd/app'], { json: false });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'cmd/app/main.go:1:1: error: invalid //go:debug: unknown //go:debug setting "bogus"\n//go:debug bogus=1\n^~~~',
    );
  });

  test('go.mod godebug lines with unknown or removed keys are errors at their line', () => {
    const ws = makeWorkspace({
      'go.mod':
        'module example.com/gd\n\ngo 1.22\n\ngodebug (\n\tpanicnil=1\n\tbogus=1\n\tx509sha1=1\n)\n',
      'cmd/app/BUILD': 'go_binary(\n    name = "app",\n    srcs = ["main.go"],\n)\n',
      'cmd/app/main.go': 'package main\n\nfunc main() {}\n',
    });
    const oracle = go(ws, ['build', '-o', '/dev/null', './cmd/app']);
    expect(oracle.code).not.toBe(0);
    expect(oracle.stderr).toContain('go.mod:7: unknown godebug "bogus"');
    expect(oracle.stderr).toContain(
      'go.mod:8: use of removed godebug "x509sha1", see https://go.dev/doc/godebug#go-124',
    );
    const run = pgobuild(ws, ['build', '//cmd/app']);
    expect(run.code).toBe(2);
    expect(
      diagnostics(run).map((d) => `${d.file ?? ''}:${d.line ?? 0}:${d.col ?? 0}: ${d.message}`),
    ).toEqual([
      'go.mod:7:2: unknown godebug "bogus"',
      'go.mod:8:2: use of removed godebug "x509sha1", see https://go.dev/doc/godebug#go-124',
    ]);
  });

  test('a go.mod without a go line gives the defaults of go1.16, as cmd/go does', () => {
    const ws = makeWorkspace({
      'go.mod': 'module example.com/gd\n',
      'cmd/app/BUILD': 'go_binary(\n    name = "app",\n    srcs = ["main.go"],\n)\n',
      'cmd/app/main.go': 'package main\n\nfunc main() {}\n',
    });
    const run = pgobuild(ws, ['build', '//cmd/app']);
    expect(finished(run).exitCode).toBe(0);
    const oracle = path.join(tempDir('pgobuild-godebug-'), 'app');
    expect(go(ws, ['build', '-trimpath', '-o', oracle, './cmd/app']).code).toBe(0);
    const theirs = defaultGodebugOf(oracle, ws);
    expect(theirs).toContain('netedns0=0');
    expect(defaultGodebugOf(path.join(ws, 'pgobuild-out/bin/cmd/app/app'), ws)).toBe(theirs);
  });
});
