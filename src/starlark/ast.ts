import type { SourceSpan } from '../util/diagnostic';
import type { Position } from './source-file';

/** Fields every syntax node has. */
interface NodeBase {
  /** Where the node starts, cut at the end of its first line (used for diagnostics). */
  readonly span: SourceSpan;
  /** Exclusive end, possibly on a later line (used to join spans). */
  readonly end: Position;
}

/**
 * How the resolver bound an identifier: a local of the enclosing function (or comprehension), a
 * global of the file, or a free name that must be predeclared or universal.
 */
export type NameScope = 'local' | 'global' | 'free';

/** A name reference; `scope` is filled in by the resolver after parsing. */
export interface Identifier extends NodeBase {
  readonly kind: 'identifier';
  readonly name: string;
  scope: NameScope;
}

/** String or int literal. */
export interface Literal extends NodeBase {
  readonly kind: 'literal';
  readonly value: string | number;
}

/** `[a, b]` or `(a, b)` (also a bare `a, b` in assignments and `for` headers). */
export interface SequenceExpr extends NodeBase {
  readonly kind: 'list' | 'tuple';
  readonly items: readonly Expr[];
}

/** `{k: v, …}`. */
export interface DictExpr extends NodeBase {
  readonly kind: 'dict';
  readonly entries: readonly { readonly key: Expr; readonly value: Expr }[];
}

/** One `for … in …` or `if …` clause of a comprehension. */
export type ComprehensionClause =
  | { readonly kind: 'for'; readonly target: Expr; readonly iterable: Expr }
  | { readonly kind: 'if'; readonly condition: Expr };

/** `[x for x in y if c]` or `{k: v for …}`. */
export interface ComprehensionExpr extends NodeBase {
  readonly kind: 'list-comprehension' | 'dict-comprehension';
  /** The element (list) or key (dict). */
  readonly body: Expr;
  /** The value of a dict comprehension. */
  readonly value: Expr | undefined;
  readonly clauses: readonly ComprehensionClause[];
}

/** Binary operators (after parsing, `not in` is its own operator). */
export type BinaryOperator =
  | 'or'
  | 'and'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'in'
  | 'not in'
  | '|'
  | '^'
  | '&'
  | '<<'
  | '>>'
  | '+'
  | '-'
  | '*'
  | '/'
  | '//'
  | '%';

/** `left op right`. */
export interface BinaryExpr extends NodeBase {
  readonly kind: 'binary';
  readonly op: BinaryOperator;
  /** Span of the operator token. */
  readonly opSpan: SourceSpan;
  readonly left: Expr;
  readonly right: Expr;
}

/** `not x`, `-x`, `+x`, `~x`. */
export interface UnaryExpr extends NodeBase {
  readonly kind: 'unary';
  readonly op: 'not' | '-' | '+' | '~';
  readonly operand: Expr;
}

/** `then if condition else otherwise`. */
export interface ConditionalExpr extends NodeBase {
  readonly kind: 'conditional';
  readonly condition: Expr;
  readonly then: Expr;
  readonly otherwise: Expr;
}

/** `object[index]`. */
export interface IndexExpr extends NodeBase {
  readonly kind: 'index';
  readonly object: Expr;
  readonly index: Expr;
}

/** `object[start:stop:step]`, each part optional. */
export interface SliceExpr extends NodeBase {
  readonly kind: 'slice';
  readonly object: Expr;
  readonly start: Expr | undefined;
  readonly stop: Expr | undefined;
  readonly step: Expr | undefined;
}

/** `object.name`. */
export interface DotExpr extends NodeBase {
  readonly kind: 'dot';
  readonly object: Expr;
  readonly name: string;
  readonly nameSpan: SourceSpan;
}

/** One argument of a call. */
export type Argument =
  | { readonly kind: 'positional'; readonly value: Expr }
  | {
      readonly kind: 'named';
      readonly name: string;
      readonly nameSpan: SourceSpan;
      readonly value: Expr;
    }
  | { readonly kind: 'star'; readonly value: Expr }
  | { readonly kind: 'star-star'; readonly value: Expr };

/** `callee(args…)`. */
export interface CallExpr extends NodeBase {
  readonly kind: 'call';
  readonly callee: Expr;
  /** Span of the callee's name (the attribute for `a.b(…)`), where call errors point. */
  readonly calleeSpan: SourceSpan;
  readonly args: readonly Argument[];
}

/** Any expression. */
export type Expr =
  | Identifier
  | Literal
  | SequenceExpr
  | DictExpr
  | ComprehensionExpr
  | BinaryExpr
  | UnaryExpr
  | ConditionalExpr
  | IndexExpr
  | SliceExpr
  | DotExpr
  | CallExpr;

/** `x = v`, `a, b = v`, `x += v`. */
export interface AssignStmt extends NodeBase {
  readonly kind: 'assign';
  readonly target: Expr;
  /** `=` or the binary operator of an augmented assignment. */
  readonly op: '=' | BinaryOperator;
  readonly opSpan: SourceSpan;
  readonly value: Expr;
}

/** An expression evaluated for its effect (typically a rule call). */
export interface ExprStmt extends NodeBase {
  readonly kind: 'expr';
  readonly expr: Expr;
}

/** `load("label", "sym", alias = "sym2")`. */
export interface LoadStmt extends NodeBase {
  readonly kind: 'load';
  readonly label: string;
  readonly labelSpan: SourceSpan;
  readonly bindings: readonly {
    /** The local name bound. */
    readonly local: Identifier;
    /** The name exported by the loaded file. */
    readonly exported: string;
    readonly exportedSpan: SourceSpan;
  }[];
}

/** A parameter of a `def`. */
export interface Parameter {
  readonly kind: 'required' | 'optional' | 'star' | 'star-star';
  /** Empty for a bare `*` (which only separates keyword-only parameters). */
  readonly name: string;
  readonly span: SourceSpan;
  readonly defaultValue: Expr | undefined;
}

/** `def name(params): body` (.bzl only). */
export interface DefStmt extends NodeBase {
  readonly kind: 'def';
  readonly name: Identifier;
  readonly params: readonly Parameter[];
  readonly body: readonly Stmt[];
  /** Every name local to the function (parameters and names bound in the body). */
  locals: ReadonlySet<string>;
}

/** `if c: … elif c: … else: …` (the `elif` chain is nested in `otherwise`). */
export interface IfStmt extends NodeBase {
  readonly kind: 'if';
  readonly condition: Expr;
  readonly then: readonly Stmt[];
  readonly otherwise: readonly Stmt[];
}

/** `for target in iterable: body`. */
export interface ForStmt extends NodeBase {
  readonly kind: 'for';
  readonly target: Expr;
  readonly iterable: Expr;
  readonly body: readonly Stmt[];
}

/** `return [value]`. */
export interface ReturnStmt extends NodeBase {
  readonly kind: 'return';
  readonly value: Expr | undefined;
}

/** `pass`, `break`, `continue`. */
export interface KeywordStmt extends NodeBase {
  readonly kind: 'pass' | 'break' | 'continue';
}

/** Any statement. */
export type Stmt =
  AssignStmt | ExprStmt | LoadStmt | DefStmt | IfStmt | ForStmt | ReturnStmt | KeywordStmt;
