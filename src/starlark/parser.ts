import type { Diagnostic, SourceSpan } from '../util/diagnostic';
import { err, ok, type Result } from '../util/result';
import { unreachable } from '../util/unreachable';
import type {
  Argument,
  AssignStmt,
  BinaryOperator,
  ComprehensionClause,
  DefStmt,
  Expr,
  Identifier,
  LoadStmt,
  Parameter,
  Stmt,
} from './ast';
import type { Position, SourceFile } from './source-file';
import { STARLARK_LIMITS } from './limits';
import { describeToken, type Token } from './token';
import { tooDeepNode } from './tree-depth';

/** Which kind of file is parsed: BUILD files forbid `def`, `if` and `for` statements. */
export type Dialect = 'build' | 'bzl';

/** Where a statement appears; decides which statements are allowed. */
interface StmtContext {
  readonly inFunction: boolean;
  readonly inLoop: boolean;
}

const TOP_LEVEL: StmtContext = { inFunction: false, inLoop: false };

const AUGMENTED: Readonly<Record<string, BinaryOperator>> = {
  '+=': '+',
  '-=': '-',
  '*=': '*',
  '/=': '/',
  '//=': '//',
  '%=': '%',
  '&=': '&',
  '|=': '|',
  '^=': '^',
  '<<=': '<<',
  '>>=': '>>',
};

/** Binary operator precedence levels above comparisons, lowest first. */
const BINARY_LEVELS: readonly (readonly BinaryOperator[])[] = [
  ['|'],
  ['^'],
  ['&'],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '//', '%'],
];

const COMPARISONS: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=']);

type Parsed<T> = Result<T, Diagnostic>;

function startOf(span: SourceSpan): Position {
  return { line: span.line, col: span.col };
}

/**
 * Parses the tokens of one file into statements. Dialect rules (no `def`/`if`/`for` in BUILD
 * files, no top-level `if`/`for` in .bzl files, `load` only at top level, `return`, `break` and
 * `continue` only where they make sense) are enforced here, at the offending keyword.
 */
export function parseTokens(
  source: SourceFile,
  tokens: readonly Token[],
  dialect: Dialect,
): Parsed<Stmt[]> {
  const parsed = new Parser(source, tokens, dialect).file();
  if (!parsed.ok) return parsed;
  // Long operator chains (`a + b + …`) are parsed by loops but make trees as deep as they are
  // long; the resolver and evaluator recurse on them.
  const deep = tooDeepNode(parsed.value, STARLARK_LIMITS.maxTreeDepth);
  if (deep !== undefined) {
    return err(
      source.diagnostic(
        deep,
        `expression too deeply nested or too long a chain of operators (more than ${STARLARK_LIMITS.maxTreeDepth} levels)`,
      ),
    );
  }
  return parsed;
}

/** Recursive-descent parser state; private to {@link parseTokens}. */
class Parser {
  private pos = 0;
  /** Productions entered through {@link Parser.nested} and not yet left. */
  private nesting = 0;

  constructor(
    private readonly source: SourceFile,
    private readonly tokens: readonly Token[],
    private readonly dialect: Dialect,
  ) {}

  file(): Parsed<Stmt[]> {
    const stmts: Stmt[] = [];
    while (this.peek().kind !== 'eof') {
      const r = this.statement(TOP_LEVEL, stmts);
      if (!r.ok) return r;
    }
    return ok(stmts);
  }

  // ---- token helpers ----

