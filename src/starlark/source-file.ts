import { makeDiagnostic, type Diagnostic, type SourceSpan } from '../util/diagnostic';

/** A line/column position (both 1-based); used for the exclusive end of tokens and nodes. */
export interface Position {
  readonly line: number;
  readonly col: number;
}

/**
 * The text of one Starlark file with its display path: builds spans and diagnostics for it.
 * Kept with the parsed module so that evaluation errors can quote the source line.
 */
export class SourceFile {
  private readonly lineStarts: number[] = [0];

  constructor(
    /** Workspace-relative path, as printed in diagnostics. */
    readonly path: string,
    readonly text: string,
  ) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 0x0a) this.lineStarts.push(i + 1);
    }
  }

  /** Column just past the last character of `line` (excluding `\r\n`). */
  lineEndCol(line: number): number {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return 1;
    let end = this.lineStarts[line] ?? this.text.length + 1;
    end -= 1; // drop the '\n' (or the virtual one after the last line)
    if (end > start && this.text.charCodeAt(end - 1) === 0x0d) end -= 1;
    return end - start + 1;
  }

  /**
   * The span from `start` to `end` (exclusive). A span that ends on a later line is cut at the
   * end of its first line, because {@link SourceSpan} marks a single line.
   */
  span(start: Position, end: Position): SourceSpan {
    const endCol =
      end.line === start.line ? Math.max(end.col, start.col + 1) : this.lineEndCol(start.line);
    return {
      file: this.path,
      line: start.line,
      col: start.col,
      endCol: Math.max(endCol, start.col + 1),
    };
  }

  /** A diagnostic about a span of this file. */
  diagnostic(
    span: SourceSpan,
    message: string,
    severity: Diagnostic['severity'] = 'error',
  ): Diagnostic {
    return makeDiagnostic(severity, span, message, this.text);
  }
}
