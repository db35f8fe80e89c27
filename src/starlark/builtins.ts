import type { Diagnostic } from '../util/diagnostic';
import { STARLARK_LIMITS } from './limits';
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
import { getMethod, methodNames, updateDict } from './methods';
import {
  compare,
  dictSet,
  iterate,
  makeBuiltin,
  makeDict,
  makeList,
  makeTuple,
  repr,
  str,
  truthy,
  typeName,
  type CallContext,
  type Value,
} from './values';

type Out = Result<Value, Diagnostic>;

/** `range()` builds a list, so refuse sizes that would exhaust memory. */
const MAX_RANGE = STARLARK_LIMITS.maxElements;

function builtin(
  name: string,
  signature: BuiltinSignature,
  impl: (a: BoundArgs, ctx: CallContext) => Out,
): [string, Value] {
  return [
    name,
    makeBuiltin(name, (args, ctx) => {
      const bound = bindArgs(name, signature, args, ctx);
      if (!bound.ok) return bound;
      return impl(bound.value, ctx);
    }),
  ];
}

function param(a: BoundArgs, name: string): Arg {
  const arg = a.params.get(name);
  if (arg === undefined) throw new Error(`bug: required parameter ${name} not bound`);
  return arg;
}

function iterableArg(
  fn: string,
  p: string,
  arg: Arg,
  ctx: CallContext,
): Result<readonly Value[], Diagnostic> {
  const items = iterate(arg.value);
  return items.ok ? items : err(wrongType(fn, p, arg, 'iterable', ctx));
}

/** Parses `int("…", base)` text the way Starlark does (sign, optional base prefix). */
function parseIntText(text: string, base: number | undefined): number | undefined {
  let s = text;
  let sign = 1n;
  if (s.startsWith('+') || s.startsWith('-')) {
    if (s[0] === '-') sign = -1n;
    s = s.slice(1);
  }
  const prefix = s.slice(0, 2).toLowerCase();
  const prefixBase = prefix === '0x' ? 16 : prefix === '0o' ? 8 : prefix === '0b' ? 2 : undefined;
  let radix = base ?? 10;
  if (base === 0) {
    radix = prefixBase ?? 10;
    if (prefixBase !== undefined) s = s.slice(2);
    else if (s.length > 1 && s[0] === '0' && /[1-9]/.test(s)) return undefined;
  } else if (prefixBase !== undefined && prefixBase === radix) {
    s = s.slice(2);
  }
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, radix);
  if (s === '' || ![...s.toLowerCase()].every((c) => alphabet.includes(c))) return undefined;
  let n = 0n;
  for (const c of s.toLowerCase()) n = n * BigInt(radix) + BigInt(alphabet.indexOf(c));
  const v = sign * n;
  return v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)
    ? NaN
    : Number(v);
}

/** min() and max() share argument handling: one iterable, or several values; optional key. */
function extremum(name: 'min' | 'max', a: BoundArgs, ctx: CallContext): Out {
  let candidates: readonly Value[];
  if (a.rest.length === 1) {
    const items = iterableArg(name, 'x', a.rest[0] as Arg, ctx);
    if (!items.ok) return items;
    candidates = items.value;
  } else {
    candidates = a.rest.map((r) => r.value);
  }
  if (candidates.length === 0) {
    return err(ctx.diagnostic(ctx.callSpan, `${name}() arg is an empty sequence`));
  }
  const key = a.params.get('key');
  let best: Value | undefined;
  let bestKey: Value | undefined;
  for (const c of candidates) {
    let k: Value = c;
    if (key !== undefined && key.value !== null) {
      const r = ctx.call(key.value, [c], key.span);
      if (!r.ok) return r;
      k = r.value;
    }
    if (bestKey === undefined) {
      best = c;
      bestKey = k;
      continue;
    }
    const cmp = compare(k, bestKey);
    if (!cmp.ok) return err(ctx.diagnostic(ctx.callSpan, cmp.failure));
    if (name === 'min' ? cmp.value < 0 : cmp.value > 0) {
      best = c;
      bestKey = k;
    }
  }
  return ok(best as Value);
}

function joinArgs(
  rest: readonly Arg[],
  a: BoundArgs,
  fn: string,
  ctx: CallContext,
): Result<string, Diagnostic> {
  const sepArg = a.params.get('sep');
  let sep = ' ';
  if (sepArg !== undefined) {
    const s = stringArg(fn, 'sep', sepArg, ctx);
    if (!s.ok) return s;
    sep = s.value;
  }
  return ok(rest.map((r) => str(r.value)).join(sep));
}

/**
 * The universal names every file sees: `True`, `False`, `None` and the builtin functions
 * (`len`, `str`, `sorted`, `fail`, `print`, …). Predeclared names of the environment shadow them.
 */
