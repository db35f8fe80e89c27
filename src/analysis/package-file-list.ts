import type { SourceSpan } from '../util';
import { type Result, err, ok } from '../util';
import type { AnalysisFailure } from './failure';
import { type DeclaredTarget, listAttr } from './rule-api';

/** One checked entry of `srcs` or `embedsrcs`: a path inside the package, in canonical form. */
export interface PackageFile {
  /** Package-relative path (`x.go`, `testdata/a.txt`), no `.`/`..` segments. */
  readonly rel: string;
  readonly span: SourceSpan;
}

/**
 * Checks the file names of a file-list attribute (`srcs`, `embedsrcs`) of a target: each must be a
 * path inside the target's package written in one canonical way. An absolute path, a `..` or `.`
 * segment (`../../outside.go` would compile a file outside the workspace, and `./x.go` is `x.go`
 * under another name), an empty segment or a name listed twice is an error at the BUILD line, as
 * Bazel rejects such labels.
 */
export function packageFileList(
  target: DeclaredTarget,
  attr: 'srcs' | 'embedsrcs',
): Result<PackageFile[], AnalysisFailure> {
  const out: PackageFile[] = [];
  const seen = new Map<string, SourceSpan>();
  const pkg = target.pkg === '' ? '//' : `//${target.pkg}`;
  for (const entry of listAttr(target, attr)) {
    const rel = entry.value.replace(/^:/, '');
    // Labels of other packages are the caller's to reject, with its own message.
    const isLabel = rel.startsWith('//') || rel.startsWith('@') || rel.includes(':');
    const problem = isLabel ? undefined : pathProblem(rel, pkg);
    if (problem !== undefined)
      return err(failure(entry.span, `${attr}: '${entry.value}' ${problem}`));
    const first = seen.get(rel);
    if (first !== undefined) {
      return err(
        failure(
          entry.span,
          `${attr}: '${rel}' is listed twice (first at ${first.file}:${first.line}:${first.col})`,
        ),
      );
    }
    seen.set(rel, entry.span);
    out.push({ rel, span: entry.span });
  }
  return ok(out);
}

function pathProblem(rel: string, pkg: string): string | undefined {
  if (rel === '') return 'is empty';
  if (rel.startsWith('/')) return `is an absolute path: name a file of package ${pkg}`;
  if (rel.includes('\\')) return 'contains a backslash: use / between directories';
  if (rel.includes('\0')) return 'contains a NUL character';
  const segments = rel.split('/');
  if (segments.includes('..')) {
    return climbsOut(segments)
      ? `leaves package ${pkg}: srcs and embedsrcs name files inside the package`
      : `has a '..' segment: write the path without it`;
  }
  if (segments.includes('.'))
    return `has a '.' segment: write '${segments.filter((s) => s !== '.').join('/')}'`;
  if (segments.includes('')) return 'has an empty path segment';
  return undefined;
}

/** Whether some prefix of the path climbs above the package directory. */
function climbsOut(segments: readonly string[]): boolean {
  let depth = 0;
  for (const s of segments) {
    depth += s === '..' ? -1 : s === '.' || s === '' ? 0 : 1;
    if (depth < 0) return true;
  }
  return false;
}

function failure(span: SourceSpan, message: string): AnalysisFailure {
  return {
    reason: 'bad-attribute',
    message,
    diagnostic: { severity: 'error', span, message, sourceLine: '' },
  };
}
