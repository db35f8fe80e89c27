import { isGoDigit, isGoLetter, isGoPrint } from './go-unicode';

/** Token classes of the Go scanner (go/token), folded to what pgobuild's readers need. */
export type GoTokenKind =
  | 'IDENT'
  | 'INT'
  | 'FLOAT'
  | 'IMAG'
  | 'CHAR'
  | 'STRING'
  | 'COMMENT'
  | 'KEYWORD'
  | 'OP'
  | 'SEMICOLON'
  | 'ILLEGAL'
  | 'EOF';

/** One token. Offsets index the scanned JS string; `end` is exclusive. */
export interface GoToken {
  readonly kind: GoTokenKind;
  /**
   * The literal text (identifiers, literals, comments with carriage returns removed), the
   * keyword or operator, `;` for an explicit and `\n` for an automatic semicolon, '' at EOF.
   */
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** A lexical error at an offset, with go/scanner's message. */
export interface GoScanError {
  readonly offset: number;
  readonly message: string;
}

const keywords = new Set([
  'break',
  'case',
  'chan',
  'const',
  'continue',
  'default',
  'defer',
  'else',
  'fallthrough',
  'for',
  'func',
  'go',
  'goto',
  'if',
  'import',
  'interface',
  'map',
  'package',
  'range',
  'return',
  'select',
  'struct',
  'switch',
  'type',
  'var',
]);

const EOF = -1;
const BOM = 0xfeff;

/**
 * A port of go/scanner in ScanComments mode: comments are tokens, semicolons are inserted
 * automatically, errors are reported and scanning goes on, like Go's. `//line` directives are not
 * interpreted (positions are always physical).
 */
export class GoScanner {
  /** Errors in the order they were found. */
  readonly errors: GoScanError[] = [];
  private ch = EOF;
  private offset = 0;
  private rdOffset = 0;
  private insertSemi = false;
  private nlPos = -1;

  /** Scans `src` up to `end` (default: all of it), as if the text stopped there. */
  constructor(
    private readonly src: string,
    private readonly end: number = src.length,
  ) {
    this.next();
    if (this.ch === BOM) this.next();
  }

  /** The next token; EOF repeats forever. */
  scan(): GoToken {
    if (this.nlPos >= 0) {
      const pos = this.nlPos;
      this.nlPos = -1;
      return { kind: 'SEMICOLON', text: '\n', start: pos, end: pos };
    }
    for (;;) {
      const c = this.ch;
      if (c === 0x20 || c === 0x09 || c === 0x0d || (c === 0x0a && !this.insertSemi)) this.next();
      else break;
    }
    const start = this.offset;
    const ch = this.ch;
    let insertSemi = false;
    let tok: GoToken;

    if (isLetter(ch)) {
      const lit = this.scanIdentifier();
      const isKeyword = lit.length > 1 && keywords.has(lit);
      insertSemi =
        !isKeyword ||
        lit === 'break' ||
        lit === 'continue' ||
        lit === 'fallthrough' ||
        lit === 'return';
      tok = { kind: isKeyword ? 'KEYWORD' : 'IDENT', text: lit, start, end: this.offset };
    } else if (isDecimal(ch) || (ch === 0x2e && isDecimal(this.peek()))) {
      insertSemi = true;
      const kind = this.scanNumber();
      tok = { kind, text: this.src.slice(start, this.offset), start, end: this.offset };
    } else {
      this.next();
      switch (ch) {
        case EOF:
          if (this.insertSemi) {
            this.insertSemi = false;
            return { kind: 'SEMICOLON', text: '\n', start, end: start };
          }
          return { kind: 'EOF', text: '', start, end: start };
        case 0x0a:
          this.insertSemi = false;
          return { kind: 'SEMICOLON', text: '\n', start, end: start };
        case 0x22: // "
          insertSemi = true;
          this.scanString(start);
          tok = {
            kind: 'STRING',
            text: this.src.slice(start, this.offset),
            start,
            end: this.offset,
          };
          break;
        case 0x27: // '
          insertSemi = true;
          this.scanRune(start);
          tok = { kind: 'CHAR', text: this.src.slice(start, this.offset), start, end: this.offset };
          break;
        case 0x60: // `
          insertSemi = true;
          this.scanRawString(start);
          tok = {
            kind: 'STRING',
            text: this.src.slice(start, this.offset).replace(/\r/g, ''),
            start,
            end: this.offset,
          };
          break;
        case 0x2f: // /
          if (this.ch === 0x2f || this.ch === 0x2a) {
            const { text, nlOffset } = this.scanComment(start);
            if (this.insertSemi && nlOffset >= 0) {
              // A /*...*/ comment containing a newline ends the statement: the comment comes
              // first, then a semicolon at the first newline.
              this.nlPos = nlOffset;
              this.insertSemi = false;
            } else {
              insertSemi = this.insertSemi;
            }
            tok = { kind: 'COMMENT', text, start, end: this.offset };
          } else {
            tok = this.op(start, this.ch === 0x3d ? 1 : 0);
          }
          break;
        default: {
          const opLen = this.operatorLength(ch);
          if (opLen === undefined) {
            if (ch !== BOM) {
              if (ch === 0x201c || ch === 0x201d) {
                this.error(
                  start,
                  `curly quotation mark '${String.fromCodePoint(ch)}' (use neutral '"')`,
                );
              } else {
                this.error(start, `illegal character ${formatU(ch)}`);
              }
            }
            insertSemi = this.insertSemi;
            tok = { kind: 'ILLEGAL', text: String.fromCodePoint(ch), start, end: this.offset };
          } else {
            tok = this.op(start, opLen - 1);
            if (tok.text === ';') {
              tok = { kind: 'SEMICOLON', text: ';', start, end: this.offset };
            } else {
              insertSemi = [')', ']', '}', '++', '--'].includes(tok.text);
            }
          }
        }
      }
    }
    this.insertSemi = insertSemi;
    return tok;
  }

