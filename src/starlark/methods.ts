import type { Diagnostic } from '../util/diagnostic';
import { err, ok, type Result } from '../util/result';
import {
  bindArgs,
  intArg,
  stringArg,
  wrongType,
  type Arg,
  type BoundArgs,
  type BuiltinSignature,
} from './call-args';
import { formatMethod } from './string-format';
import {
  checkMutable,
  dictGet,
  dictSet,
  equals,
  hashKey,
  iterate,
  makeBuiltin,
  makeList,
  makeTuple,
  repr,
  typeName,
  type BuiltinFunction,
  type CallArgs,
  type CallContext,
  type StarlarkDict,
  type StarlarkList,
  type Value,
} from './values';

type Out = Result<Value, Diagnostic>;

/** A method of receivers of type `R`: its signature and implementation. */
interface Method<R> {
  readonly signature: BuiltinSignature;
  /** When set, the raw arguments are passed instead of being bound (`format`). */
  readonly raw?: (recv: R, args: CallArgs, ctx: CallContext) => Out;
  readonly impl: (recv: R, a: BoundArgs, ctx: CallContext) => Out;
}

function method<R>(
  signature: BuiltinSignature,
  impl: (recv: R, a: BoundArgs, ctx: CallContext) => Out,
): Method<R> {
  return { signature, impl };
}

/** Converts a value-level failure message into a diagnostic at the callee. */
function lift<T>(r: Result<T, string>, ctx: CallContext): Result<T, Diagnostic> {
  return r.ok ? r : err(ctx.diagnostic(ctx.callSpan, r.failure));
}

function opt<T>(
  a: BoundArgs,
  name: string,
  fallback: T,
  get: (arg: Arg) => Result<T, Diagnostic>,
): Result<T, Diagnostic> {
  const arg = a.params.get(name);
  return arg === undefined || arg.value === null ? ok(fallback) : get(arg);
}

/** Python's clamping of optional `start`/`end` bounds to `[0, len]`. */
function bound(i: number, len: number): number {
  return i < 0 ? Math.max(0, i + len) : Math.min(i, len);
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
}

function splitWhitespace(s: string, maxsplit: number, fromRight: boolean): string[] {
  const out: string[] = [];
  if (!fromRight) {
    let i = 0;
    for (;;) {
      while (i < s.length && isSpace(s[i] as string)) i++;
      if (i >= s.length) break;
      if (maxsplit >= 0 && out.length === maxsplit) {
        out.push(s.slice(i));
        break;
      }
      let j = i;
      while (j < s.length && !isSpace(s[j] as string)) j++;
      out.push(s.slice(i, j));
      i = j;
    }
    return out;
  }
  let i = s.length;
  for (;;) {
    while (i > 0 && isSpace(s[i - 1] as string)) i--;
    if (i <= 0) break;
    if (maxsplit >= 0 && out.length === maxsplit) {
      out.push(s.slice(0, i));
      break;
    }
    let j = i;
    while (j > 0 && !isSpace(s[j - 1] as string)) j--;
    out.push(s.slice(j, i));
    i = j;
  }
  return out.reverse();
}

function splitMethod(fromRight: boolean): Method<string> {
  const name = fromRight ? 'rsplit' : 'split';
  return method({ params: ['sep', 'maxsplit'], required: 0 }, (s, a, ctx) => {
    const sep = opt<string | null>(a, 'sep', null, (x) => stringArg(name, 'sep', x, ctx));
    if (!sep.ok) return sep;
    const max = opt(a, 'maxsplit', -1, (x) => intArg(name, 'maxsplit', x, ctx));
    if (!max.ok) return max;
    const maxsplit = max.value;
    if (sep.value === null) return ok(makeList(splitWhitespace(s, maxsplit, fromRight)));
    if (sep.value === '') {
      return err(ctx.diagnostic(a.params.get('sep')?.span ?? ctx.callSpan, 'empty separator'));
    }
    const parts = s.split(sep.value);
    if (maxsplit < 0 || parts.length <= maxsplit + 1) return ok(makeList(parts));
    if (fromRight) {
      const keep = parts.length - maxsplit;
      return ok(makeList([parts.slice(0, keep).join(sep.value), ...parts.slice(keep)]));
    }
    return ok(makeList([...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sep.value)]));
  });
}