  private peek(offset = 0): Token {
    // The token list always ends with 'eof', so clamping keeps lookahead safe.
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private isOp(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'op' && t.text === text;
  }

  private isKeyword(text: string): boolean {
    const t = this.peek();
    return t.kind === 'keyword' && t.text === text;
  }

  private error(span: SourceSpan, message: string): Parsed<never> {
    return err(this.source.diagnostic(span, message));
  }

  private unexpected(expected: string): Parsed<never> {
    const t = this.peek();
    if (t.kind === 'indent') return this.error(t.span, 'unexpected indentation');
    return this.error(t.span, `expected ${expected} but found ${describeToken(t)}`);
  }

  private expectOp(text: string): Parsed<Token> {
    if (this.isOp(text)) return ok(this.next());
    return this.unexpected(`'${text}'`);
  }

  private expectKeyword(text: string): Parsed<Token> {
    if (this.isKeyword(text)) return ok(this.next());
    return this.unexpected(`'${text}'`);
  }

  private expectName(): Parsed<Identifier> {
    const t = this.peek();
    if (t.kind !== 'name') return this.unexpected('an identifier');
    this.next();
    return ok(this.identifier(t));
  }

  private identifier(t: Token): Identifier {
    return { kind: 'identifier', name: t.text, scope: 'free', span: t.span, end: t.end };
  }

  /** The end of the most recently consumed token. */
  private lastEnd(): Position {
    return (this.tokens[this.pos - 1] as Token).end;
  }

  private spanFrom(start: SourceSpan): { span: SourceSpan; end: Position } {
    const end = this.lastEnd();
    return { span: this.source.span(startOf(start), end), end };
  }

  // ---- statements ----

  private statement(ctx: StmtContext, out: Stmt[]): Parsed<void> {
    const t = this.peek();
    if (t.kind === 'keyword') {
      switch (t.text) {
        case 'def':
          return this.def(ctx, out);
        case 'if':
        case 'for': {
          if (this.dialect === 'build') {
            return this.error(t.span, `${t.text} statements are not allowed in BUILD files`);
          }
          if (!ctx.inFunction) {
            return this.error(
              t.span,
              t.text === 'if'
                ? 'if statements are not allowed at the top level. You may move it inside a ' +
                    'function or use an if expression (x if condition else y).'
                : 'for loops are not allowed at the top level. You may move it inside a ' +
                    'function or use a comprehension, [f(x) for x in sequence]',
            );
          }
          const r = t.text === 'if' ? this.ifStatement(ctx) : this.forStatement(ctx);
          if (!r.ok) return r;
          out.push(r.value);
          return ok(undefined);
        }
        default:
          break;
      }
    }
    return this.simpleStatement(ctx, out);
  }

  private def(ctx: StmtContext, out: Stmt[]): Parsed<void> {
    const defTok = this.next();
    if (this.dialect === 'build') {
      return this.error(defTok.span, 'functions may not be defined in BUILD files');
    }
    if (ctx.inFunction) {
      return this.error(defTok.span, 'nested def statements are not supported');
    }
    const name = this.expectName();
    if (!name.ok) return name;
    const open = this.expectOp('(');
    if (!open.ok) return open;
    const params = this.parameters();
    if (!params.ok) return params;
    const colon = this.expectOp(':');
    if (!colon.ok) return colon;
    const header = this.spanFrom(defTok.span);
    const body = this.suite({ inFunction: true, inLoop: false });
    if (!body.ok) return body;
    const def: DefStmt = {
      kind: 'def',
      name: name.value,
      params: params.value,
      body: body.value,
      locals: new Set(),
      span: header.span,
      end: this.lastEnd(),
    };
    out.push(def);
    return ok(undefined);
  }

  /** Parses parameters up to and including the closing parenthesis. */
  private parameters(): Parsed<Parameter[]> {
    const params: Parameter[] = [];
    const seen = new Set<string>();
    let sawOptional = false;
    let sawStar = false;
    while (!this.isOp(')')) {
      const t = this.peek();
      let param: Parameter;
      if (this.isOp('*') || this.isOp('**')) {
        this.next();
        const starStar = t.text === '**';
        if (params.some((p) => p.kind === 'star-star')) {
          return this.error(t.span, 'no parameter may follow **kwargs');
        }
        if (!starStar && sawStar) return this.error(t.span, 'multiple * parameters not allowed');
        let name = '';
        if (this.peek().kind === 'name') name = this.next().text;
        else if (starStar) return this.unexpected('an identifier');
        param = {
          kind: starStar ? 'star-star' : 'star',
          name,
          span: this.spanFrom(t.span).span,
          defaultValue: undefined,
        };
        if (!starStar) sawStar = true;
      } else {
        const name = this.expectName();
        if (!name.ok) return name;
        if (params.some((p) => p.kind === 'star-star')) {
          return this.error(name.value.span, 'no parameter may follow **kwargs');
        }
        let defaultValue: Expr | undefined;
        if (this.isOp('=')) {
          this.next();
          const d = this.test();
          if (!d.ok) return d;
          defaultValue = d.value;
          sawOptional = true;
        } else if (sawOptional && !sawStar) {
          return this.error(name.value.span, 'required parameter may not follow optional');
        }
        param = {
          kind: defaultValue === undefined ? 'required' : 'optional',
          name: name.value.name,
          span: name.value.span,
          defaultValue,
        };
      }
      if (param.name !== '') {
        if (seen.has(param.name)) {
          return this.error(param.span, `duplicate parameter: ${param.name}`);
        }
        seen.add(param.name);
      }
      params.push(param);
      if (!this.isOp(',')) break;
      this.next();
    }
    const last = params[params.length - 1];
    if (last !== undefined && last.kind === 'star' && last.name === '') {
      return this.error(last.span, 'bare * must be followed by keyword-only parameters');
    }
    const close = this.expectOp(')');
    if (!close.ok) return close;
    return ok(params);
  }

  /** The body after a ':' — an indented block or simple statements on the same line. */
  private suite(ctx: StmtContext): Parsed<Stmt[]> {
    const stmts: Stmt[] = [];
    if (this.peek().kind !== 'newline') {
      const r = this.simpleStatement(ctx, stmts);
      if (!r.ok) return r;
      return ok(stmts);
    }
    this.next();
    if (this.peek().kind !== 'indent') return this.unexpected('an indented block');
    this.next();
    while (this.peek().kind !== 'dedent' && this.peek().kind !== 'eof') {
      const r = this.statement(ctx, stmts);
      if (!r.ok) return r;
    }
    this.next();
    return ok(stmts);
  }

  private ifStatement(ctx: StmtContext): Parsed<Stmt> {
    const ifTok = this.next(); // 'if' or 'elif'
    const condition = this.test();
    if (!condition.ok) return condition;
    const colon = this.expectOp(':');
    if (!colon.ok) return colon;
    const header = this.spanFrom(ifTok.span);
    const then = this.suite(ctx);
    if (!then.ok) return then;
    let otherwise: Stmt[] = [];
    if (this.isKeyword('elif')) {
      const nested = this.ifStatement(ctx);
      if (!nested.ok) return nested;
      otherwise = [nested.value];
    } else if (this.isKeyword('else')) {
      this.next();
      const c = this.expectOp(':');
      if (!c.ok) return c;
      const r = this.suite(ctx);
      if (!r.ok) return r;
      otherwise = r.value;
    }
    return ok({
      kind: 'if',
      condition: condition.value,
      then: then.value,
      otherwise,
      span: header.span,
      end: this.lastEnd(),
    });
  }

  private forStatement(ctx: StmtContext): Parsed<Stmt> {
    const forTok = this.next();
    const target = this.loopVariables();
    if (!target.ok) return target;
    const inTok = this.expectKeyword('in');
    if (!inTok.ok) return inTok;
    const iterable = this.expression();
    if (!iterable.ok) return iterable;
    const colon = this.expectOp(':');
    if (!colon.ok) return colon;
    const header = this.spanFrom(forTok.span);
    const body = this.suite({ inFunction: ctx.inFunction, inLoop: true });
    if (!body.ok) return body;
    return ok({
      kind: 'for',
      target: target.value,
      iterable: iterable.value,
      body: body.value,
      span: header.span,
      end: this.lastEnd(),
    });
  }

  /** `small_stmt {';' small_stmt} [';'] NEWLINE`. */
  private simpleStatement(ctx: StmtContext, out: Stmt[]): Parsed<void> {
    for (;;) {
      const r = this.smallStatement(ctx);
      if (!r.ok) return r;
      out.push(r.value);
      if (!this.isOp(';')) break;
      this.next();
      if (this.peek().kind === 'newline') break;
    }
    if (this.peek().kind !== 'newline') return this.unexpected('newline');
    this.next();
    return ok(undefined);
  }

  private smallStatement(ctx: StmtContext): Parsed<Stmt> {
    const t = this.peek();
    if (t.kind === 'keyword') {
      switch (t.text) {
        case 'return': {
          this.next();
          if (!ctx.inFunction) {
            return this.error(t.span, 'return statements must be inside a function');
          }
          let value: Expr | undefined;
          if (this.peek().kind !== 'newline' && !this.isOp(';')) {
            const v = this.expression();
            if (!v.ok) return v;
            value = v.value;
          }
          return ok({ kind: 'return', value, ...this.spanFrom(t.span) });
        }
        case 'pass':
        case 'break':
        case 'continue':
          this.next();
          if (t.text !== 'pass' && !ctx.inLoop) {
            return this.error(t.span, `${t.text} statement not within a loop`);
          }
          return ok({ kind: t.text, span: t.span, end: t.end });
        case 'load':
          if (ctx.inFunction) {
            return this.error(t.span, 'load statements may only appear at top level');
          }
          return this.load();
        case 'def':
        case 'if':
        case 'for':
        case 'elif':
        case 'else':
          return this.error(t.span, `unexpected '${t.text}'`);
        default:
          break;
      }
    }
    const lhs = this.expression();
    if (!lhs.ok) return lhs;
    const opTok = this.peek();
    if (opTok.kind === 'op' && (opTok.text === '=' || AUGMENTED[opTok.text] !== undefined)) {
      this.next();
      const op = opTok.text === '=' ? '=' : (AUGMENTED[opTok.text] as BinaryOperator);
      const targetCheck = this.checkAssignable(lhs.value, op === '=');
      if (!targetCheck.ok) return targetCheck;
      const rhs = this.expression();
      if (!rhs.ok) return rhs;
      const stmt: AssignStmt = {
        kind: 'assign',
        target: lhs.value,
        op,
        opSpan: opTok.span,
        value: rhs.value,
        ...this.spanFrom(lhs.value.span),
      };
      return ok(stmt);
    }
    return ok({ kind: 'expr', expr: lhs.value, span: lhs.value.span, end: lhs.value.end });
  }

  private checkAssignable(target: Expr, allowUnpacking: boolean): Parsed<void> {
    switch (target.kind) {
      case 'identifier':
      case 'index':
        return ok(undefined);
      case 'list':
      case 'tuple':
        if (!allowUnpacking) {
          return this.error(target.span, `cannot perform augmented assignment on a ${target.kind}`);
        }
        for (const item of target.items) {
          const r = this.checkAssignable(item, true);
          if (!r.ok) return r;
        }
        return ok(undefined);
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
        return this.error(target.span, 'cannot assign to this expression');
      default:
        return unreachable(target);
    }
  }

  private load(): Parsed<LoadStmt> {
    const loadTok = this.next();
    const open = this.expectOp('(');
    if (!open.ok) return open;
    const labelTok = this.peek();
    if (labelTok.kind !== 'string') return this.unexpected('a label string');
    this.next();
    const bindings: LoadStmt['bindings'][number][] = [];
    while (this.isOp(',')) {
      this.next();
      if (this.isOp(')')) break;
      const t = this.peek();
      if (t.kind === 'string') {
        this.next();
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(t.text)) {
          return this.error(t.span, `load: '${t.text}' is not a valid identifier`);
        }
        bindings.push({
          local: { kind: 'identifier', name: t.text, scope: 'global', span: t.span, end: t.end },
          exported: t.text,
          exportedSpan: t.span,
        });
      } else if (t.kind === 'name' && this.isOp('=', 1)) {
        this.next();
        this.next();
        const sym = this.peek();
        if (sym.kind !== 'string') return this.unexpected('a symbol name string');
        this.next();
        bindings.push({
          local: { ...this.identifier(t), scope: 'global' },
          exported: sym.text,
          exportedSpan: sym.span,
        });
      } else {
        return this.unexpected(`a symbol name string or 'alias = "symbol"'`);
      }
    }
    const close = this.expectOp(')');
    if (!close.ok) return close;
    if (bindings.length === 0) {
      return this.error(loadTok.span, 'load statement must import at least one symbol');
    }
    return ok({
      kind: 'load',
      label: labelTok.text,
      labelSpan: labelTok.span,
      bindings,
      ...this.spanFrom(loadTok.span),
    });
  }

