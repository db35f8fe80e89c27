import { parseFile, type Dialect } from '../../src/starlark';
import type { Expr, Stmt } from '../../src/starlark/ast';
import { formatDiagnostic } from '../../src/util/diagnostic';

/** An s-expression rendering of an expression, to check tree shape and precedence. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'identifier':
      return e.name;
    case 'literal':
      return typeof e.value === 'string' ? JSON.stringify(e.value) : String(e.value);
    case 'list':
      return `[${e.items.map(show).join(' ')}]`;
    case 'tuple':
      return `(tuple ${e.items.map(show).join(' ')})`;
    case 'dict':
      return `{${e.entries.map((x) => `${show(x.key)}: ${show(x.value)}`).join(', ')}}`;
    case 'list-comprehension':
    case 'dict-comprehension': {
      const clauses = e.clauses.map((c) =>
        c.kind === 'for'
          ? `for ${show(c.target)} in ${show(c.iterable)}`
          : `if ${show(c.condition)}`,
      );
      const body = e.value === undefined ? show(e.body) : `${show(e.body)}: ${show(e.value)}`;
      return `(${e.kind === 'list-comprehension' ? 'listcomp' : 'dictcomp'} ${body} ${clauses.join(' ')})`;
    }
    case 'binary':
      return `(${e.op} ${show(e.left)} ${show(e.right)})`;
    case 'unary':
      return `(${e.op} ${show(e.operand)})`;
    case 'conditional':
      return `(if ${show(e.condition)} ${show(e.then)} ${show(e.otherwise)})`;
    case 'index':
      return `(index ${show(e.object)} ${show(e.index)})`;
    case 'slice': {
      const part = (p: Expr | undefined): string => (p === undefined ? '_' : show(p));
      return `(slice ${show(e.object)} ${part(e.start)} ${part(e.stop)} ${part(e.step)})`;
    }
    case 'dot':
      return `(. ${show(e.object)} ${e.name})`;
    case 'call':
      return `(call ${show(e.callee)}${e.args
        .map((a) => {
          switch (a.kind) {
            case 'positional':
              return ' ' + show(a.value);
            case 'named':
              return ` ${a.name}=${show(a.value)}`;
            case 'star':
              return ` *${show(a.value)}`;
            case 'star-star':
              return ` **${show(a.value)}`;
          }
        })
        .join('')})`;
  }
}

function parse(text: string, dialect: Dialect = 'bzl'): readonly Stmt[] {
  const r = parseFile('pkg/BUILD', text, dialect);
  if (!r.ok) throw new Error(formatDiagnostic(r.failure.diagnostic));
  return r.value.statements;
}

/** The shape of a single expression. */
function expr(text: string): string {
  const [stmt] = parse(`${text}\n`);
  if (stmt?.kind !== 'expr') throw new Error(`not an expression statement: ${text}`);
  return show(stmt.expr);
}

function syntaxError(text: string, dialect: Dialect = 'build'): string {
  const r = parseFile('pkg/BUILD', text, dialect);
  if (r.ok) throw new Error('expected a syntax error');
  expect(r.failure.reason).toBe('build-file-syntax');
  return formatDiagnostic(r.failure.diagnostic);
}

describe('parser: expressions', () => {
  test('operator precedence', () => {
    expect(expr('a + b * c - d')).toBe('(- (+ a (* b c)) d)');
    expect(expr('a or b and not c')).toBe('(or a (and b (not c)))');
    expect(expr('a == b + 1')).toBe('(== a (+ b 1))');
    expect(expr('x not in y or z in w')).toBe('(or (not in x y) (in z w))');
    expect(expr('-a * b')).toBe('(* (- a) b)');
    expect(expr('a | b ^ c & d << 1')).toBe('(| a (^ b (& c (<< d 1))))');
    expect(expr('"%s" % x')).toBe('(% "%s" x)');
    expect(expr('a if b else c if d else e')).toBe('(if b a (if d c e))');
    expect(expr('not a == b')).toBe('(not (== a b))');
  });

  test('primary suffixes', () => {
    expect(expr('a.b(c)[0].d')).toBe('(. (index (call (. a b) c) 0) d)');
    expect(expr('x[1:2]')).toBe('(slice x 1 2 _)');
    expect(expr('x[::-1]')).toBe('(slice x _ _ (- 1))');
    expect(expr('x[:n]')).toBe('(slice x _ n _)');
    expect(expr('"{}".format(1)')).toBe('(call (. "{}" format) 1)');
  });

  test('tuples, lists and dicts with trailing commas', () => {
    expect(expr('(x,)')).toBe('(tuple x)');
    expect(expr('()')).toBe('(tuple )');
    expect(expr('(x)')).toBe('x');
    expect(expr('(1, 2,)')).toBe('(tuple 1 2)');
    expect(expr('[1, 2,]')).toBe('[1 2]');
    expect(expr('[]')).toBe('[]');
    expect(expr('{"a": 1, "b": 2,}')).toBe('{"a": 1, "b": 2}');
    expect(expr('{}')).toBe('{}');
    expect(expr('1, 2')).toBe('(tuple 1 2)');
  });

  test('comprehensions', () => {
    expect(expr('[x for x in y if x]')).toBe('(listcomp x for x in y if x)');
    expect(expr('[a + b for a in x for b in y]')).toBe('(listcomp (+ a b) for a in x for b in y)');
    expect(expr('{k: v for k, v in d.items()}')).toBe(
      '(dictcomp k: v for (tuple k v) in (call (. d items)))',
    );
    expect(expr('[x for x in a if b if c]')).toBe('(listcomp x for x in a if b if c)');
    expect(expr('[(a, b) for (a, b) in c]')).toBe('(listcomp (tuple a b) for (tuple a b) in c)');
  });

  test('call arguments', () => {
    expect(expr('f(1, x, k = 2, *args, **kwargs)')).toBe('(call f 1 x k=2 *args **kwargs)');
    expect(expr('f(\n    a,\n    b = 1,\n)')).toBe('(call f a b=1)');
  });

  test('adjacent string literals are rejected', () => {
    expect(syntaxError('x = "a" "b"\n')).toBe(
      'pkg/BUILD:1:9: error: implicit string concatenation is not allowed; use the + operator\n' +
        'x = "a" "b"\n' +
        '        ^~~',
    );
  });
});