function stripMethod(name: string, left: boolean, right: boolean): Method<string> {
  return method({ params: ['chars'], required: 0 }, (s, a, ctx) => {
    const chars = opt<string | null>(a, 'chars', null, (x) => stringArg(name, 'chars', x, ctx));
    if (!chars.ok) return chars;
    const strip = (c: string): boolean =>
      chars.value === null ? isSpace(c) : chars.value.includes(c);
    let i = 0;
    let j = s.length;
    if (left) while (i < j && strip(s[i] as string)) i++;
    if (right) while (j > i && strip(s[j - 1] as string)) j--;
    return ok(s.slice(i, j));
  });
}

function affixMethod(name: 'startswith' | 'endswith'): Method<string> {
  return method({ params: ['sub'] }, (s, a, ctx) => {
    const arg = a.params.get('sub') as Arg;
    const v = arg.value;
    const candidates = v !== null && typeof v === 'object' && v.kind === 'tuple' ? v.items : [v];
    for (const c of candidates) {
      if (typeof c !== 'string')
        return err(wrongType(name, 'sub', arg, 'string or tuple of strings', ctx));
      if (name === 'startswith' ? s.startsWith(c) : s.endsWith(c)) return ok(true);
    }
    return ok(false);
  });
}

/** `find`, `rfind`, `index`, `rindex`, `count` share their (sub, start, end) handling. */
function searchMethod(name: 'find' | 'rfind' | 'index' | 'rindex' | 'count'): Method<string> {
  return method({ params: ['sub', 'start', 'end'], required: 1 }, (s, a, ctx) => {
    const sub = stringArg(name, 'sub', a.params.get('sub') as Arg, ctx);
    if (!sub.ok) return sub;
    const start = opt(a, 'start', 0, (x) => intArg(name, 'start', x, ctx));
    if (!start.ok) return start;
    const end = opt(a, 'end', s.length, (x) => intArg(name, 'end', x, ctx));
    if (!end.ok) return end;
    const lo = bound(start.value, s.length);
    const hi = bound(end.value, s.length);
    const window = lo <= hi ? s.slice(lo, hi) : '';
    if (name === 'count') {
      if (lo > hi) return ok(0);
      return ok(sub.value === '' ? window.length + 1 : window.split(sub.value).length - 1);
    }
    const at =
      lo > hi
        ? -1
        : name === 'find' || name === 'index'
          ? window.indexOf(sub.value)
          : window.lastIndexOf(sub.value);
    if (at < 0) {
      if (name === 'index' || name === 'rindex') {
        return err(ctx.diagnostic(ctx.callSpan, `substring ${repr(sub.value)} not found`));
      }
      return ok(-1);
    }
    return ok(at + lo);
  });
}

function predicate(test: (s: string) => boolean): Method<string> {
  return method({}, (s) => ok(s.length > 0 && test(s)));
}

function replaceAll(s: string, old: string, replacement: string, count: number): string {
  if (old === '') {
    // Python inserts the replacement before every character and at the end.
    let out = '';
    let n = 0;
    for (let i = 0; i <= s.length; i++) {
      if (count < 0 || n < count) {
        out += replacement;
        n++;
      }
      if (i < s.length) out += s[i];
    }
    return out;
  }
  let out = '';
  let i = 0;
  let n = 0;
  while (count < 0 || n < count) {
    const j = s.indexOf(old, i);
    if (j < 0) break;
    out += s.slice(i, j) + replacement;
    i = j + old.length;
    n++;
  }
  return out + s.slice(i);
}

