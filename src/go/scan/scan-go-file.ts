import type { Diagnostic, SourceSpan } from '../../util/diagnostic';
import type { Result } from '../../util/result';
import { err, ok } from '../../util/result';
import { parseGoDebugDirective, parseGoEmbedArgs } from './directives';
import type { GoBuildLine } from './file-header';
import { readFileHeaderConstraint } from './file-header';
import { goUnquote } from './go-quote';
import type { GoScanError, GoToken } from './go-scanner';
import { GoScanner } from './go-scanner';
import { isGoGraphic, isGoSpace } from './go-unicode';
import { readGoHeaderExtent } from './import-reader';
import { SourceText } from './source-text';

/** One import spec of a Go file. */
export interface GoImport {
  /** The unquoted import path. */
  readonly path: string;
  /** The local name: an identifier, `_` or `.`; absent for a plain import. */
  readonly name?: string;
  /** Span of the quoted path. */
  readonly span: SourceSpan;
}

/** One pattern of a //go:embed directive. */
export interface GoEmbedPattern {
  readonly pattern: string;
  /** Span of the pattern as written (quotes included). */
  readonly span: SourceSpan;
}

/** A `//go:` comment before the package clause (go/build's Directive). */
export interface GoDirective {
  /** The comment text, e.g. `//go:debug panicnil=1`. */
  readonly text: string;
  readonly span: SourceSpan;
  /** The full source line, for diagnostics. */
  readonly sourceLine: string;
}

/** A well-formed //go:debug directive. */
export interface GoDebugDirective {
  readonly key: string;
  readonly value: string;
  readonly span: SourceSpan;
}

/** What go/build learns from reading a Go file's header. */
export interface GoFileInfo {
  readonly packageName: string;
  /** Span of the package name in the package clause. */
  readonly packageSpan: SourceSpan;
  /** Import specs in source order. */
  readonly imports: readonly GoImport[];
  /** //go:embed patterns anywhere in the file, in source order (only when the file imports "embed"). */
  readonly embedPatterns: readonly GoEmbedPattern[];
  /** The //go:build line, or else the `// +build` lines, if any. */
  readonly goBuild?: GoBuildLine;
  /** Set when the file has two //go:build lines; go/build rejects the file if it gets that far. */
  readonly constraintError?: Diagnostic;
  /** Every `//go:` comment before the package clause, in order. */
  readonly directives: readonly GoDirective[];
  /** The well-formed //go:debug directives (main packages use them for DefaultGODEBUG). */
  readonly goDebug: readonly GoDebugDirective[];
  /** Malformed //go:debug directives; `go build` fails on them ("invalid //go:debug: ..."). */
  readonly goDebugErrors: readonly Diagnostic[];
  /** The file has `import "C"` (a cgo file). */
  readonly importsC: boolean;
  /** The file has a //go:binary-only-package line in its header. */
  readonly binaryOnly: boolean;
}

/**
 * Reads the header of a Go file (package clause, imports, directives before the package clause,
 * //go:embed comments anywhere in the file) like go/build's readGoInfo: the lenient import
 * reader decides where the header ends, then the header is parsed like go/parser does in
 * ImportsOnly mode. A syntax error in the header is a Diagnostic at the exact position, with
 * go/parser's or go/scanner's message.
 *
 * go/build only parses a file after its name and build constraints matched; to skip broken files
 * that are excluded anyway, call {@link matchesBuildContext} with the text first.
 */
export function scanGoFile(displayPath: string, text: string): Result<GoFileInfo, Diagnostic> {
  const src = new SourceText(displayPath, text);
  const extent = readGoHeaderExtent(src.text);
  if (extent.nulOffset !== undefined) {
    return err(src.error(extent.nulOffset, extent.nulOffset + 1, 'unexpected NUL in input'));
  }
  const parsed = new HeaderParser(src, extent.end).parse();
  if (!parsed.ok) return parsed;
  const { packageName, packageOffset, packageNameStart, packageNameEnd, imports, comments } =
    parsed.value;

  const directives: GoDirective[] = [];
  for (const c of comments) {
    if (c.start >= packageOffset) break;
    if (c.text.startsWith('//go:')) {
      const span = src.span(c.start, c.end);
      directives.push({ text: c.text, span, sourceLine: src.lineText(span.line) });
    }
  }
  const goDebug: GoDebugDirective[] = [];
  const goDebugErrors: Diagnostic[] = [];
  for (const d of directives) {
    const setting = parseGoDebugDirective(d.text);
    if (setting === undefined) continue;
    if (setting.ok) goDebug.push({ ...setting.value, span: d.span });
    else
      goDebugErrors.push({
        severity: 'error',
        span: d.span,
        message: `invalid //go:debug: ${setting.failure}`,
        sourceLine: d.sourceLine,
      });
  }

  const header = readFileHeaderConstraint(src);
  return ok({
    packageName,
    packageSpan: src.span(packageNameStart, packageNameEnd),
    imports,
    embedPatterns: imports.some((i) => i.path === 'embed') ? findEmbedPatterns(src) : [],
    ...(header.goBuild !== undefined ? { goBuild: header.goBuild } : {}),
    ...(header.error !== undefined ? { constraintError: header.error } : {}),
    directives,
    goDebug,
    goDebugErrors,
    importsC: imports.some((i) => i.path === 'C'),
    binaryOnly: header.binaryOnly,
  });
}

