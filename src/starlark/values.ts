import type { Diagnostic, SourceSpan } from '../util/diagnostic';
import { err, ok, type Result } from '../util/result';
import { unreachable } from '../util/unreachable';
import type { UserFunctionInternals } from './user-function';

/**
 * A Starlark value. Ints are JS numbers restricted to safe integers; `null` is `None`.
 * Strings are JS strings, so lengths and indices count UTF-16 code units, as in Bazel (Java).
 */
export type Value =
  string | number | boolean | null | StarlarkList | StarlarkTuple | StarlarkDict | StarlarkFunction;

/** A mutable list; `frozen` once the module that created it has been evaluated. */
export interface StarlarkList {
  readonly kind: 'list';
  readonly items: Value[];
  frozen: boolean;
}

/** An immutable sequence. */
export interface StarlarkTuple {
  readonly kind: 'tuple';
  readonly items: readonly Value[];
}

/** An insertion-ordered dict, keyed by the canonical repr of each (hashable) key. */
export interface StarlarkDict {
  readonly kind: 'dict';
  readonly entries: Map<string, { key: Value; value: Value }>;
  frozen: boolean;
}

/** Anything callable. */
export type StarlarkFunction = BuiltinFunction | UserFunction;

/**
 * The arguments of a call, already evaluated. Spans point at the argument expressions in the
 * file being evaluated, so a builtin can put its diagnostics on the offending argument.
 */
export interface CallArgs {
  readonly positional: readonly { value: Value; span: SourceSpan }[];
  readonly named: readonly {
    name: string;
    value: Value;
    /** Span of the value expression. */
    span: SourceSpan;
    nameSpan: SourceSpan;
  }[];
}

/** What a builtin may use besides its arguments. */
export interface CallContext {
  /** Span of the callee name in the call expression. */
  readonly callSpan: SourceSpan;
  /** Build a diagnostic for a span in the file being evaluated (knows the file text). */
  diagnostic(span: SourceSpan, message: string, severity?: 'error' | 'warning'): Diagnostic;
  /**
   * Calls a Starlark function (builtin or `def`) with positional arguments, e.g. the `key`
   * function of `sorted`. `span` is where the call is attributed to.
   */
  call(fn: Value, args: readonly Value[], span: SourceSpan): Result<Value, Diagnostic>;
  /** Routes `print()` output to `EvalEnv.print` of the file being evaluated (at `callSpan`). */
  print(message: string): void;
}

/** A function implemented in TypeScript (universe builtins, methods, rules passed by the lead). */
export interface BuiltinFunction {
  readonly kind: 'builtin';
  readonly name: string;
  call(args: CallArgs, ctx: CallContext): Result<Value, Diagnostic>;
}

/** A function defined with `def` in a `.bzl` file. */
export interface UserFunction {
  readonly kind: 'function';
  readonly name: string;
  /** Span of the function name in its `def`. */
  readonly span: SourceSpan;
  /** Evaluator state (parameters, body, defining module); opaque to callers. */
  readonly internals: UserFunctionInternals;
}

/** A new unfrozen list that takes ownership of `items`. */
export function makeList(items: Value[]): StarlarkList {
  return { kind: 'list', items, frozen: false };
}

/** A new tuple that takes ownership of `items`. */
export function makeTuple(items: readonly Value[]): StarlarkTuple {
  return { kind: 'tuple', items };
}

/** A new empty unfrozen dict. */
export function makeDict(): StarlarkDict {
  return { kind: 'dict', entries: new Map(), frozen: false };
}

/** Creates a builtin function value. */
export function makeBuiltin(name: string, call: BuiltinFunction['call']): BuiltinFunction {
  return { kind: 'builtin', name, call };
}

/** Starlark type name of a value, as returned by `type(v)` and used in error messages. */
export function typeName(v: Value): string {
  if (v === null) return 'NoneType';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'int';
  if (typeof v === 'boolean') return 'bool';
  switch (v.kind) {
    case 'list':
      return 'list';
    case 'tuple':
      return 'tuple';
    case 'dict':
      return 'dict';
    case 'function':
      return 'function';
    case 'builtin':
      return 'builtin_function_or_method';
    default:
      return unreachable(v);
  }
}

