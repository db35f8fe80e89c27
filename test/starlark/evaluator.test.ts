import {
  evaluateModule,
  loadNotFound,
  makeBuiltin,
  parseFile,
  repr,
  type StarlarkFailure,
  type Value,
} from '../../src/starlark';
import { formatDiagnostic, type SourceSpan } from '../../src/util/diagnostic';
import { err, ok } from '../../src/util/result';
import { evaluate, failure, formatted, globals, message, recordingRule, value } from './helpers';

describe('evaluator: values and operators', () => {
  test('literals and collections', () => {
    expect(value('[1, "a", True, None, (1,), {"k": [2]}]')).toBe(
      '[1, "a", True, None, (1,), {"k": [2]}]',
    );
    expect(value('()')).toBe('()');
    expect(value('(1, 2)')).toBe('(1, 2)');
  });

  test('arithmetic', () => {
    expect(value('1 + 2 * 3 - 4')).toBe('3');
    expect(value('-7 // 2')).toBe('-4');
    expect(value('-7 % 3')).toBe('2');
    expect(value('7 % -3')).toBe('-2');
    expect(value('5 | 3, 5 & 3, 5 ^ 3, ~5, 1 << 10, -16 >> 2')).toBe('(7, 1, 6, -6, 1024, -4)');
    expect(value('-(3)')).toBe('-3');
    expect(value('+3')).toBe('3');
  });

  test('string, list and tuple concatenation and repetition', () => {
    expect(value('"a" + "b"')).toBe('"ab"');
    expect(value('[1] + [2]')).toBe('[1, 2]');
    expect(value('(1,) + (2,)')).toBe('(1, 2)');
    expect(value('"ab" * 3')).toBe('"ababab"');
    expect(value('2 * [0]')).toBe('[0, 0]');
    expect(value('[1] * -1')).toBe('[]');
    expect(value('{"a": 1} | {"b": 2, "a": 3}')).toBe('{"a": 3, "b": 2}');
  });

  test('% formatting', () => {
    expect(value('"%s-%d" % ("x", 3)')).toBe('"x-3"');
    expect(value('"%s" % "single"')).toBe('"single"');
    expect(value('"%r %%" % ["a"]')).toBe('"[\\"a\\"] %"');
    expect(value('"%s" % (1,)')).toBe('"1"');
    expect(value('"%x %X %o" % (255, 255, 8)')).toBe('"ff FF 10"');
    expect(message('x = "%s %s" % ("a",)')).toBe('not enough arguments for format string');
    expect(message('x = "%s" % ("a", "b")')).toBe('too many arguments for format string');
    expect(message('x = "%d" % "a"')).toBe("%d format requires an int, not 'string'");
  });

  test('comparisons and membership', () => {
    expect(value('[1 < 2, "a" < "b", [1, 2] < [1, 3], (1,) <= (1,), 2 >= 3, 1 == 1, 1 != 2]')).toBe(
      '[True, True, True, True, False, True, True]',
    );
    expect(value('[1 == True, "1" == 1, [1] == [1], {"a": 1} == {"a": 1}, (1,) == [1]]')).toBe(
      '[False, False, True, True, False]',
    );
    expect(
      value('[1 in [1, 2], 3 not in (1, 2), "a" in {"a": 1}, "bc" in "abcd", "x" not in "abc"]'),
    ).toBe('[True, True, True, True, True]');
  });

  test('logical operators return operands and short-circuit', () => {
    expect(value('[0 or "x", 1 and 2, [] and fail("not evaluated"), None or False]')).toBe(
      '["x", 2, [], False]',
    );
    expect(value('[not 0, not [1]]')).toBe('[True, False]');
    expect(value('"yes" if [] else "no"')).toBe('"no"');
  });

  test('indexing and slicing', () => {
    const prelude = 'l = [0, 1, 2, 3, 4]\ns = "hello"';
    expect(value('[l[0], l[-1], s[1], s[-1], {"k": 2}["k"], (5, 6)[1]]', prelude)).toBe(
      '[0, 4, "e", "o", 2, 6]',
    );
    expect(
      value('[l[1:3], l[:2], l[3:], l[::-1], l[::2], l[-2:], l[10:], l[4:1:-1]]', prelude),
    ).toBe('[[1, 2], [0, 1], [3, 4], [4, 3, 2, 1, 0], [0, 2, 4], [3, 4], [], [4, 3, 2]]');
    expect(value('[s[1:3], s[::-1], (1, 2, 3)[1:]]', prelude)).toBe('["el", "olleh", (2, 3)]');
  });

  test('list and dict comprehensions', () => {
    expect(value('[x * 2 for x in [1, 2, 3] if x != 2]')).toBe('[2, 6]');
    expect(value('[a + b for a in ["x", "y"] for b in ["1", "2"]]')).toBe(
      '["x1", "x2", "y1", "y2"]',
    );
    expect(value('{k: v for k, v in [("a", 1), ("b", 2)]}')).toBe('{"a": 1, "b": 2}');
    expect(value('[[y for y in range(x)] for x in range(3)]')).toBe('[[], [0], [0, 1]]');
    // Comprehension variables do not leak or clobber outer names.
    expect(value('[x, [x for x in [1, 2]], x]', 'x = "outer"')).toBe('["outer", [1, 2], "outer"]');
    // The first iterable is evaluated in the enclosing scope.
    expect(value('[x for x in x]', 'x = [7, 8]')).toBe('[7, 8]');
  });

  test('dict literal semantics: insertion order, duplicate keys rejected', () => {
    expect(value('{"b": 1, "a": 2, 1: 3, (1, 2): 4}')).toBe('{"b": 1, "a": 2, 1: 3, (1, 2): 4}');
    expect(formatted('d = {"a": 1, "a": 2}')).toBe(
      'pkg/defs.bzl:1:14: error: dictionary expression has duplicate key: "a"\n' +
        'd = {"a": 1, "a": 2}\n' +
        '             ^~~',
    );
    expect(message('d = {[1]: 2}')).toBe("unhashable type: 'list'");
  });

  test('assignment forms', () => {
    const g = globals(
      'a, b = 1, 2\n[c, (d, e)] = ["c", ("d", "e")]\nl = [1]\nl += [2]\nl[0] = 9\nn = 1\nn += 2\ndd = {}\ndd["k"] = 1\ndd["k"] += 1\n',
      'build',
    );
    expect(['a', 'b', 'c', 'd', 'e', 'l', 'n', 'dd'].map((k) => repr(g.get(k) as Value))).toEqual([
      '1',
      '2',
      '"c"',
      '"d"',
      '"e"',
      '[9, 2]',
      '3',
      '{"k": 2}',
    ]);
  });

  test('augmented assignment extends lists in place', () => {
    expect(
      value(
        '[a, b]',
        'def f():\n    a = [1]\n    b = a\n    a += [2]\n    return a, b\na, b = f()',
      ),
    ).toBe('[[1, 2], [1, 2]]');
  });

  test('unpacking errors', () => {
    expect(message('a, b = [1, 2, 3]')).toBe('too many values to unpack (got 3, want 2)');
    expect(message('a, b = [1]')).toBe('not enough values to unpack (got 1, want 2)');
    expect(message('a, b = 1')).toBe('cannot unpack non-iterable int value');
  });
});