/**
 * cmd/go's checkDirectives for the files of one compiled package (a test variant's files include
 * its _test.go files): malformed //go:debug lines, keys the toolchain does not know (when
 * `checkSetting` is given: it returns cmd/go's message for a bad key, e.g. `unknown //go:debug
 * setting "x"`) and keys set twice. Empty when all is well.
 */
export function checkGoDebugDirectives(
  files: readonly GoFileInfo[],
  checkSetting?: (key: string, value: string) => string | undefined,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, SourceSpan>();
  for (const f of files) {
    for (const d of f.directives) {
      const setting = parseGoDebugDirective(d.text);
      if (setting === undefined) continue;
      const problem = setting.ok
        ? checkSetting?.(setting.value.key, setting.value.value)
        : setting.failure;
      if (!setting.ok || problem !== undefined) {
        out.push({
          severity: 'error',
          span: d.span,
          message: `invalid //go:debug: ${problem ?? ''}`,
          sourceLine: d.sourceLine,
        });
        continue;
      }
      const prev = seen.get(setting.value.key);
      if (prev !== undefined) {
        out.push({
          severity: 'error',
          span: d.span,
          message: `repeated //go:debug for ${setting.value.key} (previous //go:debug at ${prev.file}:${prev.line}:${prev.col})`,
          sourceLine: d.sourceLine,
        });
        continue;
      }
      seen.set(setting.value.key, d.span);
    }
  }
  return out;
}

function findEmbedPatterns(src: SourceText): GoEmbedPattern[] {
  // go/build scans the whole file for comments, ignoring scanner errors, and silently skips
  // malformed //go:embed lines (the compiler reports them).
  const scanner = new GoScanner(src.text);
  const out: GoEmbedPattern[] = [];
  for (let tok = scanner.scan(); tok.kind !== 'EOF'; tok = scanner.scan()) {
    if (tok.kind !== 'COMMENT' || !tok.text.startsWith('//go:embed')) continue;
    const args = parseGoEmbedArgs(tok.text);
    if (args === undefined || !args.ok) continue;
    for (const a of args.value) {
      out.push({
        pattern: a.arg,
        span: src.span(tok.start + a.offset, tok.start + a.offset + a.length),
      });
    }
  }
  return out;
}

interface ParsedHeader {
  readonly packageName: string;
  readonly packageOffset: number;
  readonly packageNameStart: number;
  readonly packageNameEnd: number;
  readonly imports: GoImport[];
  readonly comments: GoToken[];
}

class HeaderSyntaxError {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

const literalKinds: ReadonlySet<GoToken['kind']> = new Set([
  'IDENT',
  'INT',
  'FLOAT',
  'IMAG',
  'CHAR',
  'STRING',
]);

/** go/parser's parseFile in ImportsOnly mode, stopping at the first error. */
class HeaderParser {
  private readonly scanner: GoScanner;
  private readonly comments: GoToken[] = [];
  private tok: GoToken;

  constructor(
    private readonly src: SourceText,
    private readonly end: number,
  ) {
    this.scanner = new GoScanner(src.text, end);
    this.tok = this.next();
  }

  parse(): Result<ParsedHeader, Diagnostic> {
    try {
      return ok(this.parseFile());
    } catch (e) {
      if (!(e instanceof HeaderSyntaxError)) throw e;
      // go/parser sorts its errors; the scanner may have found one before the parser's.
      const first = earliest([...this.scanner.errors, e]);
      return err(this.diagnostic(first));
    }
  }

  private diagnostic(e: GoScanError): Diagnostic {
    const text = this.src.text;
    if (e.offset === this.end && this.end > 0 && text[this.end - 1] === '\n') {
      // go/token never starts a line at the very end of the parsed text, so Go reports an
      // error at EOF after a final newline at the end of the last line ("a.go:1:19").
      const span = this.src.span(this.end - 1, this.end);
      const col = span.col + 1;
      const sourceLine = this.src.lineText(span.line);
      return {
        severity: 'error',
        span: { ...span, col, endCol: col + 1 },
        message: e.message,
        sourceLine,
      };
    }
    return this.src.error(e.offset, this.tokenEndAt(e.offset), e.message);
  }