function title(s: string): string {
  let out = '';
  let prevCased = false;
  for (const c of s) {
    const cased = c.toLowerCase() !== c.toUpperCase();
    out += cased ? (prevCased ? c.toLowerCase() : c.toUpperCase()) : c;
    prevCased = cased;
  }
  return out;
}

function partition(s: string, sep: string, fromRight: boolean): Value {
  const at = fromRight ? s.lastIndexOf(sep) : s.indexOf(sep);
  if (at < 0) return makeTuple(fromRight ? ['', '', s] : [s, '', '']);
  return makeTuple([s.slice(0, at), sep, s.slice(at + sep.length)]);
}

const STRING_METHODS: ReadonlyMap<string, Method<string>> = new Map<string, Method<string>>([
  [
    'format',
    {
      signature: {},
      impl: () => ok(null),
      raw: (s, args, ctx) => {
        const named = new Map<string, Value>();
        for (const n of args.named) named.set(n.name, n.value);
        return lift(
          formatMethod(
            s,
            args.positional.map((p) => p.value),
            named,
          ),
          ctx,
        );
      },
    },
  ],
  [
    'join',
    method({ params: ['elements'] }, (s, a, ctx) => {
      const arg = a.params.get('elements') as Arg;
      const items = iterate(arg.value);
      if (!items.ok) return err(wrongType('join', 'elements', arg, 'iterable', ctx));
      const parts: string[] = [];
      for (const [i, item] of items.value.entries()) {
        if (typeof item !== 'string') {
          return err(
            ctx.diagnostic(
              arg.span,
              `in call to join(), element ${i} has type '${typeName(item)}', want 'string'`,
            ),
          );
        }
        parts.push(item);
      }
      return ok(parts.join(s));
    }),
  ],
  ['split', splitMethod(false)],
  ['rsplit', splitMethod(true)],
  [
    'splitlines',
    method({ params: ['keepends'], required: 0 }, (s, a) => {
      const keep = a.params.get('keepends')?.value === true;
      const lines: string[] = [];
      const re = /\r\n|\r|\n/g;
      let last = 0;
      for (let m = re.exec(s); m !== null; m = re.exec(s)) {
        lines.push(s.slice(last, keep ? m.index + m[0].length : m.index));
        last = m.index + m[0].length;
      }
      if (last < s.length) lines.push(s.slice(last));
      return ok(makeList(lines));
    }),
  ],
  ['strip', stripMethod('strip', true, true)],
  ['lstrip', stripMethod('lstrip', true, false)],
  ['rstrip', stripMethod('rstrip', false, true)],
  [
    'replace',
    method({ params: ['old', 'new', 'count'], required: 2 }, (s, a, ctx) => {
      const old = stringArg('replace', 'old', a.params.get('old') as Arg, ctx);
      if (!old.ok) return old;
      const replacement = stringArg('replace', 'new', a.params.get('new') as Arg, ctx);
      if (!replacement.ok) return replacement;
      const count = opt(a, 'count', -1, (x) => intArg('replace', 'count', x, ctx));
      if (!count.ok) return count;
      return ok(replaceAll(s, old.value, replacement.value, count.value));
    }),
  ],
  ['startswith', affixMethod('startswith')],
  ['endswith', affixMethod('endswith')],
  [
    'removeprefix',
    method({ params: ['prefix'] }, (s, a, ctx) => {
      const p = stringArg('removeprefix', 'prefix', a.params.get('prefix') as Arg, ctx);
      if (!p.ok) return p;
      return ok(s.startsWith(p.value) ? s.slice(p.value.length) : s);
    }),
  ],
  [
    'removesuffix',
    method({ params: ['suffix'] }, (s, a, ctx) => {
      const p = stringArg('removesuffix', 'suffix', a.params.get('suffix') as Arg, ctx);
      if (!p.ok) return p;
      return ok(p.value !== '' && s.endsWith(p.value) ? s.slice(0, s.length - p.value.length) : s);
    }),
  ],
  ['upper', method({}, (s) => ok(s.toUpperCase()))],
  ['lower', method({}, (s) => ok(s.toLowerCase()))],
  ['capitalize', method({}, (s) => ok(s.slice(0, 1).toUpperCase() + s.slice(1).toLowerCase()))],
  ['title', method({}, (s) => ok(title(s)))],
  ['find', searchMethod('find')],
  ['rfind', searchMethod('rfind')],
  ['index', searchMethod('index')],
  ['rindex', searchMethod('rindex')],
  ['count', searchMethod('count')],
  [
    'partition',
    method({ params: ['sep'] }, (s, a, ctx) => {
      const sep = stringArg('partition', 'sep', a.params.get('sep') as Arg, ctx);
      if (!sep.ok) return sep;
      if (sep.value === '') return err(ctx.diagnostic(ctx.callSpan, 'empty separator'));
      return ok(partition(s, sep.value, false));
    }),
  ],
  [
    'rpartition',
    method({ params: ['sep'] }, (s, a, ctx) => {
      const sep = stringArg('rpartition', 'sep', a.params.get('sep') as Arg, ctx);
      if (!sep.ok) return sep;
      if (sep.value === '') return err(ctx.diagnostic(ctx.callSpan, 'empty separator'));
      return ok(partition(s, sep.value, true));
    }),
  ],
  ['isalnum', predicate((s) => /^[\p{L}\p{N}]+$/u.test(s))],
  ['isalpha', predicate((s) => /^\p{L}+$/u.test(s))],
  ['isdigit', predicate((s) => /^\p{Nd}+$/u.test(s))],
  ['isspace', predicate((s) => [...s].every(isSpace))],
  ['islower', predicate((s) => s === s.toLowerCase() && s !== s.toUpperCase())],
  ['isupper', predicate((s) => s === s.toUpperCase() && s !== s.toLowerCase())],
  ['elems', method({}, (s) => ok(makeList([...s])))],
]);