describe('evaluator: methods', () => {
  test('string methods', () => {
    expect(value('"{} and {name}, {{literal}}".format(1, name = "n")')).toBe(
      '"1 and n, {literal}"',
    );
    expect(value('"{1}{0}{1!r}".format("a", "b")')).toBe('"ba\\"b\\""');
    expect(value('", ".join(["a", "b", "c"])')).toBe('"a, b, c"');
    expect(
      value(
        '["a,b,,c".split(","), " a  b ".split(), "a b c".split(" ", 1), "a.b.c".rsplit(".", 1)]',
      ),
    ).toBe('[["a", "b", "", "c"], ["a", "b"], ["a", "b c"], ["a.b", "c"]]');
    expect(value('["  x  ".strip(), "xxhixx".strip("x"), "  x".lstrip(), "x  ".rstrip()]')).toBe(
      '["x", "hi", "x", "x"]',
    );
    expect(
      value('["aaa".replace("a", "b"), "aaa".replace("a", "b", 2), "ab".replace("", "-")]'),
    ).toBe('["bbb", "bba", "-a-b-"]');
    expect(
      value(
        '["foo.go".endswith(".go"), "foo_test.go".endswith(("_test.go", ".s")), "//x".startswith("//")]',
      ),
    ).toBe('[True, True, True]');
    expect(value('["Ab".upper(), "Ab".lower(), "hello world".title(), "hELLO".capitalize()]')).toBe(
      '["AB", "ab", "Hello World", "Hello"]',
    );
    expect(
      value(
        '["abcabc".find("c"), "abcabc".rfind("c"), "abc".find("z"), "abcabc".count("bc"), "abc".index("b")]',
      ),
    ).toBe('[2, 5, -1, 2, 1]');
    expect(value('["a=b=c".partition("="), "a=b=c".rpartition("="), "x".partition("=")]')).toBe(
      '[("a", "=", "b=c"), ("a=b", "=", "c"), ("x", "", "")]',
    );
    expect(
      value('["foo_test.go".removesuffix("_test.go"), "lib/x".removeprefix("lib/"), "ab".elems()]'),
    ).toBe('["foo", "x", ["a", "b"]]');
    expect(
      value('["a1".isalnum(), "12".isdigit(), "ab".isalpha(), " ".isspace(), "".isdigit()]'),
    ).toBe('[True, True, True, True, False]');
    expect(value('"a\\nb\\r\\nc".splitlines()')).toBe('["a", "b", "c"]');
  });

  test('list methods mutate unfrozen lists', () => {
    const prelude = [
      'def f():',
      '    l = [3, 1]',
      '    l.append(2)',
      '    l.extend((5, 6))',
      '    l.insert(0, 0)',
      '    l.remove(5)',
      '    last = l.pop()',
      '    first = l.pop(0)',
      '    return l, last, first, l.index(2)',
      'r = f()',
    ].join('\n');
    expect(value('r', prelude)).toBe('([3, 1, 2], 6, 0, 2)');
  });

  test('dict methods', () => {
    const prelude = [
      'def f():',
      '    d = {"a": 1}',
      '    d.update({"b": 2}, c = 3)',
      '    d.setdefault("d", 4)',
      '    popped = d.pop("a")',
      '    return d.get("b"), d.get("zz"), d.get("zz", 0), d.keys(), d.values(), d.items(), popped',
      'r = f()',
    ].join('\n');
    expect(value('r', prelude)).toBe(
      '(2, None, 0, ["b", "c", "d"], [2, 3, 4], [("b", 2), ("c", 3), ("d", 4)], 1)',
    );
  });

  test('unknown methods suggest the nearest one', () => {
    expect(formatted('x = "a".jion(["b"])')).toBe(
      "pkg/defs.bzl:1:9: error: 'string' value has no field or method 'jion' (did you mean 'join'?)\n" +
        'x = "a".jion(["b"])\n' +
        '        ^~~~',
    );
    expect(message('x = (1).foo')).toBe("'int' value has no field or method 'foo'");
  });

  test('method argument errors', () => {
    expect(message('x = ",".join([1])')).toBe(
      "in call to join(), element 0 has type 'int', want 'string'",
    );
    expect(message('x = "a".split(1)')).toBe(
      "in call to split(), parameter 'sep' got value of type 'int', want 'string'",
    );
    expect(message('x = "a".replace("a")')).toBe('replace() missing 1 required argument: new');
    expect(message('x = "a".upper(1)')).toBe(
      'upper() accepts no more than 0 positional arguments but got 1',
    );
    expect(message('x = "{} {}".format(1)')).toBe(
      'format string needs more than 1 positional arguments',
    );
  });
});

