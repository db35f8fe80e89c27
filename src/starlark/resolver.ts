import type { Diagnostic, SourceSpan } from '../util/diagnostic';
import { err, ok, type Result } from '../util/result';
import { unreachable } from '../util/unreachable';
import type { DefStmt, Expr, Identifier, Stmt } from './ast';
import type { Dialect } from './parser';
import type { SourceFile } from './source-file';

/**
 * A name that is neither local nor global in the file: it must be predeclared (rules, `glob`) or
 * universal (`len`, `True`). Checked when the module is evaluated, because only then are the
 * predeclared names known.
 */
export interface FreeName {
  readonly name: string;
  readonly span: SourceSpan;
  /** Local names visible at the use, for "did you mean" suggestions. */
  readonly visibleLocals: readonly string[];
}

/** What resolution learns about a file. */
export interface Resolution {
  /** Names bound at top level (assignments, `def`, `load`). */
  readonly globals: ReadonlySet<string>;
  /** Top-level names bound by `load` (file-local: not part of the module's exports). */
  readonly loaded: ReadonlySet<string>;
  readonly freeNames: readonly FreeName[];
}

/** Calls `visit` on every identifier an assignment or loop target binds. */
export function forEachBoundName(target: Expr, visit: (id: Identifier) => void): void {
  if (target.kind === 'identifier') visit(target);
  else if (target.kind === 'list' || target.kind === 'tuple') {
    for (const item of target.items) forEachBoundName(item, visit);
  }
}

/**
 * Resolves every identifier of a parsed file to a local, global or free name (setting
 * `Identifier.scope` and `DefStmt.locals`), as Starlark's static name resolution does, so that
 * a misspelled name fails before any statement runs. In .bzl files a global may be bound only
 * once, as in Bazel.
 */
export function resolve(
  source: SourceFile,
  stmts: readonly Stmt[],
  dialect: Dialect,
): Result<Resolution, Diagnostic> {
  const globals = new Map<string, SourceSpan>();
  const loaded = new Set<string>();
  let failure: Diagnostic | undefined;
  const bindGlobal = (id: Identifier): void => {
    id.scope = 'global';
    const first = globals.get(id.name);
    if (first !== undefined && dialect === 'bzl' && failure === undefined) {
      failure = source.diagnostic(
        id.span,
        `cannot reassign global '${id.name}' (first bound at line ${first.line}, column ${first.col})`,
      );
    }
    if (first === undefined) globals.set(id.name, id.span);
  };
  for (const stmt of stmts) {
    switch (stmt.kind) {
      case 'assign':
        forEachBoundName(stmt.target, bindGlobal);
        break;
      case 'def':
        bindGlobal(stmt.name);
        break;
      case 'load':
        for (const b of stmt.bindings) {
          bindGlobal(b.local);
          loaded.add(b.local.name);
        }
        break;
      case 'expr':
      case 'if':
      case 'for':
      case 'return':
      case 'pass':
      case 'break':
      case 'continue':
        break;
      default:
        unreachable(stmt);
    }
  }
  if (failure !== undefined) return err(failure);
  const resolver = new NameResolver(new Set(globals.keys()));
  resolver.statements(stmts);
  return ok({ globals: new Set(globals.keys()), loaded, freeNames: resolver.freeNames });
}

/** Walks the syntax tree with the current scopes; private to {@link resolve}. */
class NameResolver {
  readonly freeNames: FreeName[] = [];
  /** Locals of the function being resolved, or undefined at top level. */
  private functionLocals: ReadonlySet<string> | undefined;
  /** Comprehension scopes, innermost last. */
  private readonly comprehensions: Set<string>[] = [];

  constructor(private readonly globals: ReadonlySet<string>) {}

  statements(stmts: readonly Stmt[]): void {
    for (const s of stmts) this.statement(s);
  }

  private statement(stmt: Stmt): void {
    switch (stmt.kind) {
      case 'assign':
        this.expr(stmt.value);
        this.target(stmt.target);
        return;
      case 'expr':
        this.expr(stmt.expr);
        return;
      case 'load':
        return; // bound in the first pass
      case 'def':
        this.def(stmt);
        return;
      case 'if':
        this.expr(stmt.condition);
        this.statements(stmt.then);
        this.statements(stmt.otherwise);
        return;
      case 'for':
        this.expr(stmt.iterable);
        this.target(stmt.target);
        this.statements(stmt.body);
        return;
      case 'return':
        if (stmt.value !== undefined) this.expr(stmt.value);
        return;
      case 'pass':
      case 'break':
      case 'continue':
        return;
      default:
        unreachable(stmt);
    }
  }