/** `list[i]` index normalisation for `insert`/`pop`: negative counts from the end. */
function normalizeIndex(i: number, len: number): number {
  return i < 0 ? i + len : i;
}

function mutable(l: StarlarkList | StarlarkDict, ctx: CallContext): Result<void, Diagnostic> {
  return lift(checkMutable(l), ctx);
}

const LIST_METHODS: ReadonlyMap<string, Method<StarlarkList>> = new Map<
  string,
  Method<StarlarkList>
>([
  [
    'append',
    method({ params: ['x'] }, (l, a, ctx) => {
      const m = mutable(l, ctx);
      if (!m.ok) return m;
      l.items.push((a.params.get('x') as Arg).value);
      return ok(null);
    }),
  ],
  [
    'extend',
    method({ params: ['x'] }, (l, a, ctx) => {
      const arg = a.params.get('x') as Arg;
      const items = iterate(arg.value);
      if (!items.ok) return err(wrongType('extend', 'x', arg, 'iterable', ctx));
      const m = mutable(l, ctx);
      if (!m.ok) return m;
      // Copy first: `l.extend(l)` must not see its own growth.
      l.items.push(...items.value.slice());
      return ok(null);
    }),
  ],
  [
    'insert',
    method({ params: ['index', 'x'] }, (l, a, ctx) => {
      const index = intArg('insert', 'index', a.params.get('index') as Arg, ctx);
      if (!index.ok) return index;
      const m = mutable(l, ctx);
      if (!m.ok) return m;
      const at = Math.max(0, Math.min(normalizeIndex(index.value, l.items.length), l.items.length));
      l.items.splice(at, 0, (a.params.get('x') as Arg).value);
      return ok(null);
    }),
  ],
  [
    'remove',
    method({ params: ['x'] }, (l, a, ctx) => {
      const x = (a.params.get('x') as Arg).value;
      const m = mutable(l, ctx);
      if (!m.ok) return m;
      const at = l.items.findIndex((item) => equals(item, x));
      if (at < 0) return err(ctx.diagnostic(ctx.callSpan, `item ${repr(x)} not found in list`));
      l.items.splice(at, 1);
      return ok(null);
    }),
  ],
  [
    'pop',
    method({ params: ['i'], required: 0 }, (l, a, ctx) => {
      const i = opt(a, 'i', -1, (x) => intArg('pop', 'i', x, ctx));
      if (!i.ok) return i;
      const m = mutable(l, ctx);
      if (!m.ok) return m;
      const at = normalizeIndex(i.value, l.items.length);
      if (at < 0 || at >= l.items.length) {
        return err(
          ctx.diagnostic(
            ctx.callSpan,
            `index out of range (index is ${i.value}, but sequence has ${l.items.length} elements)`,
          ),
        );
      }
      return ok(l.items.splice(at, 1)[0] as Value);
    }),
  ],
  [
    'index',
    method({ params: ['x', 'start', 'end'], required: 1 }, (l, a, ctx) => {
      const x = (a.params.get('x') as Arg).value;
      const start = opt(a, 'start', 0, (v) => intArg('index', 'start', v, ctx));
      if (!start.ok) return start;
      const end = opt(a, 'end', l.items.length, (v) => intArg('index', 'end', v, ctx));
      if (!end.ok) return end;
      const hi = bound(end.value, l.items.length);
      for (let i = bound(start.value, l.items.length); i < hi; i++) {
        if (equals(l.items[i] as Value, x)) return ok(i);
      }
      return err(ctx.diagnostic(ctx.callSpan, `item ${repr(x)} not found in list`));
    }),
  ],
  [
    'clear',
    method({}, (l, _a, ctx) => {
      const m = mutable(l, ctx);
      if (!m.ok) return m;
      l.items.length = 0;
      return ok(null);
    }),
  ],
]);