  // ---- expressions ----

  /** `Test {',' Test}`: a bare tuple when there is a comma. */
  private expression(): Parsed<Expr> {
    const first = this.test();
    if (!first.ok || !this.isOp(',')) return first;
    const items: Expr[] = [first.value];
    while (this.isOp(',')) {
      this.next();
      if (!this.startsExpression()) break;
      const item = this.test();
      if (!item.ok) return item;
      items.push(item.value);
    }
    return ok({ kind: 'tuple', items, ...this.spanFrom(first.value.span) });
  }

  /** Whether the next token can start an expression (for optional trailing commas). */
  private startsExpression(): boolean {
    const t = this.peek();
    switch (t.kind) {
      case 'name':
      case 'int':
      case 'string':
        return true;
      case 'keyword':
        return t.text === 'not' || t.text === 'lambda';
      case 'op':
        return ['(', '[', '{', '-', '+', '~'].includes(t.text);
      case 'newline':
      case 'indent':
      case 'dedent':
      case 'eof':
        return false;
      default:
        return unreachable(t.kind);
    }
  }

  /**
   * Runs a recursive production one nesting level deeper; beyond STARLARK_LIMITS.maxNesting it is
   * a syntax error at the cursor, before the parser's own recursion could overflow the stack.
   */
  private nested(production: () => Parsed<Expr>): Parsed<Expr> {
    if (this.nesting >= STARLARK_LIMITS.maxNesting) {
      return this.error(
        this.peek().span,
        `expression nested too deeply (more than ${STARLARK_LIMITS.maxNesting} levels)`,
      );
    }
    this.nesting++;
    try {
      return production();
    } finally {
      this.nesting--;
    }
  }

