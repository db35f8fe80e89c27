import type { SourceSpan } from '../util/diagnostic';
import { err, ok, type Err, type Result } from '../util/result';
import { unreachable } from '../util/unreachable';
import type {
  AssignStmt,
  BinaryExpr,
  CallExpr,
  ComprehensionExpr,
  DefStmt,
  Expr,
  Identifier,
  LoadStmt,
  Stmt,
} from './ast';
import { UNIVERSE } from './builtins';
import type { EvalEnv } from './eval-env';
import type { StarlarkFailure } from './failure';
import { STARLARK_LIMITS, oversized } from './limits';
import { getMethod, methodNames } from './methods';
import type { Module } from './module';
import {
  binaryOp,
  indexValue,
  setIndex,
  sliceValue,
  unaryOp,
  type OperatorFailure,
  type StrictBinaryOperator,
} from './operators';
import { forEachBoundName } from './resolver';
import { didYouMean } from './suggest';
import type { ModuleRuntime } from './user-function';
import {
  beginIteration,
  checkMutable,
  dictSet,
  endIteration,
  freeze,
  hashKey,
  iterate,
  makeDict,
  makeList,
  makeTuple,
  repr,
  truthy,
  typeName,
  type CallArgs,
  type CallContext,
  type StarlarkDict,
  type UserFunction,
  type Value,
} from './values';

type Eval<T> = Result<T, StarlarkFailure>;

/** How a statement finished: normally, or by `break`, `continue` or `return`. */
type Flow = 'next' | 'break' | 'continue' | 'return';

/** One activation: the module-level code of a file, or a call of a `def`. */
interface Frame {
  readonly module: ModuleRuntime;
  /** Function locals; at top level, only comprehension variables live here. */
  readonly locals: Map<string, Value>;
  returnValue: Value;
}

/**
 * Evaluates a parsed module and returns its global bindings, frozen. Names bound by `load` are
 * file-local and not included. Free names are checked against the predeclared and universal
 * names before anything runs, as Bazel's resolver does.
 */
export function evaluateModule(
  module: Module,
  env: EvalEnv,
): Result<ReadonlyMap<string, Value>, StarlarkFailure> {
  const runtime: ModuleRuntime = { source: module.source, globals: new Map(), env };
  const { resolution } = module;
  for (const free of resolution.freeNames) {
    if (env.predeclared.has(free.name) || UNIVERSE.has(free.name)) continue;
    const candidates = [
      ...free.visibleLocals,
      ...resolution.globals,
      ...env.predeclared.keys(),
      ...UNIVERSE.keys(),
    ];
    return err({
      reason: 'build-file-eval',
      diagnostic: module.source.diagnostic(
        free.span,
        `name '${free.name}' is not defined${didYouMean(free.name, candidates)}`,
      ),
      stack: [],
    });
  }
  const thread = new Thread();
  const frame: Frame = { module: runtime, locals: new Map(), returnValue: null };
  const r = thread.block(module.statements, frame);
  if (!r.ok) return r;
  const globals = new Map<string, Value>();
  for (const [name, value] of runtime.globals) {
    freeze(value);
    if (!resolution.loaded.has(name)) globals.set(name, value);
  }
  return ok(globals);
}

/**
 * A tree-walking interpreter for one evaluation (a Starlark "thread"): it tracks the active
 * `def` calls, to reject recursion as Starlark does and to build the call stack of errors.
 */
class Thread {
  private readonly active = new Set<UserFunction>();
  /** Expressions evaluated so far (see STARLARK_LIMITS.maxSteps). */
  private steps = 0;
  /**
   * The full failure of the last call a builtin made through `CallContext.call`, so that a
   * builtin that passes the diagnostic on does not lose the call stack.
   */
  private nestedFailure: StarlarkFailure | undefined;

  // ---- failures ----

  private fail(frame: Frame, span: SourceSpan, message: string): Err<StarlarkFailure> {
    return err({
      reason: 'build-file-eval',
      diagnostic: frame.module.source.diagnostic(span, message),
      stack: [],
    });
  }