export const UNIVERSE: ReadonlyMap<string, Value> = new Map<string, Value>([
  ['True', true],
  ['False', false],
  ['None', null],
  builtin('len', { params: ['x'] }, (a, ctx) => {
    const x = param(a, 'x');
    const v = x.value;
    if (typeof v === 'string') return ok(v.length);
    if (v !== null && typeof v === 'object') {
      if (v.kind === 'list' || v.kind === 'tuple') return ok(v.items.length);
      if (v.kind === 'dict') return ok(v.entries.size);
    }
    return err(ctx.diagnostic(x.span, `len: value of type '${typeName(v)}' has no len()`));
  }),
  builtin('str', { params: ['x'] }, (a) => ok(str(param(a, 'x').value))),
  builtin('repr', { params: ['x'] }, (a) => ok(repr(param(a, 'x').value))),
  builtin('bool', { params: ['x'], required: 0 }, (a) =>
    ok(truthy(a.params.get('x')?.value ?? false)),
  ),
  builtin('int', { params: ['x', 'base'], required: 0 }, (a, ctx) => {
    const x = a.params.get('x');
    if (x === undefined) return ok(0);
    const baseArg = a.params.get('base');
    let base: number | undefined;
    if (baseArg !== undefined) {
      const b = intArg('int', 'base', baseArg, ctx);
      if (!b.ok) return b;
      if (b.value !== 0 && (b.value < 2 || b.value > 36)) {
        return err(ctx.diagnostic(baseArg.span, 'int() base must be >= 2 and <= 36, or 0'));
      }
      base = b.value;
    }
    const v = x.value;
    if (typeof v === 'string') {
      const n = parseIntText(v, base);
      if (n === undefined) {
        return err(
          ctx.diagnostic(x.span, `invalid literal for int() with base ${base ?? 10}: ${repr(v)}`),
        );
      }
      if (Number.isNaN(n)) return err(ctx.diagnostic(x.span, 'integer overflow'));
      return ok(n);
    }
    if (base !== undefined && baseArg !== undefined) {
      return err(ctx.diagnostic(baseArg.span, "int() can't convert non-string with explicit base"));
    }
    if (typeof v === 'number') return ok(v);
    if (typeof v === 'boolean') return ok(v ? 1 : 0);
    return err(wrongType('int', 'x', x, 'string, bool or int', ctx));
  }),
  builtin('list', { params: ['x'], required: 0 }, (a, ctx) => {
    const x = a.params.get('x');
    if (x === undefined) return ok(makeList([]));
    const items = iterableArg('list', 'x', x, ctx);
    return items.ok ? ok(makeList(items.value.slice())) : items;
  }),
  builtin('tuple', { params: ['x'], required: 0 }, (a, ctx) => {
    const x = a.params.get('x');
    if (x === undefined) return ok(makeTuple([]));
    if (x.value !== null && typeof x.value === 'object' && x.value.kind === 'tuple')
      return ok(x.value);
    const items = iterableArg('tuple', 'x', x, ctx);
    return items.ok ? ok(makeTuple(items.value.slice())) : items;
  }),
  builtin('dict', { params: ['pairs'], required: 0, kwargs: true }, (a, ctx) => {
    const d = makeDict();
    const pairs = a.params.get('pairs');
    if (pairs !== undefined) {
      const r = updateDict(d, pairs.value);
      if (!r.ok) return err(ctx.diagnostic(pairs.span, `in call to dict(), ${r.failure}`));
    }
    for (const n of a.kwargs) dictSet(d, n.name, n.value); // a fresh dict: cannot fail
    return ok(d);
  }),
  builtin('sorted', { params: ['iterable'], keywordOnly: ['key', 'reverse'] }, (a, ctx) => {
    const items = iterableArg('sorted', 'iterable', param(a, 'iterable'), ctx);
    if (!items.ok) return items;
    const key = a.params.get('key');
    const keyed: { value: Value; key: Value }[] = [];
    for (const value of items.value) {
      if (key === undefined || key.value === null) {
        keyed.push({ value, key: value });
        continue;
      }
      const k = ctx.call(key.value, [value], key.span);
      if (!k.ok) return k;
      keyed.push({ value, key: k.value });
    }
    let failure: string | undefined;
    const reverse = truthy(a.params.get('reverse')?.value ?? false);
    // Array.prototype.sort is stable; reversing the comparison keeps equal items in order.
    keyed.sort((x, y) => {
      const c = compare(x.key, y.key);
      if (!c.ok) {
        failure ??= c.failure;
        return 0;
      }
      return reverse ? -c.value : c.value;
    });
    if (failure !== undefined) return err(ctx.diagnostic(ctx.callSpan, failure));
    return ok(makeList(keyed.map((k) => k.value)));
  }),
  builtin('reversed', { params: ['sequence'] }, (a, ctx) => {
    const items = iterableArg('reversed', 'sequence', param(a, 'sequence'), ctx);
    return items.ok ? ok(makeList(items.value.slice().reverse())) : items;
  }),
  builtin('range', { params: ['start_or_stop', 'stop', 'step'], required: 1 }, (a, ctx) => {
    const nums: number[] = [];
    for (const p of ['start_or_stop', 'stop', 'step']) {
      const arg = a.params.get(p);
      if (arg === undefined) break;
      const n = intArg('range', p, arg, ctx);
      if (!n.ok) return n;
      nums.push(n.value);
    }
    const [start, stop, step] =
      nums.length === 1
        ? [0, nums[0] as number, 1]
        : [nums[0] as number, nums[1] as number, nums[2] ?? 1];
    if (step === 0)
      return err(
        ctx.diagnostic(a.params.get('step')?.span ?? ctx.callSpan, 'range() step must not be zero'),
      );
    const count = Math.max(0, Math.ceil((stop - start) / step));
    if (count > MAX_RANGE) {
      return err(
        ctx.diagnostic(
          ctx.callSpan,
          `range() of ${count} elements is too large (limit ${MAX_RANGE})`,
        ),
      );
    }
    const out: Value[] = [];
    for (let i = 0; i < count; i++) out.push(start + i * step);
    return ok(makeList(out));
  }),
  builtin('enumerate', { params: ['x', 'start'], required: 1 }, (a, ctx) => {
    const items = iterableArg('enumerate', 'x', param(a, 'x'), ctx);
    if (!items.ok) return items;
    const startArg = a.params.get('start');
    const start = startArg === undefined ? ok(0) : intArg('enumerate', 'start', startArg, ctx);
    if (!start.ok) return start;
    return ok(makeList(items.value.map((v, i) => makeTuple([start.value + i, v]))));
  }),
  builtin('zip', { varargs: true }, (a, ctx) => {
    const lists: (readonly Value[])[] = [];
    for (const [i, arg] of a.rest.entries()) {
      const items = iterableArg('zip', `#${i + 1}`, arg, ctx);
      if (!items.ok) return items;
      lists.push(items.value);
    }
    const n = lists.length === 0 ? 0 : Math.min(...lists.map((l) => l.length));
    const out: Value[] = [];
    for (let i = 0; i < n; i++) out.push(makeTuple(lists.map((l) => l[i] as Value)));
    return ok(makeList(out));
  }),
  builtin('type', { params: ['x'] }, (a) => ok(typeName(param(a, 'x').value))),
  builtin('any', { params: ['x'] }, (a, ctx) => {
    const items = iterableArg('any', 'x', param(a, 'x'), ctx);
    return items.ok ? ok(items.value.some(truthy)) : items;
  }),
  builtin('all', { params: ['x'] }, (a, ctx) => {
    const items = iterableArg('all', 'x', param(a, 'x'), ctx);
    return items.ok ? ok(items.value.every(truthy)) : items;
  }),
  builtin('min', { varargs: true, keywordOnly: ['key'] }, (a, ctx) => extremum('min', a, ctx)),
  builtin('max', { varargs: true, keywordOnly: ['key'] }, (a, ctx) => extremum('max', a, ctx)),
  builtin('hasattr', { params: ['x', 'name'] }, (a, ctx) => {
    const name = stringArg('hasattr', 'name', param(a, 'name'), ctx);
    if (!name.ok) return name;
    return ok(getMethod(param(a, 'x').value, name.value) !== undefined);
  }),
  builtin('getattr', { params: ['x', 'name', 'default'], required: 2 }, (a, ctx) => {
    const nameArg = param(a, 'name');
    const name = stringArg('getattr', 'name', nameArg, ctx);
    if (!name.ok) return name;
    const x = param(a, 'x').value;
    const m = getMethod(x, name.value);
    if (m !== undefined) return ok(m);
    const fallback = a.params.get('default');
    if (fallback !== undefined) return ok(fallback.value);
    return err(
      ctx.diagnostic(nameArg.span, `'${typeName(x)}' value has no field or method '${name.value}'`),
    );
  }),
  builtin('dir', { params: ['x'] }, (a) => ok(makeList(methodNames(param(a, 'x').value)))),
  builtin('fail', { varargs: true, keywordOnly: ['msg', 'attr', 'sep'] }, (a, ctx) => {
    const parts = [...a.rest];
    const msg = a.params.get('msg');
    if (msg !== undefined && msg.value !== null) parts.unshift(msg);
    const text = joinArgs(parts, a, 'fail', ctx);
    if (!text.ok) return text;
    const attr = a.params.get('attr');
    const prefix =
      attr !== undefined && attr.value !== null ? `attribute ${str(attr.value)}: ` : '';
    return err(ctx.diagnostic(ctx.callSpan, `Error in fail: ${prefix}${text.value}`));
  }),
  builtin('print', { varargs: true, keywordOnly: ['sep'] }, (a, ctx) => {
    const text = joinArgs(a.rest, a, 'print', ctx);
    if (!text.ok) return text;
    ctx.print(text.value);
    return ok(null);
  }),
]);
