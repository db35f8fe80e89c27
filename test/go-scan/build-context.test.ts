import type { BuildContext } from '../../src/go/scan';
import {
  evalBuildExpr,
  formatBuildExpr,
  goodOSArchFile,
  matchBuildTag,
  matchesBuildContext,
  parseGoBuildExpr,
  scanGoFile,
} from '../../src/go/scan';

/** The tool tags of a default Go 1.26 linux/amd64 toolchain (go list -f '{{context.ToolTags}}'). */
const defaultToolTags = [
  'goexperiment.regabiwrappers',
  'goexperiment.regabiargs',
  'goexperiment.dwarf5',
  'goexperiment.greenteagc',
  'goexperiment.randomizedheapbase64',
  'amd64.v1',
];

function context(spec: string): BuildContext {
  const [platform = '', ...rest] = spec.split(' ');
  const [goos = '', goarchCgo = ''] = platform.split('/');
  const [goarch = '', cgo] = goarchCgo.split('+');
  return {
    goos,
    goarch,
    goMinor: 26,
    cgoEnabled: cgo === 'cgo',
    compiler: 'gc',
    buildTags: rest.map((t) => t.replace(/^tags=/, '')),
    toolTags: defaultToolTags,
  };
}

describe('matchesBuildContext agrees with go/build MatchFile', () => {
  // [file name, text, goos/goarch[+cgo][ tags=t], expected: 'true' | 'false' | error message]
  // Expectations recorded from go/build.Context.MatchFile (Go 1.26) on the same inputs.
  const table: [string, string, string, string][] = [
    ['a.go', '//go:build linux\n\npackage p\n', 'linux/amd64', 'true'],
    ['a.go', '//go:build linux\n\npackage p\n', 'darwin/arm64', 'false'],
    ['a.go', '//go:build !linux && amd64\n\npackage p\n', 'linux/amd64', 'false'],
    ['a.go', '//go:build !linux && amd64\n\npackage p\n', 'windows/amd64', 'true'],
    ['a.go', '//go:build unix\n\npackage p\n', 'linux/amd64', 'true'],
    ['a.go', '//go:build unix\n\npackage p\n', 'windows/amd64', 'false'],
    ['a.go', '//go:build unix\n\npackage p\n', 'plan9/amd64', 'false'],
    ['a.go', '//go:build go1.21\n\npackage p\n', 'linux/amd64', 'true'],
    ['a.go', '//go:build go1.27\n\npackage p\n', 'linux/amd64', 'false'],
    ['a.go', '//go:build !go1.21\n\npackage p\n', 'linux/amd64', 'false'],
    ['a.go', '//go:build ignore\n\npackage main\n', 'linux/amd64', 'false'],
    ['a.go', '//go:build cgo\n\npackage p\n', 'linux/amd64', 'false'],
    ['a.go', '//go:build cgo\n\npackage p\n', 'linux/amd64+cgo', 'true'],
    ['a.go', '//go:build gc && !gccgo\n\npackage p\n', 'linux/amd64', 'true'],
    ['a.go', '//go:build linux\n\npackage p\n', 'android/arm64', 'true'],
    ['a.go', '//go:build darwin\n\npackage p\n', 'ios/arm64', 'true'],
    ['a.go', '//go:build solaris\n\npackage p\n', 'illumos/amd64', 'true'],
    [
      'a.go',
      '//go:build purego || (amd64 && !appengine)\n\npackage p\n',
      'linux/arm64 tags=purego',
      'true',
    ],
    ['a.go', '//go:build purego || (amd64 && !appengine)\n\npackage p\n', 'linux/arm64', 'false'],
    ['a.go', '//go:build amd64.v1\n\npackage p\n', 'linux/amd64', 'true'],
    ['a.go', '//go:build amd64.v3\n\npackage p\n', 'linux/amd64', 'false'],
    ['a.go', '//go:build goexperiment.greenteagc\n\npackage p\n', 'linux/amd64', 'true'],
    ['a.go', '//go:build boringcrypto\n\npackage p\n', 'linux/amd64', 'false'],
    [
      'a.go',
      '// Copyright\n\n//go:build windows\n// +build linux\n\npackage p\n',
      'linux/amd64',
      'false',
    ],
    ['a.go', '// Doc comment\n//go:build windows\npackage p\n', 'linux/amd64', 'false'],
    ['a.go', 'package p\n\n//go:build windows\n', 'linux/amd64', 'true'],
    ['a.go', '/* block\n*/\n//go:build windows\n\npackage p\n', 'linux/amd64', 'false'],
    ['a.go', '/* //go:build windows\n*/\n\npackage p\n', 'linux/amd64', 'true'],
    ['a.go', '// +build windows\n\npackage p\n', 'linux/amd64', 'false'],
    ['a.go', '// +build linux darwin\n// +build !cgo\n\npackage p\n', 'linux/amd64', 'true'],
    ['a.go', '// +build linux darwin\n// +build !cgo\n\npackage p\n', 'linux/amd64+cgo', 'false'],
    ['a.go', '// +build windows\npackage p\n', 'linux/amd64', 'true'],
    ['a.go', '// +build linux,!!foo\n\npackage p\n', 'linux/amd64', 'false'],
    [
      'a.go',
      '//go:build\n\npackage p\n',
      'linux/amd64',
      'parsing //go:build line: unexpected end of expression',
    ],
    [
      'a.go',
      '//go:build linux &&\n\npackage p\n',
      'linux/amd64',
      'parsing //go:build line: unexpected end of expression',
    ],
    [
      'a.go',
      '//go:build (linux\n\npackage p\n',
      'linux/amd64',
      'parsing //go:build line: missing close paren',
    ],
    [
      'a.go',
      '//go:build linux & amd64\n\npackage p\n',
      'linux/amd64',
      'parsing //go:build line: invalid syntax at &',
    ],
    [
      'a.go',
      '//go:build !!linux\n\npackage p\n',
      'linux/amd64',
      'parsing //go:build line: double negation not allowed',
    ],
    [
      'a.go',
      '//go:build linux\n//go:build amd64\n\npackage p\n',
      'linux/amd64',
      'multiple //go:build comments',
    ],
    ['a.go', '//go:buildx linux\n\npackage p\n', 'windows/amd64', 'true'],
    ['a_windows.go', '//go:build (\n\npackage p\n', 'linux/amd64', 'false'],
    ['a.go', '//go:build linux\n\npackage p\nimport (\n', 'windows/amd64', 'false'],
    ['x_linux.go', 'package p\n', 'linux/amd64', 'true'],
    ['x_linux.go', 'package p\n', 'android/amd64', 'true'],
    ['x_windows.go', 'package p\n', 'linux/amd64', 'false'],
    ['x_amd64.go', 'package p\n', 'linux/arm64', 'false'],
    ['x_linux_amd64.go', 'package p\n', 'linux/amd64', 'true'],
    ['x_linux_arm64.go', 'package p\n', 'linux/amd64', 'false'],
    ['x_linux_test.go', 'package p\n', 'linux/amd64', 'true'],
    ['x_windows_test.go', 'package p\n', 'linux/amd64', 'false'],
    ['x_test.go', 'package p\n', 'linux/amd64', 'true'],
    ['x_unix.go', 'package p\n', 'windows/amd64', 'true'],
    ['linux.go', 'package p\n', 'windows/amd64', 'true'],
    ['x_nacl.go', 'package p\n', 'linux/amd64', 'false'],
    ['x_linux_foo.go', 'package p\n', 'windows/amd64', 'true'],
    ['x_amd64_linux.go', 'package p\n', 'windows/amd64', 'false'],
    ['x_amd64_linux.go', 'package p\n', 'linux/arm64', 'true'],
    ['x.pb_windows.go', 'package p\n', 'linux/amd64', 'true'],
    ['_x.go', 'package p\n', 'linux/amd64', 'false'],
    ['.x.go', 'package p\n', 'linux/amd64', 'false'],
    ['x.txt', 'package p\n', 'linux/amd64', 'false'],
    ['x.s', '//go:build arm64\n\n#include "textflag.h"\n', 'linux/amd64', 'false'],
    ['x.s', '// +build arm64\n\n#include "textflag.h"\n', 'linux/amd64', 'false'],
    ['x.s', '/ bad comment\n//go:build arm64\n', 'linux/amd64', 'true'],
    ['x.h', '//go:build windows\n', 'linux/amd64', 'false'],
    ['x_arm64.s', 'TEXT ·f(SB),0,$0\n', 'linux/amd64', 'false'],
    ['x.s', '//go:build (\n', 'linux/amd64', 'parsing //go:build line: missing close paren'],
    ['x.syso', '\u0000\u0001', 'linux/amd64', 'true'],
    ['x_windows.syso', '', 'linux/amd64', 'false'],
    ['x.S', '//go:build linux\n', 'linux/amd64', 'true'],
    ['x.c', '//go:build linux\n', 'linux/amd64', 'true'],
  ];

  it.each(table)('%s %j in %s → %s', (name, text, ctx, expected) => {
    const r = matchesBuildContext(`dir/${name}`, undefined, context(ctx), text);
    if (expected === 'true' || expected === 'false') {
      expect(r).toEqual({ ok: true, value: expected === 'true' });
    } else {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.failure.message).toBe(expected);
    }
  });

  it('gives the same answers from a scanned GoFileInfo as from the text', () => {
    for (const [name, text, ctx, expected] of table) {
      if (!name.endsWith('.go') || name.startsWith('_') || name.startsWith('.')) continue;
      const info = scanGoFile(`dir/${name}`, text);
      if (!info.ok) continue; // the header is broken: go/build would only report it for a matching file
      const r = matchesBuildContext(name, info.value, context(ctx));
      expect([name, text, ctx, r.ok ? String(r.value) : r.failure.message]).toEqual([
        name,
        text,
        ctx,
        expected,
      ]);
    }
  });
});