describe('evaluator: builtins', () => {
  test('conversions and inspection', () => {
    expect(value('[len("abc"), len([1]), len({"a": 1}), len(())]')).toBe('[3, 1, 1, 0]');
    expect(value('[str(1), str("a"), str([1, "a"]), str(None), repr("a")]')).toBe(
      '["1", "a", "[1, \\"a\\"]", "None", "\\"a\\""]',
    );
    expect(
      value('[int("42"), int("-0x1f", 16), int("ff", 16), int("0o17", 0), int(True), int(7)]'),
    ).toBe('[42, -31, 255, 15, 1, 7]');
    expect(value('[bool(0), bool("x"), bool([]), bool()]')).toBe('[False, True, False, False]');
    expect(
      value('[type(1), type(""), type(None), type([]), type(()), type({}), type(len), type(True)]'),
    ).toBe(
      '["int", "string", "NoneType", "list", "tuple", "dict", "builtin_function_or_method", "bool"]',
    );
    expect(value('type(f)', 'def f():\n    pass')).toBe('"function"');
    expect(message('x = int("abc")')).toBe('invalid literal for int() with base 10: "abc"');
    expect(message('x = len(1)')).toBe("len: value of type 'int' has no len()");
  });

  test('collections', () => {
    expect(value('[list((1, 2)), tuple([1]), dict([("a", 1)], b = 2), list({"k": 1})]')).toBe(
      '[[1, 2], (1,), {"a": 1, "b": 2}, ["k"]]',
    );
    expect(value('[range(3), range(1, 4), range(5, 0, -2), range(0)]')).toBe(
      '[[0, 1, 2], [1, 2, 3], [5, 3, 1], []]',
    );
    expect(
      value(
        '[enumerate(["a", "b"]), enumerate(["a"], 1), zip([1, 2], "ab".elems()), reversed([1, 2])]',
      ),
    ).toBe('[[(0, "a"), (1, "b")], [(1, "a")], [(1, "a"), (2, "b")], [2, 1]]');
    expect(value('[any([0, 1]), all([1, 0]), any([]), all([])]')).toBe(
      '[True, False, False, True]',
    );
  });

  test('sorted, min, max (with key functions defined in .bzl)', () => {
    expect(value('sorted([3, 1, 2])')).toBe('[1, 2, 3]');
    expect(value('sorted(["b", "A", "a"], reverse = True)')).toBe('["b", "a", "A"]');
    expect(value('sorted(["ccc", "a", "bb"], key = len)')).toBe('["a", "bb", "ccc"]');
    expect(
      value('sorted([(2, "x"), (1, "y")], key = second)', 'def second(p):\n    return p[1]'),
    ).toBe('[(2, "x"), (1, "y")]');
    expect(value('[min(3, 1, 2), max([1, 5, 2]), max(["a", "bbb"], key = len)]')).toBe(
      '[1, 5, "bbb"]',
    );
    expect(message('x = sorted([1, "a"])')).toBe('unsupported comparison: string <=> int');
    expect(message('x = max([])')).toBe('max() arg is an empty sequence');
  });

  test('hasattr, getattr, dir', () => {
    expect(value('[hasattr("", "join"), hasattr([], "join"), getattr({}, "nope", 1)]')).toBe(
      '[True, False, 1]',
    );
    expect(value('getattr("a-b", "split")("-")')).toBe('["a", "b"]');
    expect(value('"append" in dir([])')).toBe('True');
  });

  test('print goes to the environment callback', () => {
    const printed: string[] = [];
    const spans: SourceSpan[] = [];
    globals('print("hello", 1, [2])\nprint("a", "b", sep = "-")\n', 'build', {
      print: (msg, span) => {
        printed.push(msg);
        spans.push(span);
      },
    });
    expect(printed).toEqual(['hello 1 [2]', 'a-b']);
    expect(spans[1]).toEqual({ file: 'pkg/BUILD', line: 2, col: 1, endCol: 6 });
    // Without a callback print is a no-op that returns None.
    expect(value('print("dropped")')).toBe('None');
  });

  test('fail', () => {
    expect(formatted('fail("bad value:", 3)', 'build')).toBe(
      'pkg/BUILD:1:1: error: Error in fail: bad value: 3\nfail("bad value:", 3)\n^~~~',
    );
    expect(message('fail("x", attr = "srcs")')).toBe('Error in fail: attribute srcs: x');
  });

  test('builtin argument errors', () => {
    expect(formatted('x = sorted([1], kye = len)')).toBe(
      "pkg/defs.bzl:1:17: error: sorted() got unexpected keyword argument 'kye' (did you mean 'key'?)\n" +
        'x = sorted([1], kye = len)\n' +
        '                ^~~',
    );
    expect(formatted('x = len()')).toBe(
      'pkg/defs.bzl:1:5: error: len() missing 1 required argument: x\nx = len()\n    ^~~',
    );
    expect(formatted('x = len([], [])')).toBe(
      'pkg/defs.bzl:1:13: error: len() accepts no more than 1 positional argument but got 2\n' +
        'x = len([], [])\n' +
        '            ^~',
    );
  });
});

