import {
  compare,
  equals,
  hashKey,
  makeBuiltin,
  makeDict,
  makeList,
  makeTuple,
  dictSet,
  repr,
  str,
  suggestNearest,
  typeName,
  UNIVERSE,
} from '../../src/starlark';
import { ok } from '../../src/util/result';

describe('values', () => {
  test('typeName', () => {
    expect(
      [
        's',
        1,
        true,
        null,
        makeList([]),
        makeTuple([]),
        makeDict(),
        makeBuiltin('f', () => ok(null)),
      ].map(typeName),
    ).toEqual([
      'string',
      'int',
      'bool',
      'NoneType',
      'list',
      'tuple',
      'dict',
      'builtin_function_or_method',
    ]);
  });

  test('repr quotes and escapes strings, Starlark style', () => {
    expect(repr('a"b\\c\nd\te\x01')).toBe('"a\\"b\\\\c\\nd\\te\\x01"');
    expect(repr(makeList(['a', 1, null, false]))).toBe('["a", 1, None, False]');
    expect(repr(makeTuple([1]))).toBe('(1,)');
    expect(repr(makeTuple([1, 2]))).toBe('(1, 2)');
    const d = makeDict();
    dictSet(d, 'k', makeList([]));
    dictSet(d, 2, true);
    expect(repr(d)).toBe('{"k": [], 2: True}');
    expect(repr(UNIVERSE.get('len') ?? null)).toBe('<built-in function len>');
    expect(str('plain')).toBe('plain');
    expect(str(makeList(['a']))).toBe('["a"]');
  });

  test('hash keys distinguish types; lists are unhashable', () => {
    const keys = [1, true, '1', null, makeTuple([1, 'a'])].map((v) => hashKey(v));
    const strings = keys.map((k) => (k.ok ? k.value : 'ERR'));
    expect(new Set(strings).size).toBe(5);
    expect(hashKey(makeList([]))).toEqual({ ok: false, failure: "unhashable type: 'list'" });
    expect(hashKey(makeTuple([makeList([])]))).toEqual({
      ok: false,
      failure: "unhashable type: 'list'",
    });
  });

  test('equality and ordering', () => {
    expect(equals(makeList([1, makeTuple(['a'])]), makeList([1, makeTuple(['a'])]))).toBe(true);
    expect(equals(makeList([1]), makeTuple([1]))).toBe(false);
    expect(equals(1, true)).toBe(false);
    expect(compare(makeList([1, 2]), makeList([1, 2, 0]))).toEqual({ ok: true, value: -1 });
    expect(compare('b', 'a')).toEqual({ ok: true, value: 1 });
    expect(compare(1, 'a').ok).toBe(false);
  });
});

describe('suggestNearest', () => {
  test('finds close names, including transpositions', () => {
    expect(suggestNearest('go_libary', ['go_binary', 'go_library', 'go_test'])).toBe('go_library');
    expect(suggestNearest('srcz', ['srcs', 'deps'])).toBe('srcs');
    expect(suggestNearest('jion', ['join', 'split'])).toBe('join');
  });

  test('does not suggest distant or identical names', () => {
    expect(suggestNearest('visibility', ['deps', 'srcs'])).toBeUndefined();
    expect(suggestNearest('x', ['x'])).toBeUndefined();
    expect(suggestNearest('abc', [])).toBeUndefined();
  });
});