  /** A single expression, including the conditional `a if c else b`. */
  private test(): Parsed<Expr> {
    return this.nested(() => this.conditionalTest());
  }

  private conditionalTest(): Parsed<Expr> {
    if (this.isKeyword('lambda')) {
      return this.error(this.peek().span, 'lambda expressions are not supported');
    }
    const then = this.orTest();
    if (!then.ok || !this.isKeyword('if')) return then;
    this.next();
    const condition = this.orTest();
    if (!condition.ok) return condition;
    const elseTok = this.expectKeyword('else');
    if (!elseTok.ok) return elseTok;
    const otherwise = this.test();
    if (!otherwise.ok) return otherwise;
    return ok({
      kind: 'conditional',
      condition: condition.value,
      then: then.value,
      otherwise: otherwise.value,
      ...this.spanFrom(then.value.span),
    });
  }

  private orTest(): Parsed<Expr> {
    return this.logical('or', () => this.andTest());
  }

  private andTest(): Parsed<Expr> {
    return this.logical('and', () => this.notTest());
  }

  private logical(op: 'or' | 'and', operand: () => Parsed<Expr>): Parsed<Expr> {
    let left = operand();
    while (left.ok && this.isKeyword(op)) {
      const opTok = this.next();
      const right = operand();
      if (!right.ok) return right;
      left = ok({
        kind: 'binary',
        op,
        opSpan: opTok.span,
        left: left.value,
        right: right.value,
        ...this.spanFrom(left.value.span),
      });
    }
    return left;
  }