describe('evaluator: functions (.bzl)', () => {
  test('parameters: defaults, keywords, *args, **kwargs, keyword-only', () => {
    const prelude = ['def f(a, b = 2, *rest, c = 3, **kw):', '    return [a, b, rest, c, kw]'].join(
      '\n',
    );
    expect(value('f(1)', prelude)).toBe('[1, 2, (), 3, {}]');
    expect(value('f(1, 5, 6, 7, c = 8, z = 9)', prelude)).toBe('[1, 5, (6, 7), 8, {"z": 9}]');
    expect(value('f(b = 1, a = 0)', prelude)).toBe('[0, 1, (), 3, {}]');
    expect(value('f(*[1, 2, 3], **{"c": 4, "x": 5})', prelude)).toBe('[1, 2, (3,), 4, {"x": 5}]');
  });

  test('control flow inside functions', () => {
    const prelude = [
      'def classify(xs):',
      '    out = []',
      '    for x in xs:',
      '        if x < 0:',
      '            continue',
      '        elif x == 0:',
      '            out.append("zero")',
      '        elif x > 100:',
      '            break',
      '        else:',
      '            out.append(x)',
      '    return out',
      'def nothing():',
      '    pass',
    ].join('\n');
    expect(value('classify([-1, 0, 5, 200, 7])', prelude)).toBe('["zero", 5]');
    expect(value('nothing()', prelude)).toBe('None');
  });

  test('functions see globals defined later in the file', () => {
    expect(value('f()', 'def f():\n    return LATER\nLATER = "later"')).toBe('"later"');
  });

  test('default values are evaluated once, at def time', () => {
    const g = globals('N = 1\ndef f(x = N):\n    return x\nr = f()\n');
    expect(repr(g.get('r') as Value)).toBe('1');
  });

  test('call errors', () => {
    const prelude = 'def f(name, srcs = []):\n    return name\n';
    expect(formatted(`${prelude}x = f(name = "a", srcz = [])`)).toBe(
      "pkg/defs.bzl:3:19: error: f() got unexpected keyword argument 'srcz' (did you mean 'srcs'?)\n" +
        'x = f(name = "a", srcz = [])\n' +
        '                  ^~~~',
    );
    expect(message(`${prelude}x = f()`)).toBe('f() missing 1 required argument: name');
    expect(message(`${prelude}x = f(1, 2, 3)`)).toBe(
      'f() accepts no more than 2 positional arguments but got 3',
    );
    expect(message(`${prelude}x = f(1, name = 2)`)).toBe(
      "f() got multiple values for parameter 'name'",
    );
    expect(message(`${prelude}x = f(**{1: 2})`)).toBe('keywords must be strings, not int');
    expect(message(`${prelude}x = f(*1)`)).toBe('argument after * must be an iterable, not int');
  });

  test('calling a non-function', () => {
    expect(formatted('x = 1\ny = x(2)', 'build')).toBe(
      "pkg/BUILD:2:5: error: 'int' value is not callable\ny = x(2)\n    ^",
    );
  });

  test('recursion is rejected, as in Starlark', () => {
    expect(message('def f(n):\n    return f(n - 1)\nx = f(3)')).toBe(
      "function 'f' called recursively",
    );
  });

  test('locals referenced before assignment', () => {
    expect(message('def f():\n    y = x\n    x = 1\nr = f()')).toBe(
      "local variable 'x' is referenced before assignment",
    );
    expect(message('def f():\n    return G\nr = f()\nG = 1')).toBe(
      "global variable 'G' is referenced before assignment",
    );
  });

  test('errors inside a .bzl function carry the call stack', () => {
    const bzl = parseFile(
      'lib/defs.bzl',
      'def inner(x):\n    fail("bad: " + x)\n\ndef my_macro(name):\n    inner(name)\n',
      'bzl',
    );
    if (!bzl.ok) throw new Error('parse');
    const exported = evaluateModule(bzl.value, {
      predeclared: new Map(),
      load: () => err(unused()),
    });
    if (!exported.ok) throw new Error('eval');
    const f = failure('load("//lib:defs.bzl", "my_macro")\n\nmy_macro(name = "x")\n', 'build', {
      load: () => exported,
    });
    expect(f.reason).toBe('build-file-eval');
    expect(formatDiagnostic(f.diagnostic)).toBe(
      'lib/defs.bzl:2:5: error: Error in fail: bad: x\n    fail("bad: " + x)\n    ^~~~',
    );
    if (f.reason !== 'build-file-eval') return;
    expect(f.stack.map(formatDiagnostic)).toEqual([
      'pkg/BUILD:3:1: error: in call to \'my_macro\'\nmy_macro(name = "x")\n^~~~~~~~',
      "lib/defs.bzl:5:5: error: in call to 'inner'\n    inner(name)\n    ^~~~~",
    ]);
  });

  test('errors in a key function called by sorted keep their stack', () => {
    const f = failure('def k(x):\n    return x + 1\nr = sorted(["a"], key = k)\n');
    expect(f.diagnostic.message).toBe("unsupported operand type(s) for +: 'string' and 'int'");
    expect(f.reason === 'build-file-eval' && f.stack.map((d) => d.message)).toEqual([
      "in call to 'k'",
    ]);
  });
});