  private operatorFail(
    frame: Frame,
    f: OperatorFailure,
    left: SourceSpan,
    right: SourceSpan,
    whole: SourceSpan,
  ): Err<StarlarkFailure> {
    const span = f.at === 'left' ? left : f.at === 'right' ? right : whole;
    return this.fail(frame, span, f.message);
  }

  // ---- statements ----

  block(stmts: readonly Stmt[], frame: Frame): Eval<Flow> {
    for (const stmt of stmts) {
      const r = this.statement(stmt, frame);
      if (!r.ok || r.value !== 'next') return r;
    }
    return ok('next');
  }

  private statement(stmt: Stmt, frame: Frame): Eval<Flow> {
    switch (stmt.kind) {
      case 'assign': {
        const r =
          stmt.op === '=' ? this.plainAssign(stmt, frame) : this.augmentedAssign(stmt, frame);
        return r.ok ? ok('next') : r;
      }
      case 'expr': {
        const r = this.expr(stmt.expr, frame);
        return r.ok ? ok('next') : r;
      }
      case 'load': {
        const r = this.load(stmt, frame);
        return r.ok ? ok('next') : r;
      }
      case 'def': {
        const r = this.def(stmt, frame);
        return r.ok ? ok('next') : r;
      }
      case 'if': {
        const c = this.expr(stmt.condition, frame);
        if (!c.ok) return c;
        return this.block(truthy(c.value) ? stmt.then : stmt.otherwise, frame);
      }
      case 'for': {
        const iterable = this.expr(stmt.iterable, frame);
        if (!iterable.ok) return iterable;
        const items = iterate(iterable.value);
        if (!items.ok) return this.fail(frame, stmt.iterable.span, items.failure);
        beginIteration(iterable.value);
        let result: Eval<Flow> = ok('next');
        for (const item of items.value) {
          const a = this.assign(stmt.target, item, frame);
          if (!a.ok) {
            result = a;
            break;
          }
          const r = this.block(stmt.body, frame);
          if (!r.ok || r.value === 'return') {
            result = r;
            break;
          }
          if (r.value === 'break') break;
        }
        endIteration(iterable.value);
        return result;
      }
      case 'return': {
        if (stmt.value === undefined) {
          frame.returnValue = null;
        } else {
          const v = this.expr(stmt.value, frame);
          if (!v.ok) return v;
          frame.returnValue = v.value;
        }
        return ok('return');
      }
      case 'pass':
        return ok('next');
      case 'break':
        return ok('break');
      case 'continue':
        return ok('continue');
      default:
        return unreachable(stmt);
    }
  }

  private plainAssign(stmt: AssignStmt, frame: Frame): Eval<void> {
    const v = this.expr(stmt.value, frame);
    if (!v.ok) return v;
    return this.assign(stmt.target, v.value, frame);
  }

  private augmentedAssign(stmt: AssignStmt, frame: Frame): Eval<void> {
    const op = stmt.op as StrictBinaryOperator;
    const target = stmt.target;
    if (target.kind === 'index') {
      // The container and index are evaluated once: `d[f()] += 1` calls f once.
      const obj = this.expr(target.object, frame);
      if (!obj.ok) return obj;
      const index = this.expr(target.index, frame);
      if (!index.ok) return index;
      const current = indexValue(obj.value, index.value);
      if (!current.ok) {
        return this.operatorFail(
          frame,
          current.failure,
          target.object.span,
          target.index.span,
          target.span,
        );
      }
      const rhs = this.expr(stmt.value, frame);
      if (!rhs.ok) return rhs;
      const updated = this.augment(op, current.value, rhs.value, stmt, frame);
      if (!updated.ok) return updated;
      const set = setIndex(obj.value, index.value, updated.value);
      if (!set.ok)
        return this.operatorFail(
          frame,
          set.failure,
          target.object.span,
          target.index.span,
          target.span,
        );
      return ok(undefined);
    }
    if (target.kind !== 'identifier')
      throw new Error('bug: parser accepted a bad augmented target');
    const current = this.identifier(target, frame);
    if (!current.ok) return current;
    const rhs = this.expr(stmt.value, frame);
    if (!rhs.ok) return rhs;
    const updated = this.augment(op, current.value, rhs.value, stmt, frame);
    if (!updated.ok) return updated;
    return this.assign(target, updated.value, frame);
  }

