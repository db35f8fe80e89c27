import { err, ok, type Result } from '../util/result';
import { STARLARK_LIMITS } from './limits';
import { unreachable } from '../util/unreachable';
import type { BinaryOperator } from './ast';
import { percentFormat } from './string-format';
import {
  checkInt,
  checkMutable,
  compare,
  dictGet,
  dictSet,
  equals,
  hashKey,
  makeDict,
  makeList,
  makeTuple,
  repr,
  typeName,
  type StarlarkDict,
  type Value,
} from './values';

/** Why an operator failed, and which operand the diagnostic should point at. */
export interface OperatorFailure {
  readonly message: string;
  readonly at: 'left' | 'right' | 'whole';
}

/** Binary operators evaluated on two values (`and`/`or` short-circuit in the evaluator). */
export type StrictBinaryOperator = Exclude<BinaryOperator, 'and' | 'or'>;

/** Repetition (`"ab" * n`) may not build more elements (or characters) than this. */
const MAX_REPEAT_ELEMENTS = STARLARK_LIMITS.maxElements;

/**
 * The left operand types each operator accepts with some right operand. When the left type is
 * acceptable, a type error blames the right operand; otherwise the left one.
 */
const LEFT_TYPES: Readonly<Record<StrictBinaryOperator, readonly string[]>> = {
  '+': ['int', 'string', 'list', 'tuple'],
  '-': ['int'],
  '*': ['int', 'string', 'list', 'tuple'],
  '/': [],
  '//': ['int'],
  '%': ['int', 'string'],
  '|': ['int', 'dict'],
  '&': ['int'],
  '^': ['int'],
  '<<': ['int'],
  '>>': ['int'],
  '==': [],
  '!=': [],
  '<': [],
  '<=': [],
  '>': [],
  '>=': [],
  in: [],
  'not in': [],
};

function unsupported(op: string, l: Value, r: Value): Result<never, OperatorFailure> {
  const left = typeName(l);
  return err({
    message: `unsupported operand type(s) for ${op}: '${left}' and '${typeName(r)}'`,
    at: (LEFT_TYPES[op as StrictBinaryOperator] ?? []).includes(left) ? 'right' : 'left',
  });
}

function intResult(n: number): Result<Value, OperatorFailure> {
  const r = checkInt(n);
  return r.ok ? r : err({ message: r.failure, at: 'whole' });
}

function bigResult(n: bigint): Result<Value, OperatorFailure> {
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < -BigInt(Number.MAX_SAFE_INTEGER)) {
    return err({ message: 'integer overflow', at: 'whole' });
  }
  return ok(Number(n));
}

/** `seq * n` for strings, lists and tuples (n <= 0 gives an empty sequence). */
function repeat(seq: Value, n: number): Result<Value, OperatorFailure> {
  const len =
    typeof seq === 'string'
      ? seq.length
      : seq !== null && typeof seq === 'object' && (seq.kind === 'list' || seq.kind === 'tuple')
        ? seq.items.length
        : 0;
  const times = Math.max(0, n);
  const limit = typeof seq === 'string' ? STARLARK_LIMITS.maxStringLength : MAX_REPEAT_ELEMENTS;
  if (len * times > limit) {
    return err({
      message: `repetition result is too large (${len} * ${times} ${typeof seq === 'string' ? 'characters' : 'elements'}, limit ${limit})`,
      at: 'whole',
    });
  }
  if (typeof seq === 'string') return ok(seq.repeat(times));
  if (seq !== null && typeof seq === 'object' && (seq.kind === 'list' || seq.kind === 'tuple')) {
    const out: Value[] = [];
    for (let i = 0; i < times; i++) out.push(...seq.items);
    return ok(seq.kind === 'list' ? makeList(out) : makeTuple(out));
  }
  throw new Error('bug: repeat of a non-sequence');
}

function isSequence(v: Value): boolean {
  return (
    typeof v === 'string' ||
    (v !== null && typeof v === 'object' && (v.kind === 'list' || v.kind === 'tuple'))
  );
}

/** Python's modulo: the result has the sign of the divisor. */
function floorMod(a: number, b: number): number {
  const m = a % b;
  return m !== 0 && m < 0 !== b < 0 ? m + b : m;
}

function membership(l: Value, r: Value): Result<boolean, OperatorFailure> {
  if (typeof r === 'string') {
    if (typeof l !== 'string') {
      return err({
        message: `'in <string>' requires string as left operand, not '${typeName(l)}'`,
        at: 'left',
      });
    }
    return ok(r.includes(l));
  }
  if (r !== null && typeof r === 'object') {
    switch (r.kind) {
      case 'list':
      case 'tuple':
        return ok(r.items.some((item) => equals(item, l)));
      case 'dict': {
        const found = dictGet(r, l);
        return found.ok
          ? ok(found.value !== undefined)
          : err({ message: found.failure, at: 'left' });
      }
      case 'function':
      case 'builtin':
        break;
      default:
        return unreachable(r);
    }
  }
  return err({
    message: `unsupported operand type(s) for in: '${typeName(l)}' and '${typeName(r)}'`,
    at: 'right',
  });
}