  private def(def: DefStmt): void {
    // Defaults are evaluated where the def is, so they see the enclosing (global) scope.
    for (const p of def.params) if (p.defaultValue !== undefined) this.expr(p.defaultValue);
    const locals = new Set<string>();
    for (const p of def.params) if (p.name !== '') locals.add(p.name);
    collectLocals(def.body, locals);
    def.locals = locals;
    this.functionLocals = locals;
    this.statements(def.body);
    this.functionLocals = undefined;
  }

  /** An assignment target: bound names get their scope; `a[i]` targets are uses. */
  private target(target: Expr): void {
    switch (target.kind) {
      case 'identifier':
        // Every bound name was collected beforehand, so this finds its local or global scope.
        this.identifier(target);
        return;
      case 'list':
      case 'tuple':
        for (const item of target.items) this.target(item);
        return;
      case 'index':
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
        // Not a binding (`a[i] = v` reads `a` and `i`); the parser rejected the rest.
        this.expr(target);
        return;
      default:
        unreachable(target);
    }
  }

  private identifier(id: Identifier): void {
    for (let i = this.comprehensions.length - 1; i >= 0; i--) {
      if (this.comprehensions[i]?.has(id.name)) {
        id.scope = 'local';
        return;
      }
    }
    if (this.functionLocals?.has(id.name)) {
      id.scope = 'local';
      return;
    }
    if (this.globals.has(id.name)) {
      id.scope = 'global';
      return;
    }
    id.scope = 'free';
    const visibleLocals = [...(this.functionLocals ?? [])];
    for (const scope of this.comprehensions) visibleLocals.push(...scope);
    this.freeNames.push({ name: id.name, span: id.span, visibleLocals });
  }

  private expr(e: Expr): void {
    switch (e.kind) {
      case 'identifier':
        this.identifier(e);
        return;
      case 'literal':
        return;
      case 'list':
      case 'tuple':
        for (const item of e.items) this.expr(item);
        return;
      case 'dict':
        for (const entry of e.entries) {
          this.expr(entry.key);
          this.expr(entry.value);
        }
        return;
      case 'list-comprehension':
      case 'dict-comprehension': {
        const [first, ...rest] = e.clauses;
        // The first iterable is evaluated outside the comprehension's scope.
        if (first !== undefined && first.kind === 'for') this.expr(first.iterable);
        const scope = new Set<string>();
        for (const c of e.clauses) {
          if (c.kind === 'for') forEachBoundName(c.target, (id) => scope.add(id.name));
        }
        this.comprehensions.push(scope);
        if (first !== undefined) {
          if (first.kind === 'for') this.target(first.target);
          else this.expr(first.condition);
        }
        for (const c of rest) {
          if (c.kind === 'for') {
            this.expr(c.iterable);
            this.target(c.target);
          } else {
            this.expr(c.condition);
          }
        }
        this.expr(e.body);
        if (e.value !== undefined) this.expr(e.value);
        this.comprehensions.pop();
        return;
      }
      case 'binary':
        this.expr(e.left);
        this.expr(e.right);
        return;
      case 'unary':
        this.expr(e.operand);
        return;
      case 'conditional':
        this.expr(e.condition);
        this.expr(e.then);
        this.expr(e.otherwise);
        return;
      case 'index':
        this.expr(e.object);
        this.expr(e.index);
        return;
      case 'slice':
        this.expr(e.object);
        if (e.start !== undefined) this.expr(e.start);
        if (e.stop !== undefined) this.expr(e.stop);
        if (e.step !== undefined) this.expr(e.step);
        return;
      case 'dot':
        this.expr(e.object);
        return;
      case 'call':
        this.expr(e.callee);
        for (const a of e.args) this.expr(a.value);
        return;
      default:
        unreachable(e);
    }
  }
}

/** Adds every name bound by assignments and `for` loops in a function body. */
function collectLocals(stmts: readonly Stmt[], locals: Set<string>): void {
  const add = (id: Identifier): void => void locals.add(id.name);
  for (const s of stmts) {
    switch (s.kind) {
      case 'assign':
        forEachBoundName(s.target, add);
        break;
      case 'for':
        forEachBoundName(s.target, add);
        collectLocals(s.body, locals);
        break;
      case 'if':
        collectLocals(s.then, locals);
        collectLocals(s.otherwise, locals);
        break;
      case 'expr':
      case 'load':
      case 'def':
      case 'return':
      case 'pass':
      case 'break':
      case 'continue':
        break;
      default:
        unreachable(s);
    }
  }
}