  /** End of the token starting at `offset`, for a caret under the whole token. */
  private tokenEndAt(offset: number): number {
    const s = new GoScanner(this.src.text.slice(offset));
    const t = s.scan();
    return offset + Math.max(1, t.end - t.start);
  }

  private next(): GoToken {
    for (;;) {
      const t = this.scanner.scan();
      if (t.kind !== 'COMMENT') return t;
      this.comments.push(t);
    }
  }

  private advance(): void {
    this.tok = this.next();
  }

  private parseFile(): ParsedHeader {
    if (this.scanner.errors.length > 0) this.fail();
    const packageOffset = this.tok.start;
    this.expect('KEYWORD', 'package');
    const nameTok = this.tok;
    if (nameTok.kind !== 'IDENT') this.errorExpected("'IDENT'");
    this.advance();
    this.expectSemi();
    if (this.scanner.errors.length > 0) this.fail();

    const specs: { name?: GoToken; path: GoToken }[] = [];
    while (this.tok.kind === 'KEYWORD' && this.tok.text === 'import') {
      this.advance();
      if (this.isOp('(')) {
        this.advance();
        while (!this.isOp(')') && this.kind() !== 'EOF') specs.push(this.parseImportSpec());
        this.expect('OP', ')');
        this.expectSemi();
      } else {
        specs.push(this.parseImportSpec());
      }
    }
    if (this.scanner.errors.length > 0) this.fail();

    const imports: GoImport[] = [];
    for (const spec of specs) {
      const path = goUnquote(spec.path.text);
      if (path === undefined)
        throw new HeaderSyntaxError(spec.path.start, `invalid quoted string: ${spec.path.text}`);
      if (!isValidImport(path)) {
        throw new HeaderSyntaxError((spec.name ?? spec.path).start, `invalid import path: ${path}`);
      }
      const span = this.src.span(spec.path.start, spec.path.end);
      imports.push(spec.name !== undefined ? { path, name: spec.name.text, span } : { path, span });
    }
    return {
      packageName: nameTok.text,
      packageOffset,
      packageNameStart: nameTok.start,
      packageNameEnd: nameTok.end,
      imports,
      comments: this.comments,
    };
  }

  private parseImportSpec(): { name?: GoToken; path: GoToken } {
    let name: GoToken | undefined;
    if (this.tok.kind === 'IDENT' || this.isOp('.')) {
      name = this.tok;
      this.advance();
    }
    const path = this.tok;
    if (path.kind !== 'STRING') {
      this.error(
        path.start,
        literalKinds.has(path.kind) ? 'import path must be a string' : 'missing import path',
      );
    }
    this.advance();
    this.expectSemi();
    return name !== undefined ? { name, path } : { path };
  }

  /** The current token's kind (a method, so that TypeScript does not keep a stale narrowing). */
  private kind(): GoToken['kind'] {
    return this.tok.kind;
  }

  private isOp(op: string): boolean {
    return this.tok.kind === 'OP' && this.tok.text === op;
  }

  private expect(kind: GoToken['kind'], text: string): void {
    if (this.tok.kind !== kind || this.tok.text !== text) this.errorExpected(`'${text}'`);
    this.advance();
  }

  private expectSemi(): void {
    if (this.isOp(')') || this.isOp('}')) return;
    if (this.tok.kind !== 'SEMICOLON') this.errorExpected("';'");
    this.advance();
  }

  private errorExpected(what: string): never {
    const t = this.tok;
    let found: string;
    if (t.kind === 'SEMICOLON' && t.text === '\n') found = 'newline';
    else if (literalKinds.has(t.kind)) found = t.text;
    else if (t.kind === 'EOF') found = "'EOF'";
    else if (t.kind === 'ILLEGAL') found = "'ILLEGAL'";
    else found = `'${t.text}'`;
    return this.error(t.start, `expected ${what}, found ${found}`);
  }

  private error(offset: number, message: string): never {
    throw new HeaderSyntaxError(offset, message);
  }

  private fail(): never {
    const first = earliest(this.scanner.errors);
    throw new HeaderSyntaxError(first.offset, first.message);
  }
}

/** The error go/parser's sorted ErrorList puts first: by position, then by message. */
function earliest(errors: readonly GoScanError[]): GoScanError {
  let best = errors[0];
  for (const e of errors) {
    if (
      best === undefined ||
      e.offset < best.offset ||
      (e.offset === best.offset && e.message < best.message)
    )
      best = e;
  }
  if (best === undefined) throw new Error('earliest: no errors');
  return best;
}

/** go/build's isValidImport: the implementation restriction on import path characters. */
function isValidImport(s: string): boolean {
  const illegal = '!"#$%&\'()*,:;<=>?[\\]^{|}`\ufffd';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (!isGoGraphic(cp) || isGoSpace(cp) || illegal.includes(ch)) return false;
  }
  return s !== '';
}