/** Evaluates `l op r` for every binary operator except the short-circuiting `and`/`or`. */
export function binaryOp(
  op: StrictBinaryOperator,
  l: Value,
  r: Value,
): Result<Value, OperatorFailure> {
  switch (op) {
    case '==':
      return ok(equals(l, r));
    case '!=':
      return ok(!equals(l, r));
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (typeName(l) !== typeName(r)) return unsupported(op, l, r);
      const c = compare(l, r);
      if (!c.ok) return err({ message: c.failure, at: 'whole' });
      return ok(
        op === '<'
          ? c.value < 0
          : op === '<='
            ? c.value <= 0
            : op === '>'
              ? c.value > 0
              : c.value >= 0,
      );
    }
    case 'in':
    case 'not in': {
      const m = membership(l, r);
      if (!m.ok) return m;
      return ok(op === 'in' ? m.value : !m.value);
    }
    case '+':
      if (typeof l === 'number' && typeof r === 'number') return intResult(l + r);
      if (typeof l === 'string' && typeof r === 'string') {
        if (l.length + r.length > STARLARK_LIMITS.maxStringLength)
          return err({
            message: `string concatenation is too large (${l.length} + ${r.length} characters, limit ${STARLARK_LIMITS.maxStringLength})`,
            at: 'whole',
          });
        return ok(l + r);
      }
      if (l !== null && r !== null && typeof l === 'object' && typeof r === 'object') {
        if (
          (l.kind === 'list' || l.kind === 'tuple') &&
          (r.kind === 'list' || r.kind === 'tuple') &&
          l.items.length + r.items.length > STARLARK_LIMITS.maxElements
        )
          return err({
            message: `concatenation is too large (${l.items.length} + ${r.items.length} elements, limit ${STARLARK_LIMITS.maxElements})`,
            at: 'whole',
          });
        if (l.kind === 'list' && r.kind === 'list') return ok(makeList([...l.items, ...r.items]));
        if (l.kind === 'tuple' && r.kind === 'tuple')
          return ok(makeTuple([...l.items, ...r.items]));
      }
      return unsupported(op, l, r);
    case '-':
      if (typeof l === 'number' && typeof r === 'number') return intResult(l - r);
      return unsupported(op, l, r);
    case '*':
      if (typeof l === 'number' && typeof r === 'number') return intResult(l * r);
      if (typeof r === 'number' && isSequence(l)) return repeat(l, r);
      if (typeof l === 'number' && isSequence(r)) return repeat(r, l);
      return unsupported(op, l, r);
    case '/':
      if (typeof l === 'number' && typeof r === 'number') {
        return err({
          message: 'floating-point division is not supported; use // for integer division',
          at: 'whole',
        });
      }
      return unsupported(op, l, r);
    case '//':
    case '%':
      if (typeof l === 'string' && op === '%') {
        const s = percentFormat(l, r);
        return s.ok ? s : err({ message: s.failure, at: 'right' });
      }
      if (typeof l === 'number' && typeof r === 'number') {
        if (r === 0) {
          return err({
            message: op === '//' ? 'integer division by zero' : 'integer modulo by zero',
            at: 'right',
          });
        }
        const m = floorMod(l, r);
        return intResult(op === '%' ? m : (l - m) / r);
      }
      return unsupported(op, l, r);
    case '|':
      if (
        l !== null &&
        r !== null &&
        typeof l === 'object' &&
        typeof r === 'object' &&
        l.kind === 'dict' &&
        r.kind === 'dict'
      ) {
        const d: StarlarkDict = makeDict();
        for (const e of [...l.entries.values(), ...r.entries.values()]) dictSet(d, e.key, e.value);
        return ok(d);
      }
      if (typeof l === 'number' && typeof r === 'number') return bigResult(BigInt(l) | BigInt(r));
      return unsupported(op, l, r);
    case '&':
    case '^':
    case '<<':
    case '>>': {
      if (typeof l !== 'number' || typeof r !== 'number') return unsupported(op, l, r);
      const a = BigInt(l);
      const b = BigInt(r);
      if (op === '&') return bigResult(a & b);
      if (op === '^') return bigResult(a ^ b);
      if (r < 0) return err({ message: `negative shift count: ${r}`, at: 'right' });
      if (op === '>>') return bigResult(a >> b);
      if (r >= 64 && l !== 0) return err({ message: 'integer overflow', at: 'whole' });
      return bigResult(a << b);
    }
    default:
      return unreachable(op);
  }
}