function unused(): StarlarkFailure {
  throw new Error('unexpected load');
}

describe('evaluator: freezing', () => {
  test('globals are frozen after evaluation', () => {
    const g = globals('L = [1]\nD = {"a": [2]}\n');
    const l = g.get('L');
    const d = g.get('D');
    expect(l !== null && typeof l === 'object' && l.kind === 'list' && l.frozen).toBe(true);
    expect(d !== null && typeof d === 'object' && d.kind === 'dict' && d.frozen).toBe(true);
  });

  test('mutating a loaded (frozen) value fails', () => {
    const lib = globals('SRCS = ["a.go"]\n');
    expect(
      formatted('load("//lib:defs.bzl", "SRCS")\nSRCS.append("b.go")\n', 'build', {
        load: () => ok(lib),
      }),
    ).toBe(
      'pkg/BUILD:2:6: error: trying to mutate a frozen list value\nSRCS.append("b.go")\n     ^~~~~~',
    );
    expect(
      message('load("//lib:defs.bzl", "SRCS")\nSRCS += ["x"]\n', 'build', { load: () => ok(lib) }),
    ).toBe('trying to mutate a frozen list value');
  });

  test('mutation during iteration fails', () => {
    expect(message('def f():\n    l = [1]\n    for x in l:\n        l.append(x)\nf()')).toBe(
      'list value is temporarily immutable due to active for-loop iteration',
    );
  });

  test('values stay mutable while the module runs', () => {
    expect(value('l', 'l = []\nl.append(1)\nl.extend([2])')).toBe('[1, 2]');
  });
});