describe('build constraint diagnostics', () => {
  it('points at the offending character of a malformed //go:build line', () => {
    const r = matchesBuildContext(
      'pkg/a.go',
      undefined,
      context('linux/amd64'),
      '// x\n//go:build  linux & amd64\n\npackage p\n',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure.span).toEqual({ file: 'pkg/a.go', line: 2, col: 19, endCol: 20 });
    expect(r.failure.message).toBe('parsing //go:build line: invalid syntax at &');
    expect(r.failure.sourceLine).toBe('//go:build  linux & amd64');
  });

  it('reports the second of two //go:build lines', () => {
    const info = scanGoFile('pkg/a.go', '//go:build linux\n//go:build amd64\n\npackage p\n');
    expect(info.ok).toBe(true);
    if (!info.ok) return;
    const r = matchesBuildContext('a.go', info.value, context('linux/amd64'));
    expect(r.ok ? 'ok' : `${r.failure.span.line}:${r.failure.span.col} ${r.failure.message}`).toBe(
      '2:1 multiple //go:build comments',
    );
  });

  it('does not look at the constraint of a file excluded by its name', () => {
    expect(
      matchesBuildContext(
        'a_windows.go',
        undefined,
        context('linux/amd64'),
        '//go:build (\npackage p\n',
      ),
    ).toEqual({
      ok: true,
      value: false,
    });
  });
});