/** Evaluates `-x`, `+x` and `~x` (`not` is handled by the evaluator). */
export function unaryOp(op: '-' | '+' | '~', v: Value): Result<Value, string> {
  if (typeof v !== 'number')
    return err(`unsupported operand type for unary ${op}: '${typeName(v)}'`);
  switch (op) {
    case '-':
      return ok(0 - v);
    case '+':
      return ok(v);
    case '~':
      return ok(-v - 1);
    default:
      return unreachable(op);
  }
}

function sequenceIndex(i: Value, len: number): Result<number, OperatorFailure> {
  if (typeof i !== 'number') {
    return err({ message: `indices must be integers, not '${typeName(i)}'`, at: 'right' });
  }
  const at = i < 0 ? i + len : i;
  if (at < 0 || at >= len) {
    return err({
      message: `index out of range (index is ${i}, but sequence has ${len} elements)`,
      at: 'right',
    });
  }
  return ok(at);
}

/** `obj[index]` for lists, tuples, strings and dicts. */
export function indexValue(obj: Value, index: Value): Result<Value, OperatorFailure> {
  if (typeof obj === 'string') {
    const at = sequenceIndex(index, obj.length);
    return at.ok ? ok(obj[at.value] as string) : at;
  }
  if (obj !== null && typeof obj === 'object') {
    switch (obj.kind) {
      case 'list':
      case 'tuple': {
        const at = sequenceIndex(index, obj.items.length);
        return at.ok ? ok(obj.items[at.value] as Value) : at;
      }
      case 'dict': {
        const v = dictGet(obj, index);
        if (!v.ok) return err({ message: v.failure, at: 'right' });
        if (v.value === undefined)
          return err({ message: `key ${repr(index)} not found in dictionary`, at: 'right' });
        return ok(v.value);
      }
      case 'function':
      case 'builtin':
        break;
      default:
        return unreachable(obj);
    }
  }
  return err({ message: `'${typeName(obj)}' value is not subscriptable`, at: 'left' });
}

/** `obj[index] = value` for (unfrozen) lists and dicts. */
export function setIndex(obj: Value, index: Value, value: Value): Result<void, OperatorFailure> {
  if (obj !== null && typeof obj === 'object' && (obj.kind === 'list' || obj.kind === 'dict')) {
    if (obj.kind === 'dict') {
      const r = dictSet(obj, index, value);
      return r.ok ? r : err({ message: r.failure, at: hashKey(index).ok ? 'left' : 'right' });
    }
    const mutable = checkMutable(obj);
    if (!mutable.ok) return err({ message: mutable.failure, at: 'left' });
    const at = sequenceIndex(index, obj.items.length);
    if (!at.ok) return at;
    obj.items[at.value] = value;
    return ok(undefined);
  }
  return err({ message: `'${typeName(obj)}' value does not support item assignment`, at: 'left' });
}

/** `obj[start:stop:step]` with Python semantics, for lists, tuples and strings. */
export function sliceValue(
  obj: Value,
  start: Value,
  stop: Value,
  step: Value,
): Result<Value, string> {
  for (const part of [start, stop, step]) {
    if (part !== null && typeof part !== 'number') {
      return err(`slice indices must be integers or None, not '${typeName(part)}'`);
    }
  }
  let len: number;
  if (typeof obj === 'string') len = obj.length;
  else if (obj !== null && typeof obj === 'object' && (obj.kind === 'list' || obj.kind === 'tuple'))
    len = obj.items.length;
  else return err(`'${typeName(obj)}' value cannot be sliced`);
  const s = (step as number | null) ?? 1;
  if (s === 0) return err('slice step cannot be zero');
  const lower = s > 0 ? 0 : -1;
  const upper = s > 0 ? len : len - 1;
  const clamp = (v: number | null, fallback: number): number =>
    v === null ? fallback : v < 0 ? Math.max(v + len, lower) : Math.min(v, upper);
  const from = clamp(start as number | null, s > 0 ? lower : upper);
  const to = clamp(stop as number | null, s > 0 ? upper : lower);
  const indices: number[] = [];
  for (let i = from; s > 0 ? i < to : i > to; i += s) indices.push(i);
  if (typeof obj === 'string') return ok(indices.map((i) => obj[i]).join(''));
  const items = indices.map((i) => (obj as { items: readonly Value[] }).items[i] as Value);
  return ok((obj as { kind: string }).kind === 'list' ? makeList(items) : makeTuple(items));
}