  /** `x op= y`: like `x op y`, except that `list += iterable` extends the list in place. */
  private augment(
    op: StrictBinaryOperator,
    current: Value,
    rhs: Value,
    stmt: AssignStmt,
    frame: Frame,
  ): Eval<Value> {
    if (op === '+' && current !== null && typeof current === 'object' && current.kind === 'list') {
      const items = iterate(rhs);
      if (items.ok && rhs !== null && typeof rhs === 'object' && rhs.kind !== 'dict') {
        const mutable = checkMutable(current);
        if (!mutable.ok) return this.fail(frame, stmt.target.span, mutable.failure);
        if (current.items.length + items.value.length > STARLARK_LIMITS.maxElements) {
          return this.fail(
            frame,
            stmt.opSpan,
            `list of ${current.items.length + items.value.length} elements is too large (limit ${STARLARK_LIMITS.maxElements})`,
          );
        }
        for (const item of items.value) current.items.push(item);
        return ok(current);
      }
    }
    const r = binaryOp(op, current, rhs);
    if (!r.ok)
      return this.operatorFail(frame, r.failure, stmt.target.span, stmt.value.span, stmt.opSpan);
    return r;
  }

  /** Binds `value` to an assignment or loop target. */
  private assign(target: Expr, value: Value, frame: Frame): Eval<void> {
    switch (target.kind) {
      case 'identifier':
        switch (target.scope) {
          case 'local':
            frame.locals.set(target.name, value);
            return ok(undefined);
          case 'global':
            frame.module.globals.set(target.name, value);
            return ok(undefined);
          case 'free':
            throw new Error(`bug: assignment to unresolved name ${target.name}`);
          default:
            return unreachable(target.scope);
        }
      case 'index': {
        const obj = this.expr(target.object, frame);
        if (!obj.ok) return obj;
        const index = this.expr(target.index, frame);
        if (!index.ok) return index;
        const r = setIndex(obj.value, index.value, value);
        if (!r.ok)
          return this.operatorFail(
            frame,
            r.failure,
            target.object.span,
            target.index.span,
            target.span,
          );
        return ok(undefined);
      }
      case 'list':
      case 'tuple': {
        const items = iterate(value);
        if (!items.ok || typeof value === 'string') {
          return this.fail(
            frame,
            target.span,
            `cannot unpack non-iterable ${typeName(value)} value`,
          );
        }
        const want = target.items.length;
        const got = items.value.length;
        if (got !== want) {
          return this.fail(
            frame,
            target.span,
            `${got > want ? 'too many' : 'not enough'} values to unpack (got ${got}, want ${want})`,
          );
        }
        for (const [i, t] of target.items.entries()) {
          const r = this.assign(t, items.value[i] as Value, frame);
          if (!r.ok) return r;
        }
        return ok(undefined);
      }
      case 'literal':
      case 'dict':
      case 'list-comprehension':
      case 'dict-comprehension':
      case 'binary':
      case 'unary':
      case 'conditional':
      case 'slice':
      case 'dot':
      case 'call':
        throw new Error(`bug: parser accepted assignment to ${target.kind}`);
      default:
        return unreachable(target);
    }
  }

  private load(stmt: LoadStmt, frame: Frame): Eval<void> {
    const source = frame.module.source;
    const loaded = frame.module.env.load(stmt.label, stmt.labelSpan);
    if (!loaded.ok) {
      const f = loaded.failure;
      if (f.reason === 'load-failed' && sameSpan(f.diagnostic.span, stmt.labelSpan)) {
        // The loader already described the failure at this load; it cannot know our source
        // text, so rebuild the diagnostic to quote the line.
        return err({
          reason: 'load-failed',
          diagnostic: source.diagnostic(
            stmt.labelSpan,
            f.diagnostic.message,
            f.diagnostic.severity,
          ),
          cause: f.cause,
        });
      }
      const where = f.diagnostic.span;
      return err({
        reason: 'load-failed',
        diagnostic: source.diagnostic(
          stmt.labelSpan,
          `cannot load '${stmt.label}': ${where.file}:${where.line}:${where.col}: ${f.diagnostic.message}`,
        ),
        cause: f,
      });
    }
    for (const b of stmt.bindings) {
      if (b.exported.startsWith('_')) {
        return this.fail(
          frame,
          b.exportedSpan,
          `symbol '${b.exported}' is private and cannot be loaded`,
        );
      }
      const v = loaded.value.get(b.exported);
      if (v === undefined) {
        return this.fail(
          frame,
          b.exportedSpan,
          `file '${stmt.label}' does not contain symbol '${b.exported}'` +
            didYouMean(
              b.exported,
              [...loaded.value.keys()].filter((k) => !k.startsWith('_')),
            ),
        );
      }
      frame.module.globals.set(b.local.name, v);
    }
    return ok(undefined);
  }