describe('build expressions', () => {
  it.each([
    ['linux && amd64 || darwin', '(linux && amd64) || darwin'],
    ['linux && (amd64 || arm64)', 'linux && (amd64 || arm64)'],
    ['!(linux || darwin)', '!(linux || darwin)'],
    ['((a))', 'a'],
    ['a||b&&c', 'a || (b && c)'],
  ])('%s formats as %s (constraint.Expr.String)', (input, formatted) => {
    const x = parseGoBuildExpr(input);
    expect(x.ok && formatBuildExpr(x.value)).toBe(formatted);
  });

  it('evaluates every tag (no short circuit), like go/build which records all tags', () => {
    const x = parseGoBuildExpr('a && b || c');
    if (!x.ok) throw new Error('parse');
    const seen: string[] = [];
    expect(evalBuildExpr(x.value, (t) => (seen.push(t), t === 'c'))).toBe(true);
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('knows release tags, unix, and GOOS aliases', () => {
    const ctx = context('android/arm64');
    expect(
      [
        'go1.1',
        'go1.26',
        'go1.27',
        'go1.010',
        'unix',
        'linux',
        'android',
        'arm64',
        'gc',
        'cgo',
      ].map((t) => matchBuildTag(ctx, t)),
    ).toEqual([true, true, false, false, true, true, true, true, true, false]);
  });

  it('applies GOOS/GOARCH file-name suffixes only after the first underscore', () => {
    const ctx = context('linux/amd64');
    expect(
      [
        'windows.go',
        'a_windows.go',
        'a_windows_amd64_test.go',
        'a_unix.go',
        'a_linux_amd64.go',
      ].map((n) => goodOSArchFile(ctx, n)),
    ).toEqual([true, false, false, true, true]);
  });
});