describe('evaluator: names and loads', () => {
  test('undefined names fail before anything runs, with a suggestion', () => {
    const calls: Record<string, string>[] = [];
    const predeclared = new Map<string, Value>([
      ['go_library', recordingRule('go_library', calls)],
    ]);
    expect(
      formatted('go_library(name = "a")\n\ngo_libary(name = "b")\n', 'build', { predeclared }),
    ).toBe(
      "pkg/BUILD:3:1: error: name 'go_libary' is not defined (did you mean 'go_library'?)\n" +
        'go_libary(name = "b")\n' +
        '^~~~~~~~~',
    );
    expect(calls).toEqual([]);
    expect(message('x = foo', 'build')).toBe("name 'foo' is not defined");
    // Undefined names inside functions are found even if the function is never called.
    expect(message('def f():\n    return undefined_thing\n')).toBe(
      "name 'undefined_thing' is not defined",
    );
    expect(message('def f(srcs):\n    return srcz\n')).toBe(
      "name 'srcz' is not defined (did you mean 'srcs'?)",
    );
  });

  test('rules receive positional and named arguments with spans', () => {
    let seen: string[] = [];
    const rule = makeBuiltin('go_binary', (args, ctx) => {
      seen = [
        ...args.positional.map((p) => `${repr(p.value)}@${p.span.line}:${p.span.col}`),
        ...args.named.map((n) => `${n.name}=${repr(n.value)}@${n.nameSpan.col}/${n.span.col}`),
        `callee@${ctx.callSpan.col}-${ctx.callSpan.endCol}`,
      ];
      return ok(null);
    });
    globals('go_binary("pos",\n    name = "api", deps = [":lib"])\n', 'build', {
      predeclared: new Map([['go_binary', rule]]),
    });
    expect(seen).toEqual(['"pos"@1:11', 'name="api"@5/12', 'deps=[":lib"]@19/26', 'callee@1-10']);
  });

  test('a failing rule reports its diagnostic', () => {
    const rule = makeBuiltin('go_library', (args, ctx) => {
      const srcs = args.named.find((n) => n.name === 'srcs');
      return srcs === undefined
        ? ok(null)
        : err(ctx.diagnostic(srcs.span, 'srcs must not be empty'));
    });
    expect(
      formatted('go_library(\n    name = "x",\n    srcs = [],\n)\n', 'build', {
        predeclared: new Map([['go_library', rule]]),
      }),
    ).toBe('pkg/BUILD:3:12: error: srcs must not be empty\n    srcs = [],\n           ^~');
  });

  test('predeclared names shadow universal ones', () => {
    const predeclared = new Map<string, Value>([['len', 'shadowed']]);
    expect(repr(globals('x = len', 'build', { predeclared }).get('x') as Value)).toBe('"shadowed"');
  });

  test('load binds (aliased) symbols; loaded names are not re-exported', () => {
    const lib = new Map<string, Value>([
      ['a', 1],
      ['b', 2],
    ]);
    const labels: string[] = [];
    const g = globals('load("//lib:defs.bzl", "a", c = "b")\nx = a + c\n', 'build', {
      load: (label, span) => {
        labels.push(`${label}@${span.col}-${span.endCol}`);
        return ok(lib);
      },
    });
    expect(labels).toEqual(['//lib:defs.bzl@6-22']);
    expect([...g.keys()]).toEqual(['x']);
    expect(g.get('x')).toBe(3);
  });

  test('load errors', () => {
    const lib = new Map<string, Value>([
      ['go_rule', 1],
      ['_private', 2],
    ]);
    const load = (): ReturnType<typeof ok<ReadonlyMap<string, Value>>> => ok(lib);
    expect(formatted('load("//lib:defs.bzl", "go_rul")\n', 'build', { load })).toBe(
      "pkg/BUILD:1:24: error: file '//lib:defs.bzl' does not contain symbol 'go_rul' (did you mean 'go_rule'?)\n" +
        'load("//lib:defs.bzl", "go_rul")\n' +
        '                       ^~~~~~~~',
    );
    expect(message('load("//lib:defs.bzl", "_private")\n', 'build', { load })).toBe(
      "symbol '_private' is private and cannot be loaded",
    );
  });

  test('a missing file becomes load-failed at the label', () => {
    const f = failure('x = 1\nload("//nope:defs.bzl", "a")\n', 'build', {
      load: (label, span) => err(loadNotFound(label, `no such file: ${label}`, span)),
    });
    expect(f.reason).toBe('load-failed');
    expect(formatDiagnostic(f.diagnostic)).toBe(
      "pkg/BUILD:2:6: error: cannot load '//nope:defs.bzl': no such file: //nope:defs.bzl\n" +
        'load("//nope:defs.bzl", "a")\n' +
        '     ^~~~~~~~~~~~~~~~~',
    );
    expect(f.reason === 'load-failed' && f.cause).toEqual({
      reason: 'load-not-found',
      message: 'no such file: //nope:defs.bzl',
    });
  });

  test("a loader's own load-failed at the label keeps its message and gains the source line", () => {
    const cause = { reason: 'load-not-found' as const, message: 'bad label' };
    const f = failure('load(":x.bzl", "a")\n', 'build', {
      load: (_label, span) =>
        err({
          reason: 'load-failed',
          diagnostic: {
            severity: 'error',
            span,
            message: 'invalid label ":x.bzl"',
            sourceLine: '',
          },
          cause,
        }),
    });
    expect(formatDiagnostic(f.diagnostic)).toBe(
      'pkg/BUILD:1:6: error: invalid label ":x.bzl"\nload(":x.bzl", "a")\n     ^~~~~~~~',
    );
    expect(f.reason === 'load-failed' && f.cause).toBe(cause);
  });

  test('an error in the loaded file is wrapped with its cause', () => {
    const broken = parseFile('lib/defs.bzl', 'x = (\n', 'bzl');
    if (broken.ok) throw new Error('expected a syntax error');
    const f = failure('load("//lib:defs.bzl", "x")\n', 'build', { load: () => broken });
    expect(f.reason).toBe('load-failed');
    expect(f.diagnostic.message).toBe(
      "cannot load '//lib:defs.bzl': lib/defs.bzl:1:6: expected an expression but found end of file",
    );
    expect(f.reason === 'load-failed' && f.cause).toBe(broken.failure);
  });
});