  private notTest(): Parsed<Expr> {
    if (!this.isKeyword('not')) return this.comparison();
    const notTok = this.next();
    const operand = this.nested(() => this.notTest());
    if (!operand.ok) return operand;
    return ok({ kind: 'unary', op: 'not', operand: operand.value, ...this.spanFrom(notTok.span) });
  }

  /** The comparison operator at the cursor (`not in` takes two tokens), if any. */
  private comparisonOperator(): BinaryOperator | undefined {
    const t = this.peek();
    if (t.kind === 'op' && COMPARISONS.has(t.text)) return t.text as BinaryOperator;
    if (t.kind === 'keyword' && t.text === 'in') return 'in';
    const n = this.peek(1);
    if (t.kind === 'keyword' && t.text === 'not' && n.kind === 'keyword' && n.text === 'in') {
      return 'not in';
    }
    return undefined;
  }

  private comparison(): Parsed<Expr> {
    const left = this.binary(0);
    if (!left.ok) return left;
    const op = this.comparisonOperator();
    if (op === undefined) return left;
    const opTok = this.next();
    if (op === 'not in') this.next();
    const opSpan = this.source.span(startOf(opTok.span), this.lastEnd());
    const right = this.binary(0);
    if (!right.ok) return right;
    const second = this.peek();
    if (this.comparisonOperator() !== undefined) {
      // Starlark comparisons do not chain (unlike Python's a < b < c).
      return this.error(
        second.span,
        `comparison operators cannot be chained; use parentheses, e.g. (a ${op} b) ${second.text} c`,
      );
    }
    return ok({
      kind: 'binary',
      op,
      opSpan,
      left: left.value,
      right: right.value,
      ...this.spanFrom(left.value.span),
    });
  }

