import type { Result } from '../../util/result';
import { err, ok } from '../../util/result';
import { unreachable } from '../../util/unreachable';
import { goTrimSpace } from './go-unicode';

/** A parsed build constraint expression (go/build/constraint.Expr). */
export type BuildExpr =
  | { readonly kind: 'tag'; readonly tag: string }
  | { readonly kind: 'not'; readonly x: BuildExpr }
  | { readonly kind: 'and'; readonly x: BuildExpr; readonly y: BuildExpr }
  | { readonly kind: 'or'; readonly x: BuildExpr; readonly y: BuildExpr };

/** A syntax error in a //go:build expression, at a character offset in the expression text. */
export interface BuildExprSyntaxError {
  readonly offset: number;
  readonly message: string;
}

/** Evaluates an expression, asking `hasTag` about each tag (every tag is asked, like Go's Eval). */
export function evalBuildExpr(x: BuildExpr, hasTag: (tag: string) => boolean): boolean {
  switch (x.kind) {
    case 'tag':
      return hasTag(x.tag);
    case 'not':
      return !evalBuildExpr(x.x, hasTag);
    case 'and': {
      const a = evalBuildExpr(x.x, hasTag);
      const b = evalBuildExpr(x.y, hasTag);
      return a && b;
    }
    case 'or': {
      const a = evalBuildExpr(x.x, hasTag);
      const b = evalBuildExpr(x.y, hasTag);
      return a || b;
    }
    default:
      return unreachable(x);
  }
}

/** Formats an expression in //go:build syntax with the minimal parentheses (Expr.String). */
export function formatBuildExpr(x: BuildExpr): string {
  switch (x.kind) {
    case 'tag':
      return x.tag;
    case 'not': {
      const s = formatBuildExpr(x.x);
      return x.x.kind === 'and' || x.x.kind === 'or' ? `!(${s})` : `!${s}`;
    }
    case 'and':
      return `${operand(x.x, 'or')} && ${operand(x.y, 'or')}`;
    case 'or':
      return `${operand(x.x, 'and')} || ${operand(x.y, 'and')}`;
    default:
      return unreachable(x);
  }
}

function operand(x: BuildExpr, parenthesize: 'and' | 'or'): string {
  const s = formatBuildExpr(x);
  return x.kind === parenthesize ? `(${s})` : s;
}

const maxSize = 1000;

/** Parses the expression of a //go:build line (the text after `//go:build`, trimmed). */
export function parseGoBuildExpr(text: string): Result<BuildExpr, BuildExprSyntaxError> {
  try {
    const p = new ExprParser(text);
    const x = p.or();
    if (p.tok !== '') throw new ExprSyntaxError(p.pos, 'unexpected token ' + p.tok);
    return ok(x);
  } catch (e) {
    if (e instanceof ExprSyntaxError) return err({ offset: e.offset, message: e.message });
    throw e;
  }
}

class ExprSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

// A direct port of constraint.exprParser, including its error offsets and messages.
class ExprParser {
  tok = '';
  isTag = false;
  pos = 0;
  private i = 0;
  private size = 0;

  constructor(private readonly s: string) {}

  or(): BuildExpr {
    let x = this.and();
    while (this.tok === '||') x = { kind: 'or', x, y: this.and() };
    return x;
  }

  and(): BuildExpr {
    let x = this.not();
    while (this.tok === '&&') x = { kind: 'and', x, y: this.not() };
    return x;
  }

  not(): BuildExpr {
    this.size++;
    if (this.size > maxSize) throw new ExprSyntaxError(this.pos, 'build expression too large');
    this.lex();
    if (this.tok === '!') {
      this.lex();
      if (this.tok === '!') throw new ExprSyntaxError(this.pos, 'double negation not allowed');
      return { kind: 'not', x: this.atom() };
    }
    return this.atom();
  }

