import type { Diagnostic, SourceSpan } from '../../util/diagnostic';
import type { BuildExpr } from './build-constraint';
import { formatBuildExpr, parsePlusBuildExpr, splitPlusBuildLine } from './build-constraint';
import { goTrimLeftSpace, goTrimSpace } from './go-unicode';
import type { SourceText } from './source-text';

/** The build constraint of a file, as go/build reads it from the file's leading comments. */
export interface GoBuildLine {
  /**
   * For `go:build`, the expression text as written (it may be malformed; that is reported when
   * the file is matched against a context). For `plus-build`, the conjunction of every
   * `// +build` line rewritten in //go:build syntax.
   */
  readonly expr: string;
  /** 1-based line of the //go:build line (of the first // +build line). */
  readonly line: number;
  readonly kind: 'go:build' | 'plus-build';
  /** Where the expression text starts and ends on its line. */
  readonly span: SourceSpan;
  /** The full source line, for diagnostics. */
  readonly sourceLine: string;
}

/** What go/build's parseFileHeader learns from a file's leading comments. */
export interface FileHeaderConstraint {
  readonly goBuild?: GoBuildLine;
  /** Set when there is more than one //go:build line: go/build rejects the file. */
  readonly error?: Diagnostic;
  readonly binaryOnly: boolean;
}

/**
 * A port of go/build's parseFileHeader plus shouldBuild's `// +build` fallback: finds the
 * //go:build line in the leading run of comments and blank lines, or else the `// +build` lines
 * that come before the last blank line of that run.
 */
export function readFileHeaderConstraint(src: SourceText): FileHeaderConstraint {
  const text = src.text;
  let end = 0;
  let p = 0;
  let ended = false;
  let inSlashStar = false;
  let goBuild: { offset: number; line: string } | undefined;
  let binaryOnly = false;

  lines: while (p < text.length) {
    const lineStart = p;
    const nl = text.indexOf('\n', p);
    const raw = nl >= 0 ? text.slice(p, nl) : text.slice(p);
    p = nl >= 0 ? nl + 1 : text.length;
    let line = goTrimSpace(raw);
    if (line.length === 0 && !ended) {
      // The latest place a // +build line may appear is before this blank line.
      end = p;
      continue;
    }
    if (!line.startsWith('//')) ended = true;
    if (!inSlashStar && isGoBuildComment(line)) {
      const offset = lineStart + (raw.length - goTrimLeftSpace(raw).length);
      if (goBuild !== undefined) {
        return {
          error: src.error(offset, offset + line.length, 'multiple //go:build comments'),
          binaryOnly,
        };
      }
      goBuild = { offset, line };
    }
    if (!inSlashStar && line === '//go:binary-only-package') binaryOnly = true;
    while (line.length > 0) {
      if (inSlashStar) {
        const i = line.indexOf('*/');
        if (i >= 0) {
          inSlashStar = false;
          line = goTrimSpace(line.slice(i + 2));
          continue;
        }
        continue lines;
      }
      if (line.startsWith('//')) continue lines;
      if (line.startsWith('/*')) {
        inSlashStar = true;
        line = goTrimSpace(line.slice(2));
        continue;
      }
      break lines;
    }
  }

  if (goBuild !== undefined) {
    const afterKeyword = goBuild.line.slice('//go:build'.length);
    const exprStart =
      goBuild.offset +
      '//go:build'.length +
      (afterKeyword.length - goTrimLeftSpace(afterKeyword).length);
    const expr = goTrimSpace(afterKeyword);
    const span = src.span(exprStart, exprStart + Math.max(expr.length, 1));
    return {
      goBuild: {
        expr,
        line: span.line,
        kind: 'go:build',
        span,
        sourceLine: src.lineText(span.line),
      },
      binaryOnly,
    };
  }
  return { goBuild: plusBuild(src, end), binaryOnly };
}

function isGoBuildComment(line: string): boolean {
  if (!line.startsWith('//go:build')) return false;
  const rest = line.slice('//go:build'.length);
  return rest.length === 0 || goTrimSpace(rest).length < rest.length;
}

/** The `// +build` lines in text[0:end], and'ed together. */
function plusBuild(src: SourceText, end: number): GoBuildLine | undefined {
  let expr: BuildExpr | undefined;
  let first: { offset: number; length: number } | undefined;
  let p = 0;
  while (p < end) {
    const nl = src.text.indexOf('\n', p);
    const lineEnd = nl >= 0 && nl < end ? nl : end;
    const raw = src.text.slice(p, lineEnd);
    const lineStart = p;
    p = lineEnd + 1;
    const line = goTrimSpace(raw);
    if (!line.startsWith('//') || !line.includes('+build')) continue;
    const body = splitPlusBuildLine(line);
    if (body === undefined) continue;
    const x = parsePlusBuildExpr(body);
    if (x === undefined) continue;
    expr = expr === undefined ? x : { kind: 'and', x: expr, y: x };
    first ??= {
      offset: lineStart + (raw.length - goTrimLeftSpace(raw).length),
      length: line.length,
    };
  }
  if (expr === undefined || first === undefined) return undefined;
  const span = src.span(first.offset, first.offset + first.length);
  return {
    expr: formatBuildExpr(expr),
    line: span.line,
    kind: 'plus-build',
    span,
    sourceLine: src.lineText(span.line),
  };
}