  private def(stmt: DefStmt, frame: Frame): Eval<void> {
    const defaults: (Value | undefined)[] = [];
    for (const p of stmt.params) {
      if (p.defaultValue === undefined) {
        defaults.push(undefined);
        continue;
      }
      const v = this.expr(p.defaultValue, frame);
      if (!v.ok) return v;
      defaults.push(v.value);
    }
    const fn: UserFunction = {
      kind: 'function',
      name: stmt.name.name,
      span: stmt.name.span,
      internals: { def: stmt, defaults, module: frame.module },
    };
    return this.assign(stmt.name, fn, frame);
  }

  // ---- expressions ----

  private expr(e: Expr, frame: Frame): Eval<Value> {
    // A bound on work, as starlark-go's max execution steps: loops and comprehensions count too.
    if (++this.steps > STARLARK_LIMITS.maxSteps) {
      return this.fail(
        frame,
        e.span,
        `evaluation stopped after ${STARLARK_LIMITS.maxSteps} steps: the file does too much work (a very large loop or comprehension?)`,
      );
    }
    switch (e.kind) {
      case 'identifier':
        return this.identifier(e, frame);
      case 'literal':
        return ok(e.value);
      case 'list':
      case 'tuple': {
        const items: Value[] = [];
        for (const item of e.items) {
          const v = this.expr(item, frame);
          if (!v.ok) return v;
          items.push(v.value);
        }
        return ok(e.kind === 'list' ? makeList(items) : makeTuple(items));
      }
      case 'dict': {
        const d = makeDict();
        for (const entry of e.entries) {
          const k = this.expr(entry.key, frame);
          if (!k.ok) return k;
          const v = this.expr(entry.value, frame);
          if (!v.ok) return v;
          const key = hashKey(k.value);
          if (!key.ok) return this.fail(frame, entry.key.span, key.failure);
          if (d.entries.has(key.value)) {
            return this.fail(
              frame,
              entry.key.span,
              `dictionary expression has duplicate key: ${repr(k.value)}`,
            );
          }
          d.entries.set(key.value, { key: k.value, value: v.value });
        }
        return ok(d);
      }
      case 'list-comprehension':
      case 'dict-comprehension':
        return this.comprehension(e, frame);
      case 'binary':
        return this.binary(e, frame);
      case 'unary': {
        const v = this.expr(e.operand, frame);
        if (!v.ok) return v;
        if (e.op === 'not') return ok(!truthy(v.value));
        const r = unaryOp(e.op, v.value);
        return r.ok ? r : this.fail(frame, e.operand.span, r.failure);
      }
      case 'conditional': {
        const c = this.expr(e.condition, frame);
        if (!c.ok) return c;
        return this.expr(truthy(c.value) ? e.then : e.otherwise, frame);
      }
      case 'index': {
        const obj = this.expr(e.object, frame);
        if (!obj.ok) return obj;
        const index = this.expr(e.index, frame);
        if (!index.ok) return index;
        const r = indexValue(obj.value, index.value);
        return r.ok ? r : this.operatorFail(frame, r.failure, e.object.span, e.index.span, e.span);
      }
      case 'slice': {
        const obj = this.expr(e.object, frame);
        if (!obj.ok) return obj;
        const parts: Value[] = [];
        for (const part of [e.start, e.stop, e.step]) {
          if (part === undefined) {
            parts.push(null);
            continue;
          }
          const v = this.expr(part, frame);
          if (!v.ok) return v;
          parts.push(v.value);
        }
        const [start, stop, step] = parts as [Value, Value, Value];
        const r = sliceValue(obj.value, start, stop, step);
        return r.ok ? r : this.fail(frame, e.span, r.failure);
      }
      case 'dot': {
        const obj = this.expr(e.object, frame);
        if (!obj.ok) return obj;
        return this.attribute(obj.value, e.name, e.nameSpan, frame);
      }
      case 'call':
        return this.call(e, frame);
      default:
        return unreachable(e);
    }
  }

