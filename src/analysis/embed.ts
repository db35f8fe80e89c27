import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Result, err, ok } from '../util';

/** A resolved //go:embed configuration: pattern (as written) → matched files, relative to the package. */
export interface EmbedResolution {
  readonly patterns: Readonly<Record<string, readonly string[]>>;
  readonly files: readonly string[];
}

/**
 * Resolves //go:embed patterns against the files a target declares in `embedsrcs` (relative to the
 * package directory), with cmd/go's rules (load/pkg.go `resolveEmbed`): `path.Match` globs, a
 * matched directory contributes every file below it except names starting with `.` or `_` (unless
 * the pattern has the `all:` prefix). A pattern matching nothing is an error, as in cmd/go.
 */
export function resolveEmbedPatterns(
  patterns: readonly string[],
  available: readonly string[],
): Result<EmbedResolution, { pattern: string; message: string }> {
  const result: Record<string, string[]> = {};
  const all = new Set<string>();
  for (const pattern of patterns) {
    const allPrefix = pattern.startsWith('all:');
    const glob = allPrefix ? pattern.slice(4) : pattern;
    const re = globToRegExp(glob);
    if (
      re === undefined ||
      glob === '' ||
      glob.startsWith('/') ||
      glob.split('/').some((e) => e === '.' || e === '..' || e === '')
    ) {
      return err({ pattern, message: 'invalid pattern syntax' });
    }
    const matched: string[] = [];
    for (const file of available) {
      const elems = file.split('/');
      for (let n = 1; n <= elems.length; n++) {
        if (!re.test(elems.slice(0, n).join('/'))) continue;
        // The pattern names a directory (n < length): skip hidden/underscore names below it.
        const below = elems.slice(n);
        if (!allPrefix && below.some((e) => e.startsWith('.') || e.startsWith('_'))) break;
        matched.push(file);
        break;
      }
    }
    if (matched.length === 0)
      return err({
        pattern,
        message: 'no matching files found (is the file listed in embedsrcs?)',
      });
    matched.sort();
    result[pattern] = [...new Set(matched)];
    for (const f of matched) all.add(f);
  }
  return ok({ patterns: result, files: [...all].sort() });
}

/** Go's `path.Match` syntax as a regular expression; undefined for a malformed pattern. */
function globToRegExp(glob: string): RegExp | undefined {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      const next = glob[++i];
      if (next === undefined) return undefined;
      re += escapeRe(next);
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) return undefined;
      let cls = glob.slice(i + 1, end);
      if (cls.startsWith('^')) cls = '^' + cls.slice(1);
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += escapeRe(c);
  }
  try {
    return new RegExp(re + '$');
  } catch {
    return undefined;
  }
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The files below a package directory that `//go:embed` may match, as cmd/go sees them: every
 * regular file in it and its subdirectories, except subtrees that are other modules (a `go.mod`
 * below). Paths are slash-separated and relative to `dir`.
 */
export function embeddableFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(rel === '' ? dir : path.join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    if (rel !== '' && entries.some((e) => e.name === 'go.mod' && e.isFile())) return;
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else if (e.isFile()) out.push(child);
    }
  };
  walk('');
  return out;
}
