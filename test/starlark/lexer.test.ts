import { SourceFile, tokenize, type Token } from '../../src/starlark';
import { formatDiagnostic } from '../../src/util/diagnostic';

function lex(text: string): Token[] {
  const r = tokenize(new SourceFile('BUILD', text));
  if (!r.ok) throw new Error(formatDiagnostic(r.failure));
  return r.value;
}

/** Compact `kind:text` rendering of the tokens. */
function kinds(text: string): string[] {
  return lex(text).map((t) => (t.text === '' ? t.kind : `${t.kind}:${t.text}`));
}

function lexError(text: string): string {
  const r = tokenize(new SourceFile('BUILD', text));
  if (r.ok) throw new Error('expected a lexical error');
  return formatDiagnostic(r.failure);
}

function stringValue(literal: string): string {
  const t = lex(literal)[0] as Token;
  expect(t.kind).toBe('string');
  return t.text;
}

describe('lexer', () => {
  test('identifiers, keywords, operators and layout', () => {
    expect(kinds('x = a.b(1) # comment\n')).toEqual([
      'name:x',
      'op:=',
      'name:a',
      'op:.',
      'name:b',
      'op:(',
      'int:1',
      'op:)',
      'newline',
      'eof',
    ]);
    expect(kinds('a //= b << 2 != c\n')).toEqual([
      'name:a',
      'op://=',
      'name:b',
      'op:<<',
      'int:2',
      'op:!=',
      'name:c',
      'newline',
      'eof',
    ]);
    expect(kinds('not x in y and load')).toEqual([
      'keyword:not',
      'name:x',
      'keyword:in',
      'name:y',
      'keyword:and',
      'keyword:load',
      'newline',
      'eof',
    ]);
  });

  test('a file without a final newline still ends its last line', () => {
    expect(kinds('x')).toEqual(['name:x', 'newline', 'eof']);
    expect(kinds('')).toEqual(['eof']);
    expect(kinds('\n\n# only a comment\n   \n')).toEqual(['eof']);
  });

  test('indentation produces INDENT and DEDENT; blank and comment lines do not count', () => {
    const text = 'def f():\n    if x:\n        y()\n\n  # odd comment\n    z()\nw()\n';
    expect(kinds(text)).toEqual([
      'keyword:def',
      'name:f',
      'op:(',
      'op:)',
      'op::',
      'newline',
      'indent',
      'keyword:if',
      'name:x',
      'op::',
      'newline',
      'indent',
      'name:y',
      'op:(',
      'op:)',
      'newline',
      'dedent',
      'name:z',
      'op:(',
      'op:)',
      'newline',
      'dedent',
      'name:w',
      'op:(',
      'op:)',
      'newline',
      'eof',
    ]);
  });

  test('open blocks are closed at end of file', () => {
    expect(kinds('def f():\n    pass')).toEqual([
      'keyword:def',
      'name:f',
      'op:(',
      'op:)',
      'op::',
      'newline',
      'indent',
      'keyword:pass',
      'newline',
      'dedent',
      'eof',
    ]);
  });

  test('newlines and indentation inside brackets are ignored', () => {
    expect(kinds('go_library(\n    name = "x",\n        srcs = [\n"a.go",\n    ],\n)\n')).toEqual([
      'name:go_library',
      'op:(',
      'name:name',
      'op:=',
      'string:x',
      'op:,',
      'name:srcs',
      'op:=',
      'op:[',
      'string:a.go',
      'op:,',
      'op:]',
      'op:,',
      'op:)',
      'newline',
      'eof',
    ]);
  });

  test('backslash-newline joins lines', () => {
    expect(kinds('x = 1 + \\\n    2\n')).toEqual([
      'name:x',
      'op:=',
      'int:1',
      'op:+',
      'int:2',
      'newline',
      'eof',
    ]);
  });

  test('CRLF line endings', () => {
    expect(kinds('x = 1\r\ny = "a"\r\n')).toEqual([
      'name:x',
      'op:=',
      'int:1',
      'newline',
      'name:y',
      'op:=',
      'string:a',
      'newline',
      'eof',
    ]);
  });

  test('int literals', () => {
    const ints = lex('0 42 0x1F 0o17 0b101 9007199254740991').filter((t) => t.kind === 'int');
    expect(ints.map((t) => t.int)).toEqual([0, 42, 31, 15, 5, 9007199254740991]);
  });

  test('int literal errors', () => {
    expect(lexError('x = 9007199254740992\n')).toBe(
      "BUILD:1:5: error: int literal '9007199254740992' is too large (the limit is 2^53 - 1)\n" +
        'x = 9007199254740992\n' +
        '    ^~~~~~~~~~~~~~~~',
    );
    expect(lexError('x = 1.5')).toContain('floating-point numbers are not supported');
    expect(lexError('x = 012')).toContain(
      "invalid int literal '012' (use the 0o prefix for octal)",
    );
    expect(lexError('x = 0x')).toContain("invalid int literal '0x'");
  });

  test('all quote forms', () => {
    expect(stringValue("'single'")).toBe('single');
    expect(stringValue('"double"')).toBe('double');
    expect(stringValue("'''tri\nple'''")).toBe('tri\nple');
    expect(stringValue('"""a "quoted" word"""')).toBe('a "quoted" word');
    expect(stringValue('"it\'s"')).toBe("it's");
  });

  test('escape sequences', () => {
    expect(stringValue(String.raw`"a\nb\tc\\d\'e\"f"`)).toBe('a\nb\tc\\d\'e"f');
    expect(stringValue(String.raw`"\x41\101\u00e9\U0001F600\0"`)).toBe('AAé😀\0');
    expect(stringValue('"line \\\ncontinued"')).toBe('line continued');
  });

  test('raw strings keep backslashes', () => {
    expect(stringValue(String.raw`r"a\nb"`)).toBe('a\\nb');
    expect(stringValue(String.raw`r"\""`)).toBe('\\"');
    expect(stringValue(String.raw`R'\d+\.go'`)).toBe('\\d+\\.go');
    expect(stringValue('r"""x\\\ny"""')).toBe('x\\\ny');
  });

  test('string token spans; a multi-line string is cut at the end of its first line', () => {
    const [first, , third] = lex('"ab" """x\ny""" r"c"');
    expect(first?.span).toEqual({ file: 'BUILD', line: 1, col: 1, endCol: 5 });
    expect(first?.end).toEqual({ line: 1, col: 5 });
    const multi = lex('x = """one\ntwo"""\n')[2];
    expect(multi?.span).toEqual({ file: 'BUILD', line: 1, col: 5, endCol: 11 });
    expect(multi?.end).toEqual({ line: 2, col: 7 });
    expect(third).toBeDefined();
  });

  test('unterminated strings point at the opening quote', () => {
    expect(lexError('x = "abc\ny = 1\n')).toBe(
      'BUILD:1:5: error: unterminated string literal\nx = "abc\n    ^',
    );
    expect(lexError('x = 1\ndoc = """never\nclosed\n')).toBe(
      'BUILD:2:7: error: unterminated string literal\ndoc = """never\n      ^~~',
    );
    expect(lexError("s = r'abc")).toBe(
      "BUILD:1:5: error: unterminated string literal\ns = r'abc\n    ^~",
    );
  });

  test('invalid escapes', () => {
    expect(lexError(String.raw`x = "a\qb"`)).toBe(
      "BUILD:1:7: error: invalid escape sequence: \\q. Use '\\\\' to insert '\\'.\n" +
        'x = "a\\qb"\n' +
        '      ^~',
    );
    expect(lexError(String.raw`x = "\x4"`)).toContain('\\x needs exactly 2 hexadecimal digits');
    expect(lexError(String.raw`x = "\777"`)).toContain('octal escape value > 255');
    expect(lexError(String.raw`x = "\UFFFFFFFF"`)).toContain('invalid Unicode code point');
  });

  test('tabs in indentation are rejected, as in Bazel', () => {
    expect(lexError('def f():\n\tpass\n')).toBe(
      'BUILD:2:1: error: tab characters are not allowed for indentation; use spaces instead\n' +
        '\tpass\n' +
        '^',
    );
    // Tabs elsewhere are plain whitespace, and tabs inside brackets do not matter.
    expect(kinds('x =\t1\ny = [\n\t2,\n]\n')).toContain('int:2');
  });

  test('a dedent must return to an enclosing indentation level', () => {
    expect(lexError('def f():\n    x = 1\n  y = 2\n')).toBe(
      'BUILD:3:3: error: unindent does not match any outer indentation level\n  y = 2\n  ^',
    );
  });

  test('invalid characters and reserved words', () => {
    expect(lexError('x = $y')).toBe("BUILD:1:5: error: invalid character '$'\nx = $y\n    ^");
    expect(lexError('while x:\n  pass\n')).toBe(
      "BUILD:1:1: error: keyword 'while' is not supported\nwhile x:\n^~~~~",
    );
  });
});