  private op(start: number, extra: number): GoToken {
    for (let i = 0; i < extra; i++) this.next();
    return { kind: 'OP', text: this.src.slice(start, this.offset), start, end: this.offset };
  }

  /**
   * For an operator starting with `first` (already consumed; `this.ch` is the next character),
   * the operator's total length in characters; undefined when `first` starts no token.
   */
  private operatorLength(first: number): number | undefined {
    const c1 = this.ch;
    const c2 = this.rdOffset < this.end ? this.src.charCodeAt(this.rdOffset) : 0;
    const eq = 0x3d;
    switch (String.fromCharCode(first)) {
      case ',':
      case ';':
      case '(':
      case ')':
      case '[':
      case ']':
      case '{':
      case '}':
      case '~':
        return 1;
      case ':':
        return c1 === eq ? 2 : 1;
      case '.':
        return c1 === 0x2e && c2 === 0x2e ? 3 : 1;
      case '+':
      case '-':
        return c1 === first || c1 === eq ? 2 : 1;
      case '*':
      case '%':
      case '^':
      case '=':
      case '!':
        return c1 === eq ? 2 : 1;
      case '<':
        if (c1 === 0x2d) return 2; // <-
        if (c1 === 0x3c) return c2 === eq ? 3 : 2;
        return c1 === eq ? 2 : 1;
      case '>':
        if (c1 === 0x3e) return c2 === eq ? 3 : 2;
        return c1 === eq ? 2 : 1;
      case '&':
        if (c1 === 0x5e) return c2 === eq ? 3 : 2; // &^ &^=
        return c1 === 0x26 || c1 === eq ? 2 : 1;
      case '|':
        return c1 === 0x7c || c1 === eq ? 2 : 1;
      default:
        return undefined;
    }
  }

  private next(): void {
    if (this.rdOffset < this.end) {
      this.offset = this.rdOffset;
      const r = this.src.codePointAt(this.rdOffset) ?? 0;
      if (r === 0) this.error(this.offset, 'illegal character NUL');
      else if (r === BOM && this.offset > 0) this.error(this.offset, 'illegal byte order mark');
      this.rdOffset += r > 0xffff ? 2 : 1;
      this.ch = r;
    } else {
      this.offset = this.end;
      this.ch = EOF;
    }
  }

  /** The current character (a method, so that TypeScript does not keep a stale narrowing). */
  private current(): number {
    return this.ch;
  }

  private peek(): number {
    return this.rdOffset < this.end ? this.src.charCodeAt(this.rdOffset) : 0;
  }

  private error(offset: number, message: string): void {
    this.errors.push({ offset, message });
  }

  private scanIdentifier(): string {
    const start = this.offset;
    while (isLetter(this.ch) || isDigit(this.ch)) this.next();
    return this.src.slice(start, this.offset);
  }