/** Starlark truth value: empty collections, 0, "", None and False are false. */
export function truthy(v: Value): boolean {
  if (v === null) return false;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'boolean') return v;
  switch (v.kind) {
    case 'list':
    case 'tuple':
      return v.items.length > 0;
    case 'dict':
      return v.entries.size > 0;
    case 'function':
    case 'builtin':
      return true;
    default:
      return unreachable(v);
  }
}

/** Quotes a string the way Starlark's repr does: double quotes, C-style escapes. */
export function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += '\\\\';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      default:
        out += c < 0x20 || c === 0x7f ? '\\x' + c.toString(16).padStart(2, '0') : s[i];
    }
  }
  return out + '"';
}

/** Starlark `repr(v)`, e.g. `["a", 1]`. */
export function repr(v: Value): string {
  if (v === null) return 'None';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  switch (v.kind) {
    case 'list':
      return '[' + v.items.map(repr).join(', ') + ']';
    case 'tuple':
      return v.items.length === 1
        ? '(' + repr(v.items[0] as Value) + ',)'
        : '(' + v.items.map(repr).join(', ') + ')';
    case 'dict':
      return (
        '{' +
        [...v.entries.values()].map((e) => repr(e.key) + ': ' + repr(e.value)).join(', ') +
        '}'
      );
    case 'function':
      return `<function ${v.name}>`;
    case 'builtin':
      return `<built-in function ${v.name}>`;
    default:
      return unreachable(v);
  }
}

/** Starlark `str(v)`: strings as they are, everything else as its repr. */
export function str(v: Value): string {
  return typeof v === 'string' ? v : repr(v);
}

/**
 * The canonical key of a hashable value (strings, ints, bools, None and tuples of those), or a
 * failure message for unhashable ones. Reprs distinguish `1`, `True` and `"1"`, as Starlark does.
 */
export function hashKey(v: Value): Result<string, string> {
  if (v === null || typeof v !== 'object') return ok(repr(v));
  switch (v.kind) {
    case 'tuple':
      for (const item of v.items) {
        const k = hashKey(item);
        if (!k.ok) return k;
      }
      return ok(repr(v));
    case 'list':
    case 'dict':
    case 'function':
    case 'builtin':
      return err(`unhashable type: '${typeName(v)}'`);
    default:
      return unreachable(v);
  }
}

/** Starlark `==`: structural for lists, tuples and dicts; values of different types are unequal. */
export function equals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'list':
    case 'tuple': {
      const bi = (b as StarlarkList | StarlarkTuple).items;
      if (a.items.length !== bi.length) return false;
      return a.items.every((x, i) => equals(x, bi[i] as Value));
    }
    case 'dict': {
      const be = (b as StarlarkDict).entries;
      if (a.entries.size !== be.size) return false;
      for (const [k, e] of a.entries) {
        const other = be.get(k);
        if (other === undefined || !equals(e.value, other.value)) return false;
      }
      return true;
    }
    case 'function':
    case 'builtin':
      return false;
    default:
      return unreachable(a);
  }
}

/**
 * Starlark ordering for `<`, `sorted`, `min`, `max`: ints, strings, bools, and lists/tuples
 * lexicographically. Returns negative/zero/positive, or a failure message for mixed types.
 */
export function compare(a: Value, b: Value): Result<number, string> {
  const ta = typeName(a);
  const tb = typeName(b);
  if (ta !== tb) return err(`unsupported comparison: ${ta} <=> ${tb}`);
  if (typeof a === 'number' || typeof a === 'boolean') {
    return ok(Number(a) - Number(b));
  }
  if (typeof a === 'string') {
    const bs = b as string;
    return ok(a < bs ? -1 : a > bs ? 1 : 0);
  }
  if (a !== null && (a.kind === 'list' || a.kind === 'tuple')) {
    const bi = (b as StarlarkList | StarlarkTuple).items;
    const n = Math.min(a.items.length, bi.length);
    for (let i = 0; i < n; i++) {
      const x = a.items[i] as Value;
      const y = bi[i] as Value;
      if (equals(x, y)) continue;
      return compare(x, y);
    }
    return ok(a.items.length - bi.length);
  }
  return err(`unsupported comparison: ${ta} <=> ${tb}`);
}