describe('evaluator: type errors point at the operand', () => {
  test('binary operators', () => {
    expect(formatted('name = "lib"\nx = name + 1\n', 'build')).toBe(
      "pkg/BUILD:2:12: error: unsupported operand type(s) for +: 'string' and 'int'\n" +
        'x = name + 1\n' +
        '           ^',
    );
    expect(formatted('x = None + 1\n', 'build')).toBe(
      "pkg/BUILD:1:5: error: unsupported operand type(s) for +: 'NoneType' and 'int'\n" +
        'x = None + 1\n' +
        '    ^~~~',
    );
    expect(message('x = "a" < 1')).toBe("unsupported operand type(s) for <: 'string' and 'int'");
    expect(message('x = 1 in 2')).toBe("unsupported operand type(s) for in: 'int' and 'int'");
    expect(message('x = 1 in "abc"')).toBe(
      "'in <string>' requires string as left operand, not 'int'",
    );
    expect(message('x = [] - []')).toBe("unsupported operand type(s) for -: 'list' and 'list'");
    expect(message('x = -"a"')).toBe("unsupported operand type for unary -: 'string'");
    expect(message('x = 1 / 2')).toBe(
      'floating-point division is not supported; use // for integer division',
    );
    expect(message('x = 1 // 0')).toBe('integer division by zero');
  });

  test('integer overflow', () => {
    expect(message('x = 9007199254740991 + 1')).toBe('integer overflow');
    expect(message('x = 4294967296 * 4294967296')).toBe('integer overflow');
  });

  test('indexing errors', () => {
    expect(formatted('l = [1, 2]\nx = l[2]\n', 'build')).toBe(
      'pkg/BUILD:2:7: error: index out of range (index is 2, but sequence has 2 elements)\nx = l[2]\n      ^',
    );
    expect(message('x = {"a": 1}["b"]')).toBe('key "b" not found in dictionary');
    expect(message('x = 1[0]')).toBe("'int' value is not subscriptable");
    expect(message('x = [1]["a"]')).toBe("indices must be integers, not 'string'");
    expect(message('x = (1,)\nx[0] = 2')).toBe("'tuple' value does not support item assignment");
    expect(message('x = [1][::0]')).toBe('slice step cannot be zero');
  });

  test('iteration errors', () => {
    expect(message('x = [c for c in "abc"]')).toBe("type 'string' is not iterable");
  });
});

describe('evaluator: modules are reusable', () => {
  test('one parsed module can be evaluated many times with fresh state', () => {
    const m = parseFile('pkg/BUILD', 'l = []\nl.append(1)\n', 'build');
    if (!m.ok) throw new Error('parse');
    const env = { predeclared: new Map<string, Value>(), load: () => err(unused()) };
    const a = evaluateModule(m.value, env);
    const b = evaluateModule(m.value, env);
    expect(a.ok && repr(a.value.get('l') as Value)).toBe('[1]');
    expect(b.ok && repr(b.value.get('l') as Value)).toBe('[1]');
  });

  test('evaluate() reports syntax errors as build-file-syntax', () => {
    const r = evaluate('x = (', 'build');
    expect(!r.ok && r.failure.reason).toBe('build-file-syntax');
  });
});
