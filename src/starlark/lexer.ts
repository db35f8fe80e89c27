import type { Diagnostic } from '../util/diagnostic';
import { err, ok, type Result } from '../util/result';
import type { Position, SourceFile } from './source-file';
import { KEYWORDS, RESERVED_WORDS, type Token, type TokenKind } from './token';

/** Multi-character operators, longest first so that the first match is the longest one. */
const OPERATORS: readonly string[] = [
  '//=',
  '<<=',
  '>>=',
  '**',
  '//',
  '<<',
  '>>',
  '==',
  '!=',
  '<=',
  '>=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '&',
  '|',
  '^',
  '~',
  '<',
  '>',
  '=',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  ';',
  '.',
];

/** {@link OPERATORS} grouped by first character (keeping longest-first order), for speed. */
const OPERATORS_BY_FIRST_CHAR: ReadonlyMap<string, readonly string[]> = (() => {
  const m = new Map<string, string[]>();
  for (const op of OPERATORS) {
    const c = op[0] as string;
    m.set(c, [...(m.get(c) ?? []), op]);
  }
  return m;
})();

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}

function isIdentPart(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9');
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/**
 * Splits a Starlark file into tokens, Python style: NEWLINE ends a logical line, INDENT/DEDENT
 * mark indentation changes, and newlines and indentation inside brackets are ignored. Blank and
 * comment-only lines produce nothing. Fails on the first lexical error.
 */
export function tokenize(source: SourceFile): Result<Token[], Diagnostic> {
  return new Lexer(source).run();
}

/** Lexer state; private to {@link tokenize}. */
class Lexer {
  private readonly text: string;
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private depth = 0;
  private readonly indents: number[] = [0];
  private readonly tokens: Token[] = [];

  constructor(private readonly source: SourceFile) {
    this.text = source.text;
  }

  run(): Result<Token[], Diagnostic> {
    const text = this.text;
    let atLineStart = true;
    for (;;) {
      if (atLineStart) {
        atLineStart = false;
        const failure = this.indentation();
        if (failure !== undefined) return err(failure);
      }
      const c = text[this.pos];
      if (c === undefined) break;
      if (c === ' ' || c === '\t' || c === '\f') {
        this.pos++;
        continue;
      }
      if (c === '#') {
        while (this.pos < text.length && text[this.pos] !== '\n') this.pos++;
        continue;
      }
      if (c === '\n' || (c === '\r' && text[this.pos + 1] === '\n')) {
        const last = this.tokens[this.tokens.length - 1];
        if (this.depth === 0 && last !== undefined && last.kind !== 'newline') {
          this.push('newline', '', last.end, { line: last.end.line, col: last.end.col + 1 });
        }
        this.newline(c === '\r' ? 2 : 1);
        atLineStart = this.depth === 0;
        continue;
      }
      if (c === '\\' && (text[this.pos + 1] === '\n' || text.startsWith('\r\n', this.pos + 1))) {
        // Explicit line joining: the next physical line continues this logical line.
        this.newline(text[this.pos + 1] === '\r' ? 3 : 2);
        continue;
      }
      const failure = this.token(c);
      if (failure !== undefined) return err(failure);
    }
    const last = this.tokens[this.tokens.length - 1];
    const endPos: Position = last?.end ?? { line: 1, col: 1 };
    const after: Position = { line: endPos.line, col: endPos.col + 1 };
    // Inside unclosed brackets the parser should report the end of file, not a newline.
    if (last !== undefined && last.kind !== 'newline' && this.depth === 0) {
      this.push('newline', '', endPos, after);
    }
    while (this.indents.length > 1) {
      this.indents.pop();
      this.push('dedent', '', endPos, after);
    }
    this.push('eof', '', endPos, after);
    return ok(this.tokens);
  }

  private get col(): number {
    return this.pos - this.lineStart + 1;
  }

  private position(): Position {
    return { line: this.line, col: this.col };
  }

  private newline(width: number): void {
    this.pos += width;
    this.line++;
    this.lineStart = this.pos;
  }

  private push(kind: TokenKind, text: string, start: Position, end: Position, int = 0): void {
    this.tokens.push({ kind, text, int, span: this.source.span(start, end), end });
  }

  private error(start: Position, width: number, message: string): Diagnostic {
    return this.source.diagnostic(
      this.source.span(start, { line: start.line, col: start.col + width }),
      message,
    );
  }

  /** Measures the indentation of a new logical line and emits INDENT/DEDENT tokens. */
  private indentation(): Diagnostic | undefined {
    const text = this.text;
    let p = this.pos;
    let tabAt = -1;
    while (text[p] === ' ' || text[p] === '\t' || text[p] === '\f') {
      if (text[p] === '\t' && tabAt < 0) tabAt = p;
      p++;
    }
    const next = text[p];
    // Blank and comment-only lines do not take part in indentation.
    if (next === undefined || next === '\n' || next === '#' || text.startsWith('\r\n', p)) {
      return undefined;
    }
    if (tabAt >= 0) {
      // Bazel rejects tabs here: their width is ambiguous, and buildifier never writes them.
      return this.error(
        { line: this.line, col: tabAt - this.lineStart + 1 },
        1,
        'tab characters are not allowed for indentation; use spaces instead',
      );
    }
    const width = p - this.pos;
    this.pos = p;
    const here = this.position();
    const after = { line: here.line, col: here.col + 1 };
    const current = this.indents[this.indents.length - 1] ?? 0;
    if (width > current) {
      this.indents.push(width);
      this.push('indent', '', here, after);
    } else if (width < current) {
      while (width < (this.indents[this.indents.length - 1] ?? 0)) {
        this.indents.pop();
        this.push('dedent', '', here, after);
      }
      if (width !== this.indents[this.indents.length - 1]) {
        return this.error(here, 1, 'unindent does not match any outer indentation level');
      }
    }
    return undefined;
  }

  /** Lexes one token starting with `c` at the current position. */
  private token(c: string): Diagnostic | undefined {
    const text = this.text;
    const start = this.position();
    if ((c === 'r' || c === 'R') && (text[this.pos + 1] === '"' || text[this.pos + 1] === "'")) {
      this.pos++;
      return this.string(start, true);
    }
    if (c === '"' || c === "'") return this.string(start, false);
    if (isIdentStart(c)) {
      let p = this.pos + 1;
      while (p < text.length && isIdentPart(text[p] as string)) p++;
      const word = text.slice(this.pos, p);
      if (RESERVED_WORDS.has(word)) {
        return this.error(start, word.length, `keyword '${word}' is not supported`);
      }
      this.pos = p;
      this.push(KEYWORDS.has(word) ? 'keyword' : 'name', word, start, this.position());
      return undefined;
    }
    if (isDigit(c) || (c === '.' && isDigit(text[this.pos + 1] ?? ''))) return this.number(start);
    for (const op of OPERATORS_BY_FIRST_CHAR.get(c) ?? []) {
      if (text.startsWith(op, this.pos)) {
        this.pos += op.length;
        if (op === '(' || op === '[' || op === '{') this.depth++;
        // An unbalanced closer is left for the parser to report at the right place.
        if ((op === ')' || op === ']' || op === '}') && this.depth > 0) this.depth--;
        this.push('op', op, start, this.position());
        return undefined;
      }
    }
    return this.error(start, 1, `invalid character '${c}'`);
  }

  private number(start: Position): Diagnostic | undefined {
    const text = this.text;
    let p = this.pos;
    while (p < text.length && (isIdentPart(text[p] as string) || text[p] === '.')) p++;
    const literal = text.slice(this.pos, p);
    const fail = (message: string): Diagnostic => this.error(start, literal.length, message);
    let digits: string;
    let radix: number;
    const prefix = literal.slice(0, 2).toLowerCase();
    if (prefix === '0x' || prefix === '0o' || prefix === '0b') {
      radix = prefix === '0x' ? 16 : prefix === '0o' ? 8 : 2;
      digits = literal.slice(2);
      const valid = radix === 16 ? /^[0-9a-fA-F]+$/ : radix === 8 ? /^[0-7]+$/ : /^[01]+$/;
      if (!valid.test(digits)) return fail(`invalid int literal '${literal}'`);
    } else {
      radix = 10;
      digits = literal;
      if (/[.eE]/.test(literal) && /^[0-9]*\.?[0-9]*([eE][+-]?[0-9]+)?$/.test(literal)) {
        return fail('floating-point numbers are not supported');
      }
      if (!/^[0-9]+$/.test(literal)) return fail(`invalid int literal '${literal}'`);
      if (literal.length > 1 && literal[0] === '0' && /[1-9]/.test(literal)) {
        return fail(`invalid int literal '${literal}' (use the 0o prefix for octal)`);
      }
    }
    const big = BigInt(radix === 10 ? digits : `${prefix}${digits}`);
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
      return fail(`int literal '${literal}' is too large (the limit is 2^53 - 1)`);
    }
    this.pos = p;
    this.push('int', literal, start, this.position(), Number(big));
    return undefined;
  }

  /** Lexes a string literal; `this.pos` is at the opening quote (after any `r` prefix). */
  private string(start: Position, raw: boolean): Diagnostic | undefined {
    const text = this.text;
    const quote = text[this.pos] as string;
    const triple = text.startsWith(quote.repeat(3), this.pos);
    const openWidth = (raw ? 1 : 0) + (triple ? 3 : 1);
    const unterminated = (): Diagnostic =>
      this.error(start, openWidth, 'unterminated string literal');
    this.pos += triple ? 3 : 1;
    let out = '';
    for (;;) {
      const c = text[this.pos];
      if (c === undefined) return unterminated();
      if (c === quote && (!triple || text.startsWith(quote.repeat(3), this.pos))) {
        this.pos += triple ? 3 : 1;
        break;
      }
      if (c === '\n' || (c === '\r' && text[this.pos + 1] === '\n')) {
        if (!triple) return unterminated();
        out += '\n';
        this.newline(c === '\r' ? 2 : 1);
        continue;
      }
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      const next = text[this.pos + 1];
      if (next === undefined) return unterminated();
      if (next === '\n' || (next === '\r' && text[this.pos + 2] === '\n')) {
        // Backslash-newline: a line continuation, kept verbatim in raw strings.
        if (raw) out += '\\\n';
        this.newline(next === '\r' ? 3 : 2);
        continue;
      }
      if (raw) {
        // In raw strings a backslash stays, but still prevents the next quote from closing.
        out += '\\' + next;
        this.pos += 2;
        continue;
      }
      const decoded = this.escape();
      if (typeof decoded !== 'string') return decoded;
      out += decoded;
    }
    this.push('string', out, start, this.position());
    return undefined;
  }

  /** Decodes the escape sequence at `this.pos` (a backslash) and advances past it. */
  private escape(): string | Diagnostic {
    const text = this.text;
    const at = this.position();
    const next = text[this.pos + 1] as string;
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      this.pos += 2;
      return simple;
    }
    if (next >= '0' && next <= '7') {
      let p = this.pos + 1;
      while (p < this.pos + 4 && (text[p] ?? '') >= '0' && (text[p] ?? '') <= '7') p++;
      const code = parseInt(text.slice(this.pos + 1, p), 8);
      if (code > 255) return this.error(at, p - this.pos, 'octal escape value > 255');
      this.pos = p;
      return String.fromCharCode(code);
    }
    const hexWidth = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hexWidth > 0) {
      const hex = text.slice(this.pos + 2, this.pos + 2 + hexWidth);
      if (hex.length !== hexWidth || !/^[0-9a-fA-F]+$/.test(hex)) {
        return this.error(
          at,
          2 + hex.length,
          `invalid escape sequence: \\${next} needs exactly ${hexWidth} hexadecimal digits`,
        );
      }
      const code = parseInt(hex, 16);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        return this.error(
          at,
          2 + hexWidth,
          `invalid Unicode code point in escape: \\${next}${hex}`,
        );
      }
      this.pos += 2 + hexWidth;
      return String.fromCodePoint(code);
    }
    return this.error(at, 2, `invalid escape sequence: \\${next}. Use '\\\\' to insert '\\'.`);
  }
}