  private identifier(id: Identifier, frame: Frame): Eval<Value> {
    let v: Value | undefined;
    switch (id.scope) {
      case 'local':
        v = frame.locals.get(id.name);
        if (v === undefined) {
          return this.fail(
            frame,
            id.span,
            `local variable '${id.name}' is referenced before assignment`,
          );
        }
        return ok(v);
      case 'global':
        v = frame.module.globals.get(id.name);
        if (v === undefined) {
          return this.fail(
            frame,
            id.span,
            `global variable '${id.name}' is referenced before assignment`,
          );
        }
        return ok(v);
      case 'free':
        v = frame.module.env.predeclared.get(id.name) ?? UNIVERSE.get(id.name);
        // evaluateModule checked every free name before running, so this is defensive only.
        if (v === undefined) return this.fail(frame, id.span, `name '${id.name}' is not defined`);
        return ok(v);
      default:
        return unreachable(id.scope);
    }
  }

  private attribute(obj: Value, name: string, span: SourceSpan, frame: Frame): Eval<Value> {
    const m = getMethod(obj, name);
    if (m !== undefined) return ok(m);
    return this.fail(
      frame,
      span,
      `'${typeName(obj)}' value has no field or method '${name}'${didYouMean(name, methodNames(obj))}`,
    );
  }

  private binary(e: BinaryExpr, frame: Frame): Eval<Value> {
    const left = this.expr(e.left, frame);
    if (!left.ok) return left;
    if (e.op === 'and' || e.op === 'or') {
      // Short-circuit, returning the deciding operand itself (Python semantics).
      if (truthy(left.value) === (e.op === 'or')) return left;
      return this.expr(e.right, frame);
    }
    const right = this.expr(e.right, frame);
    if (!right.ok) return right;
    const r = binaryOp(e.op, left.value, right.value);
    return r.ok ? r : this.operatorFail(frame, r.failure, e.left.span, e.right.span, e.opSpan);
  }

  private comprehension(e: ComprehensionExpr, frame: Frame): Eval<Value> {
    // Comprehension variables shadow same-named locals only for the comprehension's duration.
    const names: string[] = [];
    for (const c of e.clauses) {
      if (c.kind === 'for') forEachBoundName(c.target, (id) => names.push(id.name));
    }
    const saved = names.map((n) => frame.locals.get(n));
    const list: Value[] = [];
    const dict = makeDict();
    const r = this.clause(e, 0, frame, list, dict);
    names.forEach((n, i) => {
      const old = saved[i];
      if (old === undefined) frame.locals.delete(n);
      else frame.locals.set(n, old);
    });
    if (!r.ok) return r;
    return ok(e.kind === 'list-comprehension' ? makeList(list) : dict);
  }

  private clause(
    e: ComprehensionExpr,
    i: number,
    frame: Frame,
    list: Value[],
    dict: StarlarkDict,
  ): Eval<void> {
    const c = e.clauses[i];
    if (c === undefined) {
      const body = this.expr(e.body, frame);
      if (!body.ok) return body;
      if (e.value === undefined) {
        list.push(body.value);
        return ok(undefined);
      }
      const value = this.expr(e.value, frame);
      if (!value.ok) return value;
      const set = dictSet(dict, body.value, value.value);
      return set.ok ? set : this.fail(frame, e.body.span, set.failure);
    }
    if (c.kind === 'if') {
      const cond = this.expr(c.condition, frame);
      if (!cond.ok) return cond;
      return truthy(cond.value) ? this.clause(e, i + 1, frame, list, dict) : ok(undefined);
    }
    const iterable = this.expr(c.iterable, frame);
    if (!iterable.ok) return iterable;
    const items = iterate(iterable.value);
    if (!items.ok) return this.fail(frame, c.iterable.span, items.failure);
    beginIteration(iterable.value);
    let result: Eval<void> = ok(undefined);
    for (const item of items.value) {
      const a = this.assign(c.target, item, frame);
      result = a.ok ? this.clause(e, i + 1, frame, list, dict) : a;
      if (!result.ok) break;
    }
    endIteration(iterable.value);
    return result;
  }

