import type { SourceSpan } from '../util/diagnostic';
import { unreachable } from '../util/unreachable';
import type { Position } from './source-file';

/** The kinds of lexical tokens; `indent`/`dedent` come from Python-style indentation. */
export type TokenKind =
  'name' | 'keyword' | 'int' | 'string' | 'op' | 'newline' | 'indent' | 'dedent' | 'eof';

/** One token of a Starlark file. */
export interface Token {
  readonly kind: TokenKind;
  /**
   * Identifier, keyword or operator text; the decoded value of a string literal; the source
   * text of an int literal; empty for layout tokens.
   */
  readonly text: string;
  /** The value of an int literal (0 for other tokens). */
  readonly int: number;
  /** Where the token starts (cut at the end of its first line). */
  readonly span: SourceSpan;
  /** Exclusive end position, possibly on a later line (triple-quoted strings). */
  readonly end: Position;
}

/** Words with a meaning in the grammar. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'and',
  'break',
  'continue',
  'def',
  'elif',
  'else',
  'for',
  'if',
  'in',
  'lambda',
  'load',
  'not',
  'or',
  'pass',
  'return',
]);

/** Python keywords that Starlark reserves; using one is an error, as in Bazel. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  'as',
  'assert',
  'async',
  'await',
  'class',
  'del',
  'except',
  'finally',
  'from',
  'global',
  'import',
  'is',
  'nonlocal',
  'raise',
  'try',
  'while',
  'with',
  'yield',
]);

/** Describes a token for "expected X but found Y" messages. */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'name':
      return `identifier '${t.text}'`;
    case 'keyword':
    case 'op':
      return `'${t.text}'`;
    case 'int':
      return `int literal ${t.text}`;
    case 'string':
      return 'string literal';
    case 'newline':
      return 'newline';
    case 'indent':
      return 'indentation';
    case 'dedent':
      return 'end of block';
    case 'eof':
      return 'end of file';
    default:
      return unreachable(t.kind);
  }
}