/**
 * `dict.update` and `dict(…)`: merges a dict, or an iterable of two-element sequences, into `d`.
 */
export function updateDict(d: StarlarkDict, source: Value): Result<void, string> {
  if (source !== null && typeof source === 'object' && source.kind === 'dict') {
    for (const e of [...source.entries.values()]) {
      const r = dictSet(d, e.key, e.value);
      if (!r.ok) return r;
    }
    return ok(undefined);
  }
  const items = iterate(source);
  if (!items.ok) return err(`got ${typeName(source)}, want dict or iterable of pairs`);
  for (const [i, item] of items.value.entries()) {
    const pair = iterate(item);
    if (!pair.ok || pair.value.length !== 2) {
      return err(`dictionary update sequence element #${i} is not a pair (got ${repr(item)})`);
    }
    const r = dictSet(d, pair.value[0] as Value, pair.value[1] as Value);
    if (!r.ok) return r;
  }
  return ok(undefined);
}

function keyNotFound(key: Value): string {
  return `key ${repr(key)} not found in dictionary`;
}

const DICT_METHODS: ReadonlyMap<string, Method<StarlarkDict>> = new Map<
  string,
  Method<StarlarkDict>
>([
  [
    'get',
    method({ params: ['key', 'default'], required: 1 }, (d, a, ctx) => {
      const key = a.params.get('key') as Arg;
      const v = dictGet(d, key.value);
      if (!v.ok) return err(ctx.diagnostic(key.span, v.failure));
      return ok(v.value ?? a.params.get('default')?.value ?? null);
    }),
  ],
  ['keys', method({}, (d) => ok(makeList([...d.entries.values()].map((e) => e.key))))],
  ['values', method({}, (d) => ok(makeList([...d.entries.values()].map((e) => e.value))))],
  [
    'items',
    method({}, (d) =>
      ok(makeList([...d.entries.values()].map((e) => makeTuple([e.key, e.value])))),
    ),
  ],
  [
    'setdefault',
    method({ params: ['key', 'default'], required: 1 }, (d, a, ctx) => {
      const key = a.params.get('key') as Arg;
      const existing = dictGet(d, key.value);
      if (!existing.ok) return err(ctx.diagnostic(key.span, existing.failure));
      if (existing.value !== undefined) return ok(existing.value);
      const value = a.params.get('default')?.value ?? null;
      const r = dictSet(d, key.value, value);
      if (!r.ok) return err(ctx.diagnostic(ctx.callSpan, r.failure));
      return ok(value);
    }),
  ],
  [
    'update',
    method({ params: ['pairs'], required: 0, kwargs: true }, (d, a, ctx) => {
      // Checked up front so that even an empty update of a frozen dict fails.
      const m = mutable(d, ctx);
      if (!m.ok) return m;
      const pairs = a.params.get('pairs');
      if (pairs !== undefined) {
        const r = updateDict(d, pairs.value);
        if (!r.ok) return err(ctx.diagnostic(pairs.span, `in call to update(), ${r.failure}`));
      }
      for (const n of a.kwargs) {
        const r = dictSet(d, n.name, n.value);
        if (!r.ok) return err(ctx.diagnostic(ctx.callSpan, r.failure));
      }
      return ok(null);
    }),
  ],
  [
    'pop',
    method({ params: ['key', 'default'], required: 1 }, (d, a, ctx) => {
      const key = a.params.get('key') as Arg;
      const m = mutable(d, ctx);
      if (!m.ok) return m;
      const k = hashKey(key.value);
      if (!k.ok) return err(ctx.diagnostic(key.span, k.failure));
      const e = d.entries.get(k.value);
      if (e === undefined) {
        const fallback = a.params.get('default');
        if (fallback === undefined) return err(ctx.diagnostic(key.span, keyNotFound(key.value)));
        return ok(fallback.value);
      }
      d.entries.delete(k.value);
      return ok(e.value);
    }),
  ],
  [
    'popitem',
    method({}, (d, _a, ctx) => {
      const m = mutable(d, ctx);
      if (!m.ok) return m;
      const first = d.entries.entries().next();
      if (first.done === true)
        return err(ctx.diagnostic(ctx.callSpan, 'popitem: empty dictionary'));
      d.entries.delete(first.value[0]);
      return ok(makeTuple([first.value[1].key, first.value[1].value]));
    }),
  ],
  [
    'clear',
    method({}, (d, _a, ctx) => {
      const m = mutable(d, ctx);
      if (!m.ok) return m;
      d.entries.clear();
      return ok(null);
    }),
  ],
]);

