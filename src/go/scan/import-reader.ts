// A port of go/build's importReader (read.go): the fast, lenient reader that finds where a Go
// file's header (package clause and imports) ends, and that reads the leading comments of
// non-Go files. Its decisions change which bytes go/build hands to the parser and to the
// build-constraint reader, so they are reproduced exactly, quirks included.

/** How far the reader got. */
export interface HeaderExtent {
  /** End offset (exclusive) of the header that go/build parses. */
  readonly end: number;
  /** Offset of a NUL byte that stopped the reader (go/build then rejects the file). */
  readonly nulOffset?: number;
  /** True when the lenient reader found a syntax error (the header is then the whole file). */
  readonly syntaxError: boolean;
}

class ImportReader {
  private i = 0;
  private peek = 0;
  eof = false;
  err: 'syntax' | 'nul' | undefined;
  nulOffset = -1;

  constructor(private readonly s: string) {}

  /** Characters consumed so far (go/build's len(r.buf)). */
  get consumed(): number {
    return this.i;
  }

  syntaxError(): void {
    if (this.err === undefined) this.err = 'syntax';
  }

  readByte(): number {
    if (this.i >= this.s.length) {
      this.eof = true;
      return 0;
    }
    const c = this.s.charCodeAt(this.i++);
    if (c === 0 && this.err === undefined) {
      this.err = 'nul';
      this.nulOffset = this.i - 1;
    }
    return c;
  }

  peekByte(skipSpace: boolean): number {
    if (this.err !== undefined) return 0;
    let c = this.peek;
    if (c === 0) c = this.readByte();
    while (this.err === undefined && !this.eof) {
      if (skipSpace) {
        if (c === 0x20 || c === 0x0c || c === 0x09 || c === 0x0d || c === 0x0a || c === 0x3b) {
          c = this.readByte();
          continue;
        }
        if (c === 0x2f) {
          c = this.readByte();
          if (c === 0x2f) {
            while (c !== 0x0a && this.err === undefined && !this.eof) c = this.readByte();
          } else if (c === 0x2a) {
            let c1 = 0;
            while ((c !== 0x2a || c1 !== 0x2f) && this.err === undefined) {
              if (this.eof) this.syntaxError();
              c = c1;
              c1 = this.readByte();
            }
          } else {
            this.syntaxError();
          }
          c = this.readByte();
          continue;
        }
      }
      break;
    }
    this.peek = c;
    return c;
  }

  nextByte(skipSpace: boolean): number {
    const c = this.peekByte(skipSpace);
    this.peek = 0;
    return c;
  }

  readKeyword(kw: string): void {
    this.peekByte(true);
    for (let k = 0; k < kw.length; k++) {
      if (this.nextByte(false) !== kw.charCodeAt(k)) {
        this.syntaxError();
        return;
      }
    }
    if (isIdent(this.peekByte(false))) this.syntaxError();
  }

  readIdent(): void {
    const c = this.peekByte(true);
    if (!isIdent(c)) {
      this.syntaxError();
      return;
    }
    while (isIdent(this.peekByte(false))) this.peek = 0;
  }

  readString(): void {
    switch (this.nextByte(true)) {
      case 0x60:
        while (this.err === undefined) {
          if (this.nextByte(false) === 0x60) break;
          if (this.eof) this.syntaxError();
        }
        break;
      case 0x22:
        while (this.err === undefined) {
          const c = this.nextByte(false);
          if (c === 0x22) break;
          if (this.eof || c === 0x0a) this.syntaxError();
          if (c === 0x5c) this.nextByte(false);
        }
        break;
      default:
        this.syntaxError();
    }
  }

  readImport(): void {
    const c = this.peekByte(true);
    if (c === 0x2e) this.peek = 0;
    else if (isIdent(c)) this.readIdent();
    this.readString();
  }
}

function isIdent(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x5f ||
    c >= 0x80
  );
}

/** Where go/build's readGoInfo stops reading a Go file (BOM already removed). */
export function readGoHeaderExtent(text: string): HeaderExtent {
  const r = new ImportReader(text);
  r.readKeyword('package');
  r.readIdent();
  while (r.peekByte(true) === 0x69 /* i */) {
    r.readKeyword('import');
    if (r.peekByte(true) === 0x28 /* ( */) {
      r.nextByte(false);
      while (r.peekByte(true) !== 0x29 /* ) */ && r.err === undefined) r.readImport();
      r.nextByte(false);
    } else {
      r.readImport();
    }
  }
  if (r.err === 'nul') return { end: r.consumed, nulOffset: r.nulOffset, syntaxError: false };
  if (r.err === 'syntax') return { end: text.length, syntaxError: true };
  // Stopped before EOF: the last byte read told the reader the header was over; leave it out.
  return { end: r.eof ? r.consumed : r.consumed - 1, syntaxError: false };
}

/**
 * go/build's readComments on a non-Go file: true when its leading comments read cleanly. When
 * they do not (a stray `/`, an unterminated comment, a NUL byte), go/build keeps the file without
 * looking at its build constraints.
 */
export function leadingCommentsReadCleanly(text: string): boolean {
  const r = new ImportReader(text);
  r.peekByte(true);
  return r.err === undefined;
}