describe('parser: statements', () => {
  test('assignments', () => {
    const [a, b, c, d] = parse('x = 1\na, b = 1, 2\nx += [3]\nd["k"] = v\n', 'build');
    expect(a?.kind === 'assign' && a.op).toBe('=');
    expect(b?.kind === 'assign' && show(b.target)).toBe('(tuple a b)');
    expect(c?.kind === 'assign' && c.op).toBe('+');
    expect(d?.kind === 'assign' && show(d.target)).toBe('(index d "k")');
  });

  test('semicolons separate small statements', () => {
    expect(parse('x = 1; y = 2;\n').length).toBe(2);
  });

  test('load with aliases', () => {
    const [stmt] = parse('load("//lib:defs.bzl", "a", b = "c",)\n', 'build');
    expect(stmt?.kind).toBe('load');
    if (stmt?.kind !== 'load') return;
    expect(stmt.label).toBe('//lib:defs.bzl');
    expect(stmt.labelSpan).toEqual({ file: 'pkg/BUILD', line: 1, col: 6, endCol: 22 });
    expect(stmt.bindings.map((b) => `${b.local.name}<-${b.exported}`)).toEqual(['a<-a', 'b<-c']);
  });

  test('def, if/elif/else, for, return, pass, break, continue in .bzl', () => {
    const [def] = parse(
      [
        'def f(a, b = 1, *args, c, d = 2, **kwargs):',
        '    for x in a:',
        '        if x:',
        '            continue',
        '        elif b: break',
        '        else:',
        '            pass',
        '    return',
        '',
      ].join('\n'),
    );
    expect(def?.kind).toBe('def');
    if (def?.kind !== 'def') return;
    expect(def.params.map((p) => `${p.kind}:${p.name}`)).toEqual([
      'required:a',
      'optional:b',
      'star:args',
      'required:c',
      'optional:d',
      'star-star:kwargs',
    ]);
    expect([...def.locals].sort()).toEqual(['a', 'args', 'b', 'c', 'd', 'kwargs', 'x']);
    const [loop, ret] = def.body;
    expect(loop?.kind).toBe('for');
    expect(ret?.kind).toBe('return');
  });

  test('a suite may be a simple statement on the same line', () => {
    const [def] = parse('def f(): return 1\n');
    expect(def?.kind === 'def' && def.body[0]?.kind).toBe('return');
  });
});