/**
 * The elements a `for` loop, comprehension or builtin iterates over: list and tuple items, dict
 * keys. Strings are not iterable in Starlark (use `.elems()`).
 */
export function iterate(v: Value): Result<readonly Value[], string> {
  if (v !== null && typeof v === 'object') {
    switch (v.kind) {
      case 'list':
      case 'tuple':
        return ok(v.items);
      case 'dict':
        return ok([...v.entries.values()].map((e) => e.key));
      case 'function':
      case 'builtin':
        break;
      default:
        return unreachable(v);
    }
  }
  return err(`type '${typeName(v)}' is not iterable`);
}

/** How many `for` loops and comprehensions are iterating over each list or dict right now. */
const activeIterations = new WeakMap<StarlarkList | StarlarkDict, number>();

/** Marks `v` as being iterated over: mutating it meanwhile is an error, as in Starlark. */
export function beginIteration(v: Value): void {
  if (v !== null && typeof v === 'object' && (v.kind === 'list' || v.kind === 'dict')) {
    activeIterations.set(v, (activeIterations.get(v) ?? 0) + 1);
  }
}

/** Ends a {@link beginIteration}. */
export function endIteration(v: Value): void {
  if (v !== null && typeof v === 'object' && (v.kind === 'list' || v.kind === 'dict')) {
    activeIterations.set(v, (activeIterations.get(v) ?? 1) - 1);
  }
}

/** Fails when a list or dict may not be mutated: frozen, or iterated over right now. */
export function checkMutable(v: StarlarkList | StarlarkDict): Result<void, string> {
  if (v.frozen) return err(`trying to mutate a frozen ${v.kind} value`);
  if ((activeIterations.get(v) ?? 0) > 0) {
    return err(`${v.kind} value is temporarily immutable due to active for-loop iteration`);
  }
  return ok(undefined);
}

/** Sets `d[key] = value`, failing on immutable dicts and unhashable keys. */
export function dictSet(d: StarlarkDict, key: Value, value: Value): Result<void, string> {
  const mutable = checkMutable(d);
  if (!mutable.ok) return mutable;
  const k = hashKey(key);
  if (!k.ok) return k;
  const existing = d.entries.get(k.value);
  if (existing !== undefined) existing.value = value;
  else d.entries.set(k.value, { key, value });
  return ok(undefined);
}

/** Looks up `d[key]`; `undefined` when absent. Fails only for unhashable keys. */
export function dictGet(d: StarlarkDict, key: Value): Result<Value | undefined, string> {
  const k = hashKey(key);
  if (!k.ok) return k;
  return ok(d.entries.get(k.value)?.value);
}

/**
 * Freezes a value and everything reachable from it, so that later mutation is an error. Called
 * on a module's globals once the module has been evaluated.
 */
export function freeze(v: Value): void {
  if (v === null || typeof v !== 'object') return;
  switch (v.kind) {
    case 'list':
      if (v.frozen) return;
      v.frozen = true;
      v.items.forEach(freeze);
      return;
    case 'tuple':
      v.items.forEach(freeze);
      return;
    case 'dict':
      if (v.frozen) return;
      v.frozen = true;
      for (const e of v.entries.values()) {
        freeze(e.key);
        freeze(e.value);
      }
      return;
    case 'function':
      v.internals.defaults.forEach((d) => {
        if (d !== undefined) freeze(d);
      });
      return;
    case 'builtin':
      return;
    default:
      unreachable(v);
  }
}

/** Fails when an int result is outside JS's safe-integer range (Starlark ints are unbounded). */
export function checkInt(n: number): Result<number, string> {
  return Number.isSafeInteger(n) ? ok(n) : err('integer overflow');
}