  // ---- calls ----

  private call(e: CallExpr, frame: Frame): Eval<Value> {
    let fn: Eval<Value>;
    if (e.callee.kind === 'dot') {
      const obj = this.expr(e.callee.object, frame);
      if (!obj.ok) return obj;
      fn = this.attribute(obj.value, e.callee.name, e.callee.nameSpan, frame);
    } else {
      fn = this.expr(e.callee, frame);
    }
    if (!fn.ok) return fn;
    const positional: CallArgs['positional'][number][] = [];
    const named: CallArgs['named'][number][] = [];
    const seen = new Set<string>();
    const addNamed = (n: CallArgs['named'][number]): Eval<void> => {
      if (seen.has(n.name))
        return this.fail(frame, n.nameSpan, `got multiple values for keyword argument '${n.name}'`);
      seen.add(n.name);
      named.push(n);
      return ok(undefined);
    };
    for (const arg of e.args) {
      const v = this.expr(arg.value, frame);
      if (!v.ok) return v;
      const span = arg.value.span;
      switch (arg.kind) {
        case 'positional':
          positional.push({ value: v.value, span });
          break;
        case 'named': {
          const r = addNamed({ name: arg.name, value: v.value, span, nameSpan: arg.nameSpan });
          if (!r.ok) return r;
          break;
        }
        case 'star': {
          const items = iterate(v.value);
          if (!items.ok) {
            return this.fail(
              frame,
              span,
              `argument after * must be an iterable, not ${typeName(v.value)}`,
            );
          }
          for (const item of items.value) positional.push({ value: item, span });
          break;
        }
        case 'star-star': {
          const d = v.value;
          if (d === null || typeof d !== 'object' || d.kind !== 'dict') {
            return this.fail(frame, span, `argument after ** must be a dict, not ${typeName(d)}`);
          }
          for (const entry of d.entries.values()) {
            if (typeof entry.key !== 'string') {
              return this.fail(frame, span, `keywords must be strings, not ${typeName(entry.key)}`);
            }
            const r = addNamed({ name: entry.key, value: entry.value, span, nameSpan: span });
            if (!r.ok) return r;
          }
          break;
        }
        default:
          return unreachable(arg);
      }
    }
    return this.callValue(fn.value, { positional, named }, e.calleeSpan, frame);
  }

  private callValue(fn: Value, args: CallArgs, callSpan: SourceSpan, frame: Frame): Eval<Value> {
    if (
      fn === null ||
      typeof fn !== 'object' ||
      (fn.kind !== 'builtin' && fn.kind !== 'function')
    ) {
      return this.fail(frame, callSpan, `'${typeName(fn)}' value is not callable`);
    }
    if (fn.kind === 'function') return this.callUser(fn, args, callSpan, frame);
    this.nestedFailure = undefined;
    const r = fn.call(args, this.context(frame, callSpan));
    if (r.ok) {
      const tooLarge = oversized(r.value);
      return tooLarge === undefined
        ? r
        : this.fail(frame, callSpan, `${fn.name}() result is too large: ${tooLarge}`);
    }
    const nested = this.nestedFailure as StarlarkFailure | undefined;
    this.nestedFailure = undefined;
    if (nested !== undefined && nested.diagnostic === r.failure) return err(nested);
    return err({ reason: 'build-file-eval', diagnostic: r.failure, stack: [] });
  }