  atom(): BuildExpr {
    if (this.tok === '(') {
      const pos = this.pos;
      let x: BuildExpr;
      try {
        x = this.or();
      } catch (e) {
        if (e instanceof ExprSyntaxError && e.message === 'unexpected end of expression') {
          throw new ExprSyntaxError(e.offset, 'missing close paren');
        }
        throw e;
      }
      if (this.current() !== ')') throw new ExprSyntaxError(pos, 'missing close paren');
      this.lex();
      return x;
    }
    if (!this.isTag) {
      if (this.tok === '') throw new ExprSyntaxError(this.pos, 'unexpected end of expression');
      throw new ExprSyntaxError(this.pos, 'unexpected token ' + this.tok);
    }
    const tag = this.tok;
    this.lex();
    return { kind: 'tag', tag };
  }

  /** The current token (a method, so that TypeScript does not keep a stale narrowing). */
  current(): string {
    return this.tok;
  }

  lex(): void {
    this.isTag = false;
    while (this.i < this.s.length && (this.s[this.i] === ' ' || this.s[this.i] === '\t')) this.i++;
    if (this.i >= this.s.length) {
      this.tok = '';
      this.pos = this.i;
      return;
    }
    const c = this.s[this.i] ?? '';
    switch (c) {
      case '(':
      case ')':
      case '!':
        this.pos = this.i;
        this.i++;
        this.tok = c;
        return;
      case '&':
      case '|':
        if (this.s[this.i + 1] !== c) throw new ExprSyntaxError(this.i, 'invalid syntax at ' + c);
        this.pos = this.i;
        this.i += 2;
        this.tok = c + c;
        return;
    }
    const m = /^[\p{L}\p{Nd}_.]+/u.exec(this.s.slice(this.i));
    if (m === null) {
      const bad = String.fromCodePoint(this.s.codePointAt(this.i) ?? 0xfffd);
      throw new ExprSyntaxError(this.i, 'invalid syntax at ' + bad);
    }
    this.pos = this.i;
    this.i += m[0].length;
    this.tok = m[0];
    this.isTag = true;
  }
}

/** `constraint.IsPlusBuild`'s split: the text after `// +build`, or undefined. */
export function splitPlusBuildLine(line: string): string | undefined {
  if (line.endsWith('\n')) line = line.slice(0, -1);
  if (line.includes('\n') || !line.startsWith('//')) return undefined;
  line = goTrimSpace(line.slice(2));
  if (!line.startsWith('+build')) return undefined;
  line = line.slice('+build'.length);
  const trimmed = goTrimSpace(line);
  if (line.length === trimmed.length && line !== '') return undefined;
  return trimmed;
}

/**
 * Parses the text of a `// +build` line (after `+build`): space-separated OR of comma-separated
 * AND of possibly negated tags. Invalid tags become `ignore`, as in Go. Undefined when the line
 * is too complex (Go then ignores the line).
 */
export function parsePlusBuildExpr(text: string): BuildExpr | undefined {
  const maxOldSize = 100;
  let size = 0;
  let x: BuildExpr | undefined;
  for (const clause of text.split(
    /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/,
  )) {
    if (clause === '') continue;
    let y: BuildExpr | undefined;
    for (let lit of clause.split(',')) {
      let z: BuildExpr;
      if (lit.startsWith('!!') || lit === '!') {
        z = { kind: 'tag', tag: 'ignore' };
      } else {
        const neg = lit.startsWith('!');
        if (neg) lit = lit.slice(1);
        z = { kind: 'tag', tag: isValidTag(lit) ? lit : 'ignore' };
        if (neg) z = { kind: 'not', x: z };
      }
      if (y === undefined) {
        y = z;
      } else {
        if (++size > maxOldSize) return undefined;
        y = { kind: 'and', x: y, y: z };
      }
    }
    if (y === undefined) continue;
    if (x === undefined) {
      x = y;
    } else {
      if (++size > maxOldSize) return undefined;
      x = { kind: 'or', x, y };
    }
  }
  return x ?? { kind: 'tag', tag: 'ignore' };
}

function isValidTag(word: string): boolean {
  return /^[\p{L}\p{Nd}_.]+$/u.test(word);
}
