import type { Diagnostic, Result, SourceSpan } from '../util';
import { err, makeDiagnostic, ok } from '../util';

/** One module of `vendor/modules.txt`. */
export interface VendoredModule {
  readonly path: string;
  readonly version: string;
  /** `=> path [version]` when replaced (a directory replacement has no version). */
  readonly replace?: { readonly path: string; readonly version?: string };
  /** The `## go 1.x` annotation: the module's go version. */
  readonly goVersion?: string;
  readonly explicit: boolean;
  /** Packages vendored from it. */
  readonly packages: readonly string[];
  readonly span: SourceSpan;
}

/**
 * Parses `vendor/modules.txt` as cmd/go's `modload.readVendorList` does: `# path version [=>
 * replacement]` starts a module, `## explicit; go 1.21` annotates it, other lines name its
 * packages; `# path => replacement` lines without a version only record replacements.
 */
export function parseVendorModules(
  file: string,
  text: string,
): Result<VendoredModule[], Diagnostic> {
  const modules: VendoredModule[] = [];
  let current:
    | {
        path: string;
        version: string;
        replace?: { path: string; version?: string };
        goVersion?: string;
        explicit: boolean;
        packages: string[];
        span: SourceSpan;
      }
    | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    if (line.trim() === '') continue;
    const span: SourceSpan = { file, line: i + 1, col: 1, endCol: line.length + 1 };
    if (line.startsWith('## ')) {
      if (current === undefined) continue;
      for (const part of line.slice(3).split(';')) {
        const t = part.trim();
        if (t === 'explicit') current.explicit = true;
        else if (t.startsWith('go ')) current.goVersion = t.slice(3).trim();
      }
      continue;
    }
    if (line.startsWith('# ')) {
      const fields = line.slice(2).trim().split(/\s+/);
      const arrow = fields.indexOf('=>');
      const left = arrow < 0 ? fields : fields.slice(0, arrow);
      const right = arrow < 0 ? [] : fields.slice(arrow + 1);
      if (left.length !== 2) {
        current = undefined; // `# path => dir`: a replacement of an unused module
        continue;
      }
      current = {
        path: left[0] as string,
        version: left[1] as string,
        replace: right.length > 0 ? { path: right[0] as string, version: right[1] } : undefined,
        explicit: false,
        packages: [],
        span,
      };
      modules.push(current);
      continue;
    }
    if (line.startsWith('#')) continue;
    if (current === undefined)
      return err(makeDiagnostic('error', span, 'package line before any module line', text));
    current.packages.push(line.trim());
  }
  return ok(modules);
}