describe('parser: syntax errors', () => {
  test('unexpected token', () => {
    expect(syntaxError('go_library(\n    name = "x"\n    srcs = [],\n)\n')).toBe(
      "pkg/BUILD:3:5: error: expected ')' but found identifier 'srcs'\n    srcs = [],\n    ^~~~",
    );
    expect(syntaxError('x = \n')).toBe(
      'pkg/BUILD:1:4: error: expected an expression but found newline\nx = \n   ^',
    );
    expect(syntaxError('f(a b)\n')).toBe(
      "pkg/BUILD:1:5: error: expected ')' but found identifier 'b'\nf(a b)\n    ^",
    );
    expect(syntaxError('x = [1, 2\n')).toBe(
      "pkg/BUILD:1:10: error: expected ']' but found end of file\nx = [1, 2\n         ^",
    );
    expect(syntaxError('x = 1)\n')).toContain("expected newline but found ')'");
  });

  test('unexpected indentation', () => {
    expect(syntaxError('x = 1\n  y = 2\n')).toBe(
      'pkg/BUILD:2:3: error: unexpected indentation\n  y = 2\n  ^',
    );
  });

  test('BUILD files reject def, for and if statements', () => {
    expect(syntaxError('x = []\nfor s in ["a"]:\n    x.append(s)\n')).toBe(
      'pkg/BUILD:2:1: error: for statements are not allowed in BUILD files\n' +
        'for s in ["a"]:\n' +
        '^~~',
    );
    expect(syntaxError('if True:\n    pass\n')).toBe(
      'pkg/BUILD:1:1: error: if statements are not allowed in BUILD files\nif True:\n^~',
    );
    expect(syntaxError('def f():\n    pass\n')).toBe(
      'pkg/BUILD:1:1: error: functions may not be defined in BUILD files\ndef f():\n^~~',
    );
    // Expressions with the same keywords are fine in BUILD files.
    expect(() => parse('x = [a for a in [1] if a]\ny = 1 if x else 2\n', 'build')).not.toThrow();
  });

  test('.bzl files reject top-level if and for', () => {
    expect(syntaxError('for x in y:\n    pass\n', 'bzl')).toContain(
      'for loops are not allowed at the top level',
    );
    expect(syntaxError('if x:\n    pass\n', 'bzl')).toContain(
      'if statements are not allowed at the top level',
    );
  });

  test('statements in the wrong place', () => {
    expect(syntaxError('return 1\n', 'bzl')).toContain(
      'return statements must be inside a function',
    );
    expect(syntaxError('def f():\n    break\n', 'bzl')).toBe(
      'pkg/BUILD:2:5: error: break statement not within a loop\n    break\n    ^~~~~',
    );
    expect(syntaxError('def f():\n    load(":a.bzl", "x")\n', 'bzl')).toContain(
      'load statements may only appear at top level',
    );
    expect(syntaxError('def f():\n    def g():\n        pass\n', 'bzl')).toContain(
      'nested def statements are not supported',
    );
  });

  test('bad assignment targets', () => {
    expect(syntaxError('f() = 1\n')).toBe(
      'pkg/BUILD:1:1: error: cannot assign to this expression\nf() = 1\n^~~',
    );
    expect(syntaxError('a, b += 1\n')).toContain('cannot perform augmented assignment on a tuple');
    expect(syntaxError('x.y = 1\n')).toContain('cannot assign to this expression');
  });

  test('argument and parameter order', () => {
    expect(syntaxError('f(a = 1, b)\n')).toBe(
      'pkg/BUILD:1:10: error: positional argument may not follow keyword arguments, *args or **kwargs\n' +
        'f(a = 1, b)\n' +
        '         ^',
    );
    expect(syntaxError('f(a = 1, a = 2)\n')).toContain("duplicate keyword argument 'a'");
    expect(syntaxError('f(**k, a = 1)\n')).toContain('keyword argument may not follow **kwargs');
    expect(syntaxError('def f(a = 1, b):\n    pass\n', 'bzl')).toContain(
      'required parameter may not follow optional',
    );
    expect(syntaxError('def f(a, a):\n    pass\n', 'bzl')).toContain('duplicate parameter: a');
    expect(syntaxError('def f(**k, a):\n    pass\n', 'bzl')).toContain(
      'no parameter may follow **kwargs',
    );
  });

  test('load errors', () => {
    expect(syntaxError('load("//a.bzl")\n')).toContain(
      'load statement must import at least one symbol',
    );
    expect(syntaxError('load(x, "a")\n')).toContain(
      "expected a label string but found identifier 'x'",
    );
    expect(syntaxError('load("//a.bzl", "not valid")\n')).toContain(
      "'not valid' is not a valid identifier",
    );
  });

  test('comparisons do not chain', () => {
    expect(syntaxError('x = 1 < 2 < 3\n')).toContain('comparison operators cannot be chained');
  });

  test('unsupported constructs get a clear message', () => {
    expect(syntaxError('f = lambda x: x\n', 'bzl')).toContain(
      'lambda expressions are not supported',
    );
    expect(syntaxError('x = (a for a in b)\n')).toContain(
      'generator expressions are not supported',
    );
  });

  test('globals may be rebound in BUILD files but not in .bzl files', () => {
    expect(() => parse('x = 1\nx = 2\n', 'build')).not.toThrow();
    expect(syntaxError('x = 1\nx += 2\n', 'bzl')).toBe(
      "pkg/BUILD:2:1: error: cannot reassign global 'x' (first bound at line 1, column 1)\nx += 2\n^",
    );
  });
});

describe('parser: layouts buildifier and humans produce', () => {
  test('comments, docstrings, multi-line headers and trailing whitespace', () => {
    const text = [
      '"""Module docstring."""',
      "load(':a.bzl', 'x')  # trailing comment",
      '',
      'def f(',
      '        a,',
      '        b = [',
      '            1,  # one',
      '            2,',
      '        ],',
      '):  # comment after colon',
      '    """Function docstring."""',
      '',
      '    # a comment at a different indentation',
      '  # and another',
      '    if a:',
      '        return {k: (v if v else 0) for k, v in b}',
      '    elif b:  return f(a,)',
      '    return None',
      '   ',
      '',
    ].join('\n');
    const stmts = parse(text);
    expect(stmts.map((s) => s.kind)).toEqual(['expr', 'load', 'def']);
    const def = stmts[2];
    expect(def?.kind === 'def' && def.body.map((s) => s.kind)).toEqual(['expr', 'if', 'return']);
  });

  test('a file may end inside a block without a final newline', () => {
    const stmts = parse('def f():\n    if x:\n        return 1');
    expect(stmts.length).toBe(1);
  });
});