  private digits(base: number, invalid: { at: number } | undefined): number {
    let digsep = 0;
    if (base <= 10) {
      const max = 0x30 + base;
      while (isDecimal(this.ch) || this.ch === 0x5f) {
        let ds = 1;
        if (this.ch === 0x5f) ds = 2;
        else if (this.ch >= max && invalid !== undefined && invalid.at < 0)
          invalid.at = this.offset;
        digsep |= ds;
        this.next();
      }
    } else {
      while (isHex(this.ch) || this.ch === 0x5f) {
        digsep |= this.ch === 0x5f ? 2 : 1;
        this.next();
      }
    }
    return digsep;
  }

  private scanNumber(): 'INT' | 'FLOAT' | 'IMAG' {
    const offs = this.offset;
    let tok: 'INT' | 'FLOAT' | 'IMAG' | 'ILLEGAL' = 'ILLEGAL';
    let base = 10;
    let prefix = '';
    let digsep = 0;
    const invalid = { at: -1 };
    if (this.ch !== 0x2e) {
      tok = 'INT';
      if (this.ch === 0x30) {
        this.next();
        switch (lower(this.ch)) {
          case 0x78:
            this.next();
            base = 16;
            prefix = 'x';
            break;
          case 0x6f:
            this.next();
            base = 8;
            prefix = 'o';
            break;
          case 0x62:
            this.next();
            base = 2;
            prefix = 'b';
            break;
          default:
            base = 8;
            prefix = '0';
            digsep = 1;
        }
      }
      digsep |= this.digits(base, invalid);
    }
    if (this.ch === 0x2e) {
      tok = 'FLOAT';
      if (prefix === 'o' || prefix === 'b') {
        this.error(this.offset, 'invalid radix point in ' + litname(prefix));
      }
      this.next();
      digsep |= this.digits(base, invalid);
    }
    if ((digsep & 1) === 0) this.error(this.offset, litname(prefix) + ' has no digits');
    const e = lower(this.ch);
    if (e === 0x65 || e === 0x70) {
      const ech = String.fromCodePoint(this.ch);
      if (e === 0x65 && prefix !== '' && prefix !== '0') {
        this.error(this.offset, `'${ech}' exponent requires decimal mantissa`);
      } else if (e === 0x70 && prefix !== 'x') {
        this.error(this.offset, `'${ech}' exponent requires hexadecimal mantissa`);
      }
      this.next();
      tok = 'FLOAT';
      if (this.ch === 0x2b || this.ch === 0x2d) this.next();
      const ds = this.digits(10, undefined);
      digsep |= ds;
      if ((ds & 1) === 0) this.error(this.offset, 'exponent has no digits');
    } else if (prefix === 'x' && tok === 'FLOAT') {
      this.error(this.offset, "hexadecimal mantissa requires a 'p' exponent");
    }
    if (this.ch === 0x69) {
      tok = 'IMAG';
      this.next();
    }
    const lit = this.src.slice(offs, this.offset);
    if (tok === 'INT' && invalid.at >= 0) {
      const d = this.src[invalid.at] ?? '';
      this.error(invalid.at, `invalid digit '${d}' in ${litname(prefix)}`);
    }
    if ((digsep & 2) !== 0) {
      const i = invalidSep(lit);
      if (i >= 0) this.error(offs + i, "'_' must separate successive digits");
    }
    // A number always has a kind once scanned; ILLEGAL only survives for "." (not reached here).
    return tok === 'ILLEGAL' ? 'INT' : tok;
  }

  private scanEscape(quote: number): boolean {
    const offs = this.offset;
    let n: number;
    let base: number;
    let max: number;
    switch (this.ch) {
      case 0x61: // a b f n r t v \
      case 0x62:
      case 0x66:
      case 0x6e:
      case 0x72:
      case 0x74:
      case 0x76:
      case 0x5c:
      case quote:
        this.next();
        return true;
      case 0x30:
      case 0x31:
      case 0x32:
      case 0x33:
      case 0x34:
      case 0x35:
      case 0x36:
      case 0x37:
        [n, base, max] = [3, 8, 255];
        break;
      case 0x78:
        this.next();
        [n, base, max] = [2, 16, 255];
        break;
      case 0x75:
        this.next();
        [n, base, max] = [4, 16, 0x10ffff];
        break;
      case 0x55:
        this.next();
        [n, base, max] = [8, 16, 0x10ffff];
        break;
      default:
        this.error(
          offs,
          this.ch < 0 ? 'escape sequence not terminated' : 'unknown escape sequence',
        );
        return false;
    }
    let x = 0;
    for (; n > 0; n--) {
      const d = digitVal(this.ch);
      if (d >= base) {
        this.error(
          this.offset,
          this.ch < 0
            ? 'escape sequence not terminated'
            : `illegal character ${formatU(this.ch)} in escape sequence`,
        );
        return false;
      }
      x = x * base + d;
      this.next();
    }
    if (x > max || (x >= 0xd800 && x < 0xe000)) {
      this.error(offs, 'escape sequence is invalid Unicode code point');
      return false;
    }
    return true;
  }

