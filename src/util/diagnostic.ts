/**
 * A position range in a user file. Lines and columns are 1-based; `endCol` is exclusive and on
 * `line` (a span that crosses lines is shown up to the end of its first line).
 */
export interface SourceSpan {
  /** Workspace-relative path, as it is printed (e.g. `examples/cmd/api/BUILD`). */
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly endCol: number;
}

/** An error or warning about a user file, printed as `file:line:col: message` plus a caret line. */
export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly span: SourceSpan;
  readonly message: string;
  /** The full text of the source line the span starts on, without its newline. */
  readonly sourceLine: string;
}

/** Builds a diagnostic, cutting `sourceLine` out of the file text for the span's line. */
export function makeDiagnostic(
  severity: Diagnostic['severity'],
  span: SourceSpan,
  message: string,
  fileText: string,
): Diagnostic {
  const lines = fileText.split('\n');
  const sourceLine = (lines[span.line - 1] ?? '').replace(/\r$/, '');
  return { severity, span, message, sourceLine };
}

/**
 * Formats a diagnostic the way compilers do:
 *
 * ```
 * examples/cmd/api/BUILD:12:9: error: unknown attribute "srcz"
 *     srcz = ["main.go"],
 *     ^~~~
 * ```
 */
export function formatDiagnostic(d: Diagnostic): string {
  const { file, line, col, endCol } = d.span;
  const width = Math.max(1, Math.min(endCol, d.sourceLine.length + 1) - col);
  // Keep tabs in the indentation so the caret lines up under tab-indented source.
  const indent = d.sourceLine.slice(0, col - 1).replace(/[^\t]/g, ' ');
  const marker = '^' + '~'.repeat(width - 1);
  return `${file}:${line}:${col}: ${d.severity}: ${d.message}\n${d.sourceLine}\n${indent}${marker}`;
}