function bindMethod<R>(recv: R, name: string, m: Method<R>): BuiltinFunction {
  return makeBuiltin(name, (args, ctx) => {
    if (m.raw !== undefined) return m.raw(recv, args, ctx);
    const bound = bindArgs(name, m.signature, args, ctx);
    if (!bound.ok) return bound;
    return m.impl(recv, bound.value, ctx);
  });
}

/** The method `name` of `recv` bound to it (`"a,b".split`), or undefined if it has none. */
export function getMethod(recv: Value, name: string): BuiltinFunction | undefined {
  if (typeof recv === 'string') {
    const m = STRING_METHODS.get(name);
    return m && bindMethod(recv, name, m);
  }
  if (recv !== null && typeof recv === 'object') {
    if (recv.kind === 'list') {
      const m = LIST_METHODS.get(name);
      return m && bindMethod(recv, name, m);
    }
    if (recv.kind === 'dict') {
      const m = DICT_METHODS.get(name);
      return m && bindMethod(recv, name, m);
    }
  }
  return undefined;
}

/** The names of the methods of a value, sorted (for `dir` and "did you mean"). */
export function methodNames(recv: Value): string[] {
  let names: Iterable<string> = [];
  if (typeof recv === 'string') names = STRING_METHODS.keys();
  else if (recv !== null && typeof recv === 'object') {
    if (recv.kind === 'list') names = LIST_METHODS.keys();
    else if (recv.kind === 'dict') names = DICT_METHODS.keys();
  }
  return [...names].sort();
}