  private scanRune(offs: number): void {
    let valid = true;
    let n = 0;
    for (;;) {
      const ch = this.ch;
      if (ch === 0x0a || ch < 0) {
        if (valid) {
          this.error(offs, 'rune literal not terminated');
          valid = false;
        }
        break;
      }
      this.next();
      if (ch === 0x27) break;
      n++;
      if (ch === 0x5c && !this.scanEscape(0x27)) valid = false;
    }
    if (valid && n !== 1) this.error(offs, 'illegal rune literal');
  }

  private scanString(offs: number): void {
    for (;;) {
      const ch = this.ch;
      if (ch === 0x0a || ch < 0) {
        this.error(offs, 'string literal not terminated');
        break;
      }
      this.next();
      if (ch === 0x22) break;
      if (ch === 0x5c) this.scanEscape(0x22);
    }
  }

  private scanRawString(offs: number): void {
    for (;;) {
      const ch = this.ch;
      if (ch < 0) {
        this.error(offs, 'raw string literal not terminated');
        break;
      }
      this.next();
      if (ch === 0x60) break;
    }
  }

  /** The comment text (carriage returns removed) and the offset of its first newline, or -1. */
  private scanComment(offs: number): { text: string; nlOffset: number } {
    let nlOffset = -1;
    if (this.ch === 0x2f) {
      this.next();
      while (this.current() !== 0x0a && this.current() >= 0) this.next();
    } else {
      this.next();
      let terminated = false;
      while (this.ch >= 0) {
        const ch = this.ch;
        if (ch === 0x0a && nlOffset < 0) nlOffset = this.offset;
        this.next();
        if (ch === 0x2a && this.ch === 0x2f) {
          this.next();
          terminated = true;
          break;
        }
      }
      if (!terminated) this.error(offs, 'comment not terminated');
    }
    return { text: this.src.slice(offs, this.offset).replace(/\r/g, ''), nlOffset };
  }
}

/** True for the keywords of Go. */
export function isGoKeyword(s: string): boolean {
  return keywords.has(s);
}

function isLetter(ch: number): boolean {
  if (ch < 0) return false;
  const l = lower(ch);
  return (l >= 0x61 && l <= 0x7a) || ch === 0x5f || (ch >= 0x80 && isGoLetter(ch));
}

function isDigit(ch: number): boolean {
  return isDecimal(ch) || (ch >= 0x80 && isGoDigit(ch));
}

function isDecimal(ch: number): boolean {
  return ch >= 0x30 && ch <= 0x39;
}

function isHex(ch: number): boolean {
  const l = lower(ch);
  return isDecimal(ch) || (l >= 0x61 && l <= 0x66);
}

/** Go's `lower`: lower-case for ASCII letters, garbage (but never a letter) otherwise. */
function lower(ch: number): number {
  return ch < 0 ? ch : ch | 0x20;
}

function digitVal(ch: number): number {
  if (isDecimal(ch)) return ch - 0x30;
  const l = lower(ch);
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return 16;
}

function litname(prefix: string): string {
  switch (prefix) {
    case 'x':
      return 'hexadecimal literal';
    case 'o':
    case '0':
      return 'octal literal';
    case 'b':
      return 'binary literal';
    default:
      return 'decimal literal';
  }
}

function invalidSep(x: string): number {
  let x1 = ' ';
  let d = '.';
  let i = 0;
  if (x.length >= 2 && x[0] === '0') {
    x1 = (x[1] ?? '').toLowerCase();
    if (x1 === 'x' || x1 === 'o' || x1 === 'b') {
      d = '0';
      i = 2;
    }
  }
  for (; i < x.length; i++) {
    const p = d;
    d = x[i] ?? '';
    if (d === '_') {
      if (p !== '0') return i;
    } else if (/[0-9]/.test(d) || (x1 === 'x' && /[0-9a-fA-F]/.test(d))) {
      d = '0';
    } else {
      if (p === '_') return i - 1;
      d = '.';
    }
  }
  return d === '_' ? x.length - 1 : -1;
}

/** Go's `%#U`: `U+0023 '#'`, without the quoted character when it is not printable. */
function formatU(cp: number): string {
  const hex = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
  return isGoPrint(cp) ? `${hex} '${String.fromCodePoint(cp)}'` : hex;
}