  private context(frame: Frame, callSpan: SourceSpan): CallContext {
    const module = frame.module;
    return {
      callSpan,
      diagnostic: (span, message, severity) => module.source.diagnostic(span, message, severity),
      call: (fn, values, span) => {
        const r = this.callValue(
          fn,
          { positional: values.map((value) => ({ value, span })), named: [] },
          span,
          frame,
        );
        if (r.ok) return r;
        this.nestedFailure = r.failure;
        return err(r.failure.diagnostic);
      },
      print: (message) => module.env.print?.(message, callSpan),
    };
  }

  private callUser(
    fn: UserFunction,
    args: CallArgs,
    callSpan: SourceSpan,
    caller: Frame,
  ): Eval<Value> {
    if (this.active.has(fn)) {
      return this.fail(caller, callSpan, `function '${fn.name}' called recursively`);
    }
    const locals = this.bindParameters(fn, args, callSpan, caller);
    if (!locals.ok) return locals;
    const frame: Frame = { module: fn.internals.module, locals: locals.value, returnValue: null };
    this.active.add(fn);
    const r = this.block(fn.internals.def.body, frame);
    this.active.delete(fn);
    if (r.ok) return ok(r.value === 'return' ? frame.returnValue : null);
    const f = r.failure;
    if (f.reason === 'build-file-eval') {
      f.stack.unshift(caller.module.source.diagnostic(callSpan, `in call to '${fn.name}'`));
    }
    return r;
  }

  /** Matches call arguments to a `def`'s parameters, Python style. */
  private bindParameters(
    fn: UserFunction,
    args: CallArgs,
    callSpan: SourceSpan,
    caller: Frame,
  ): Eval<Map<string, Value>> {
    const { def, defaults } = fn.internals;
    const locals = new Map<string, Value>();
    let next = 0;
    let starName: string | undefined;
    let kwargs: StarlarkDict | undefined;
    let positionalSlots = 0;
    for (const p of def.params) {
      if (p.kind === 'star' || p.kind === 'star-star') {
        if (p.kind === 'star') {
          starName = p.name;
          if (p.name !== '') {
            locals.set(p.name, makeTuple(args.positional.slice(next).map((a) => a.value)));
            next = args.positional.length;
          }
        } else {
          kwargs = makeDict();
          locals.set(p.name, kwargs);
        }
        continue;
      }
      if (starName !== undefined) continue; // keyword-only
      positionalSlots++;
      const a = args.positional[next];
      if (a !== undefined) {
        locals.set(p.name, a.value);
        next++;
      }
    }
    const extra = args.positional[next];
    if (extra !== undefined) {
      return this.fail(
        caller,
        extra.span,
        `${fn.name}() accepts no more than ${positionalSlots} positional argument${positionalSlots === 1 ? '' : 's'} but got ${args.positional.length}`,
      );
    }
    const paramNames = def.params
      .filter((p) => p.kind === 'required' || p.kind === 'optional')
      .map((p) => p.name);
    for (const n of args.named) {
      if (paramNames.includes(n.name)) {
        if (locals.has(n.name)) {
          return this.fail(
            caller,
            n.nameSpan,
            `${fn.name}() got multiple values for parameter '${n.name}'`,
          );
        }
        locals.set(n.name, n.value);
      } else if (kwargs !== undefined) {
        dictSet(kwargs, n.name, n.value); // a fresh dict with string keys: cannot fail
      } else {
        return this.fail(
          caller,
          n.nameSpan,
          `${fn.name}() got unexpected keyword argument '${n.name}'${didYouMean(n.name, paramNames)}`,
        );
      }
    }
    const missing: string[] = [];
    def.params.forEach((p, i) => {
      if ((p.kind !== 'required' && p.kind !== 'optional') || locals.has(p.name)) return;
      const d = defaults[i];
      if (d !== undefined) locals.set(p.name, d);
      else missing.push(p.name);
    });
    if (missing.length > 0) {
      return this.fail(
        caller,
        callSpan,
        `${fn.name}() missing ${missing.length} required argument${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`,
      );
    }
    return ok(locals);
  }
}

function sameSpan(a: SourceSpan, b: SourceSpan): boolean {
  return a.file === b.file && a.line === b.line && a.col === b.col && a.endCol === b.endCol;
}