  private binary(level: number): Parsed<Expr> {
    const ops = BINARY_LEVELS[level];
    if (ops === undefined) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      if (!left.ok) return left;
      const t = this.peek();
      if (t.kind !== 'op' || !ops.includes(t.text as BinaryOperator)) return left;
      this.next();
      const right = this.binary(level + 1);
      if (!right.ok) return right;
      left = ok({
        kind: 'binary',
        op: t.text as BinaryOperator,
        opSpan: t.span,
        left: left.value,
        right: right.value,
        ...this.spanFrom(left.value.span),
      });
    }
  }

  private unary(): Parsed<Expr> {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '+' || t.text === '~')) {
      this.next();
      const operand = this.nested(() => this.unary());
      if (!operand.ok) return operand;
      return ok({
        kind: 'unary',
        op: t.text,
        operand: operand.value,
        ...this.spanFrom(t.span),
      });
    }
    return this.primary();
  }

  /** An operand followed by any number of `.name`, `(args)` and `[index]` suffixes. */
  private primary(): Parsed<Expr> {
    let expr = this.operand();
    for (;;) {
      if (!expr.ok) return expr;
      const object = expr.value;
      if (this.isOp('.')) {
        this.next();
        const name = this.expectName();
        if (!name.ok) return name;
        expr = ok({
          kind: 'dot',
          object,
          name: name.value.name,
          nameSpan: name.value.span,
          ...this.spanFrom(object.span),
        });
      } else if (this.isOp('(')) {
        expr = this.call(object);
      } else if (this.isOp('[')) {
        expr = this.subscript(object);
      } else {
        return expr;
      }
    }
  }

  private call(callee: Expr): Parsed<Expr> {
    this.next(); // '('
    const args: Argument[] = [];
    const names = new Set<string>();
    let sawNamed = false;
    let sawStar = false;
    let sawStarStar = false;
    while (!this.isOp(')')) {
      const t = this.peek();
      let arg: Argument;
      if (this.isOp('*') || this.isOp('**')) {
        this.next();
        const value = this.test();
        if (!value.ok) return value;
        if (t.text === '*') {
          if (sawStar || sawStarStar) {
            return this.error(t.span, '*args may not follow *args or **kwargs');
          }
          sawStar = true;
          arg = { kind: 'star', value: value.value };
        } else {
          if (sawStarStar) return this.error(t.span, 'multiple **kwargs not allowed');
          sawStarStar = true;
          arg = { kind: 'star-star', value: value.value };
        }
      } else if (t.kind === 'name' && this.isOp('=', 1)) {
        this.next();
        this.next();
        if (sawStarStar) {
          return this.error(t.span, 'keyword argument may not follow **kwargs');
        }
        if (names.has(t.text)) {
          return this.error(t.span, `duplicate keyword argument '${t.text}'`);
        }
        names.add(t.text);
        const value = this.test();
        if (!value.ok) return value;
        sawNamed = true;
        arg = { kind: 'named', name: t.text, nameSpan: t.span, value: value.value };
      } else {
        const value = this.test();
        if (!value.ok) return value;
        if (sawNamed || sawStar || sawStarStar) {
          return this.error(
            value.value.span,
            'positional argument may not follow keyword arguments, *args or **kwargs',
          );
        }
        arg = { kind: 'positional', value: value.value };
      }
      args.push(arg);
      if (!this.isOp(',')) break;
      this.next();
    }
    const close = this.expectOp(')');
    if (!close.ok) return close;
    const calleeSpan = callee.kind === 'dot' ? callee.nameSpan : callee.span;
    return ok({ kind: 'call', callee, calleeSpan, args, ...this.spanFrom(callee.span) });
  }

  private subscript(object: Expr): Parsed<Expr> {
    this.next(); // '['
    const parts: (Expr | undefined)[] = [];
    let colons = 0;
    let current: Expr | undefined;
    for (;;) {
      if (this.isOp(':')) {
        if (colons === 2) return this.unexpected("']'");
        this.next();
        parts.push(current);
        current = undefined;
        colons++;
        continue;
      }
      if (this.isOp(']')) break;
      if (current !== undefined) return this.unexpected("']'");
      const e = this.expression();
      if (!e.ok) return e;
      current = e.value;
    }
    parts.push(current);
    this.next(); // ']'
    const where = this.spanFrom(object.span);
    if (colons === 0) {
      if (current === undefined) {
        return this.error(this.tokens[this.pos - 1]?.span ?? where.span, 'expected an index');
      }
      return ok({ kind: 'index', object, index: current, ...where });
    }
    return ok({ kind: 'slice', object, start: parts[0], stop: parts[1], step: parts[2], ...where });
  }

  private operand(): Parsed<Expr> {
    const t = this.peek();
    switch (t.kind) {
      case 'name':
        this.next();
        return ok(this.identifier(t));
      case 'int':
        this.next();
        return ok({ kind: 'literal', value: t.int, span: t.span, end: t.end });
      case 'string': {
        this.next();
        if (this.peek().kind === 'string') {
          return this.error(
            this.peek().span,
            'implicit string concatenation is not allowed; use the + operator',
          );
        }
        return ok({ kind: 'literal', value: t.text, span: t.span, end: t.end });
      }
      case 'op':
        switch (t.text) {
          case '(':
            return this.parenthesized();
          case '[':
            return this.listDisplay();
          case '{':
            return this.dictDisplay();
          default:
            break;
        }
        break;
      case 'keyword':
        if (t.text === 'lambda') return this.error(t.span, 'lambda expressions are not supported');
        break;
      case 'newline':
      case 'indent':
      case 'dedent':
      case 'eof':
        break;
      default:
        return unreachable(t.kind);
    }
    return this.unexpected('an expression');
  }

  private parenthesized(): Parsed<Expr> {
    const open = this.next();
    if (this.isOp(')')) {
      this.next();
      return ok({ kind: 'tuple', items: [], ...this.spanFrom(open.span) });
    }
    const first = this.test();
    if (!first.ok) return first;
    if (this.isKeyword('for')) {
      return this.error(
        this.peek().span,
        'generator expressions are not supported; use a list comprehension',
      );
    }
    if (!this.isOp(',')) {
      const close = this.expectOp(')');
      if (!close.ok) return close;
      return first;
    }
    const items: Expr[] = [first.value];
    while (this.isOp(',')) {
      this.next();
      if (this.isOp(')')) break;
      const item = this.test();
      if (!item.ok) return item;
      items.push(item.value);
    }
    const close = this.expectOp(')');
    if (!close.ok) return close;
    return ok({ kind: 'tuple', items, ...this.spanFrom(open.span) });
  }

  private listDisplay(): Parsed<Expr> {
    const open = this.next();
    const items: Expr[] = [];
    while (!this.isOp(']')) {
      const item = this.test();
      if (!item.ok) return item;
      if (items.length === 0 && this.isKeyword('for')) {
        return this.comprehension(open, item.value, undefined);
      }
      items.push(item.value);
      if (!this.isOp(',')) break;
      this.next();
    }
    const close = this.expectOp(']');
    if (!close.ok) return close;
    return ok({ kind: 'list', items, ...this.spanFrom(open.span) });
  }

  private dictDisplay(): Parsed<Expr> {
    const open = this.next();
    const entries: { key: Expr; value: Expr }[] = [];
    while (!this.isOp('}')) {
      const key = this.test();
      if (!key.ok) return key;
      const colon = this.expectOp(':');
      if (!colon.ok) return colon;
      const value = this.test();
      if (!value.ok) return value;
      if (entries.length === 0 && this.isKeyword('for')) {
        return this.comprehension(open, key.value, value.value);
      }
      entries.push({ key: key.value, value: value.value });
      if (!this.isOp(',')) break;
      this.next();
    }
    const close = this.expectOp('}');
    if (!close.ok) return close;
    return ok({ kind: 'dict', entries, ...this.spanFrom(open.span) });
  }

  /** The clauses of a comprehension; the cursor is at its first `for`. */
  private comprehension(open: Token, body: Expr, value: Expr | undefined): Parsed<Expr> {
    const clauses: ComprehensionClause[] = [];
    while (this.isKeyword('for') || this.isKeyword('if')) {
      if (this.next().text === 'for') {
        const target = this.loopVariables();
        if (!target.ok) return target;
        const inTok = this.expectKeyword('in');
        if (!inTok.ok) return inTok;
        const iterable = this.orTest();
        if (!iterable.ok) return iterable;
        clauses.push({ kind: 'for', target: target.value, iterable: iterable.value });
      } else {
        const condition = this.orTest();
        if (!condition.ok) return condition;
        clauses.push({ kind: 'if', condition: condition.value });
      }
    }
    const close = this.expectOp(value === undefined ? ']' : '}');
    if (!close.ok) return close;
    return ok({
      kind: value === undefined ? 'list-comprehension' : 'dict-comprehension',
      body,
      value,
      clauses,
      ...this.spanFrom(open.span),
    });
  }

  /** `for` targets: primary expressions separated by commas (a bare tuple when several). */
  private loopVariables(): Parsed<Expr> {
    const first = this.primary();
    if (!first.ok) return first;
    const items: Expr[] = [first.value];
    while (this.isOp(',')) {
      this.next();
      if (this.isKeyword('in')) break;
      const item = this.primary();
      if (!item.ok) return item;
      items.push(item.value);
    }
    const target: Expr =
      items.length === 1 && this.tokens[this.pos - 1]?.text !== ','
        ? first.value
        : { kind: 'tuple', items, ...this.spanFrom(first.value.span) };
    const check = this.checkAssignable(target, true);
    if (!check.ok) return check;
    return ok(target);
  }
}
