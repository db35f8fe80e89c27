import type { SourceSpan } from '../../util/diagnostic';
import type { Diagnostic } from '../../util/diagnostic';

/**
 * A Go source text with a line table, so offsets can be turned into spans and diagnostics.
 *
 * Offsets and columns count UTF-16 code units of the JS string (not bytes as in Go), so that the
 * caret printed by `formatDiagnostic` lines up under the source line. A leading byte order mark
 * is removed first, as go/build does before reading, so positions match its positions.
 */
export class SourceText {
  /** The text without a leading byte order mark. */
  readonly text: string;
  /** Offsets where lines start, found lazily: headers are read from files of any size. */
  private readonly lineStarts: number[] = [0];
  /** How far the text has been searched for line starts. */
  private scanned = 0;

  constructor(
    readonly displayPath: string,
    rawText: string,
  ) {
    this.text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  }

  /** Finds line starts until `offset` is passed or line `line + 1` is known. */
  private scanLines(offset: number, line = Infinity): void {
    const text = this.text;
    while (this.scanned < text.length && this.scanned <= offset && this.lineStarts.length <= line) {
      const nl = text.indexOf('\n', this.scanned);
      if (nl < 0) {
        this.scanned = text.length;
        break;
      }
      this.lineStarts.push(nl + 1);
      this.scanned = nl + 1;
    }
  }

  /** 1-based line of an offset. */
  lineOf(offset: number): number {
    this.scanLines(offset);
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** The span from `start` to `end` (clipped to the end of the start's line). */
  span(start: number, end: number): SourceSpan {
    const line = this.lineOf(start);
    const lineStart = this.lineStarts[line - 1] ?? 0;
    const lineEnd = this.lineEnd(line);
    const col = start - lineStart + 1;
    const endCol = Math.max(col + (end > start ? 1 : 0), Math.min(end, lineEnd) - lineStart + 1);
    return { file: this.displayPath, line, col, endCol };
  }

  /** The text of a 1-based line without its line terminator. */
  lineText(line: number): string {
    this.scanLines(Infinity, line);
    const start = this.lineStarts[line - 1] ?? this.text.length;
    return this.text.slice(start, this.lineEnd(line)).replace(/\r$/, '');
  }

  /** An error diagnostic covering `start`..`end`. */
  error(start: number, end: number, message: string): Diagnostic {
    const span = this.span(start, end);
    return { severity: 'error', span, message, sourceLine: this.lineText(span.line) };
  }

  private lineEnd(line: number): number {
    this.scanLines(Infinity, line);
    const next = this.lineStarts[line];
    return next === undefined ? this.text.length : next - 1;
  }
}
