import { formatDiagnostic } from '../../src/util/diagnostic';
import type { Diagnostic } from '../../src/util/diagnostic';
import type { GoFileInfo } from '../../src/go/scan';
import { checkGoDebugDirectives, scanGoFile } from '../../src/go/scan';

function scan(text: string, path = 'pkg/a.go'): GoFileInfo {
  const r = scanGoFile(path, text);
  if (!r.ok) throw new Error(formatDiagnostic(r.failure));
  return r.value;
}

function scanError(text: string): Diagnostic {
  const r = scanGoFile('pkg/a.go', text);
  if (r.ok) throw new Error('expected a syntax error');
  return r.failure;
}

/** The text a span covers, for checking positions against the source. */
function spanText(text: string, span: { line: number; col: number; endCol: number }): string {
  const line = text.split('\n')[span.line - 1] ?? '';
  return line.slice(span.col - 1, span.endCol - 1);
}

describe('scanGoFile: package clause and imports', () => {
  const text = [
    '// Copyright header',
    '',
    '//go:build linux && !cgo',
    '',
    '// Package demo does things.',
    'package demo // trailing',
    '',
    'import "fmt"',
    'import (',
    '\tstr "strings"',
    '\t_ "embed"',
    '\t. `math`',
    '\t"C"; "os"',
    ')',
    '',
    '//go:embed static/*.html "with space.txt" `raw name`',
    'var files string',
    '',
    'func f() { _ = "//go:embed not-a-comment" }',
    '',
  ].join('\n');
  const info = scan(text);

  it('reads the package name and its span', () => {
    expect(info.packageName).toBe('demo');
    expect(info.packageSpan).toEqual({ file: 'pkg/a.go', line: 6, col: 9, endCol: 13 });
  });

  it('reads every import with its local name and the span of the quoted path', () => {
    expect(info.imports.map((i) => [i.name ?? '', i.path])).toEqual([
      ['', 'fmt'],
      ['str', 'strings'],
      ['_', 'embed'],
      ['.', 'math'],
      ['', 'C'],
      ['', 'os'],
    ]);
    expect(info.imports.map((i) => spanText(text, i.span))).toEqual([
      '"fmt"',
      '"strings"',
      '"embed"',
      '`math`',
      '"C"',
      '"os"',
    ]);
    expect(info.imports[5]?.span).toEqual({ file: 'pkg/a.go', line: 13, col: 7, endCol: 11 });
    expect(info.importsC).toBe(true);
  });

  it('reads //go:embed patterns (bare, quoted, back-quoted) with positions, but not inside strings', () => {
    expect(info.embedPatterns.map((p) => p.pattern)).toEqual([
      'static/*.html',
      'with space.txt',
      'raw name',
    ]);
    expect(info.embedPatterns.map((p) => spanText(text, p.span))).toEqual([
      'static/*.html',
      '"with space.txt"',
      '`raw name`',
    ]);
    expect(info.embedPatterns[1]?.span).toMatchObject({ line: 16, col: 26 });
  });

  it('reads the //go:build line', () => {
    expect(info.goBuild).toMatchObject({ expr: 'linux && !cgo', line: 3, kind: 'go:build' });
    expect(info.goBuild?.span).toMatchObject({ line: 3, col: 12 });
  });
});

describe('scanGoFile: directives', () => {
  it('collects //go: comments before the package clause only, and //go:debug settings', () => {
    const text = [
      '//go:debug panicnil=1',
      '//go:debug  http2client=0 ',
      '/* //go:debug not=this */',
      '//go:generate echo hi',
      '',
      'package main',
      '',
      '//go:debug after=package',
      'func main() {}',
    ].join('\n');
    const info = scan(text);
    expect(info.directives.map((d) => [d.text, d.span.line, d.span.col])).toEqual([
      ['//go:debug panicnil=1', 1, 1],
      ['//go:debug  http2client=0 ', 2, 1],
      ['//go:generate echo hi', 4, 1],
    ]);
    expect(info.goDebug.map((d) => [d.key, d.value, d.span.line])).toEqual([
      ['panicnil', '1', 1],
      ['http2client', '0', 2],
    ]);
    expect(info.goDebugErrors).toEqual([]);
  });

  it('reports malformed and repeated //go:debug lines like cmd/go', () => {
    const a = scan(
      '//go:debug\n//go:debug x=1,2\n//go:debug default=1.21\n//go:debugged\npackage main\n',
    );
    expect(a.goDebugErrors.map((d) => [d.span.line, d.message])).toEqual([
      [1, 'invalid //go:debug: missing key=value'],
      [2, 'invalid //go:debug: value contains comma'],
      [3, 'invalid //go:debug: value for default= must be goVERSION'],
    ]);
    const b = scan('//go:debug panicnil=1\npackage main\n', 'cmd/x/b.go');
    const c = scan('//go:debug panicnil=0\npackage main\n', 'cmd/x/c.go');
    const problems = checkGoDebugDirectives([b, c]);
    expect(problems.map((d) => `${d.span.file}:${d.span.line}: ${d.message}`)).toEqual([
      'cmd/x/c.go:1: repeated //go:debug for panicnil (previous //go:debug at cmd/x/b.go:1:1)',
    ]);
  });

  it('finds //go:embed only in files that import "embed"', () => {
    expect(scan('package p\n\n//go:embed x.txt\nvar s string\n').embedPatterns).toEqual([]);
    const withEmbed = scan(
      'package p\nimport _ "embed"\n//go:embed a b\n//go:embedded c\n//go:embed "bad\nvar s string\n',
    );
    expect(withEmbed.embedPatterns.map((p) => p.pattern)).toEqual(['a', 'b']);
  });

  it('falls back to // +build lines only before the blank line that ends the header comments', () => {
    const info = scan('// +build linux,amd64 darwin\n// +build !purego\n\npackage p\n');
    expect(info.goBuild).toMatchObject({
      kind: 'plus-build',
      expr: '((linux && amd64) || darwin) && !purego',
      line: 1,
    });
    expect(scan('// +build linux\npackage p\n').goBuild).toBeUndefined();
  });

  it('strips a byte order mark like go/build', () => {
    const info = scan('\ufeffpackage p\nimport "fmt"\n');
    expect(info.packageSpan).toMatchObject({ line: 1, col: 9 });
    expect(info.imports.map((i) => i.path)).toEqual(['fmt']);
  });
});

describe('scanGoFile: syntax errors point at the exact position', () => {
  // Expected values are what go/build (Go 1.26) reports for a file with this content.
  const cases: [string, string, number, number][] = [
    ['', "expected 'package', found 'EOF'", 1, 1],
    ['// only a comment\n', "expected 'package', found 'EOF'", 1, 19],
    ['package\n', "expected 'IDENT', found 'EOF'", 1, 9],
    ['package 1x\n', "expected 'IDENT', found 1", 1, 9],
    ['package p\nimport (\n\t"fmt"\n', "expected ')', found 'EOF'", 3, 8],
    ['package p\nimport x\n', 'missing import path', 2, 9],
    ['package p\nimport foo bar\n', 'import path must be a string', 2, 12],
    ['package p\nimport "a\\qb"\n', 'unknown escape sequence', 2, 11],
    ['package p\nimport "fmt\n', 'string literal not terminated', 2, 8],
    ['package p\nimport "a b"\n', 'invalid import path: a b', 2, 8],
    ['package p\nimport m "a:b"\n', 'invalid import path: a:b', 2, 8],
    ['package p\n/* open\n', 'comment not terminated', 2, 1],
    [
      'package p\nimport \u201cfmt\u201d\n',
      "curly quotation mark '\u201c' (use neutral '\"')",
      2,
      8,
    ],
    ['package p\nimport (\n\t"a" "b" #\n)\n', 'expected \';\', found "b"', 3, 6],
    ['package p\nimport (\n\t# "a"\n)\n', "illegal character U+0023 '#'", 3, 2],
  ];
  it.each(cases)('%j → %s', (text, message, line, col) => {
    const d = scanError(text);
    expect(d.message).toBe(message);
    expect([d.span.line, d.span.col]).toEqual([line, col]);
    expect(d.span.file).toBe('pkg/a.go');
  });

  it('ignores errors after the header, as go/build does', () => {
    // The lenient reader stops at the second string: the parser never sees it.
    expect(scan('package p\nimport "fmt" "os"\n').imports.map((i) => i.path)).toEqual(['fmt']);
    expect(scan('package p\nimport `x`\n#').imports.map((i) => i.path)).toEqual(['x']);
    expect(scan('package p\nimport "fmt"\nfunc ( {{{ "\n').imports.map((i) => i.path)).toEqual([
      'fmt',
    ]);
    // The lenient reader gives up at `import_x`, the parser stops before it: no error.
    expect(scan('package p\nimport "fmt"\nimport_x := 1\n').imports.map((i) => i.path)).toEqual([
      'fmt',
    ]);
  });

  it('rejects a NUL byte in the header', () => {
    const d = scanError('package p\nimport "f\0"\n');
    expect(d.message).toBe('unexpected NUL in input');
    expect(d.span).toMatchObject({ line: 2, col: 10 });
  });

  it('formats with a caret under the offending token', () => {
    const d = scanError('package p\n\nimport (\n\t"fmt" "os"\n)\n');
    expect(formatDiagnostic(d)).toBe(
      'pkg/a.go:4:8: error: expected \';\', found "os"\n\t"fmt" "os"\n\t      ^~~~',
    );
  });
});
