import { err, ok, type Result } from '../util/result';

/**
 * Characters allowed in a package path, as Bazel documents them: letters, digits and `-._@`,
 * plus `/` between segments.
 */
const PACKAGE_CHAR = /^[A-Za-z0-9\-._@/]$/;

/**
 * Characters allowed in a target name, as Bazel documents them. The set excludes whitespace,
 * `:` (it separates package and name) and `\` (a path separator on Windows, which would let two
 * names collide on disk).
 */
const TARGET_CHAR = /^[A-Za-z0-9!%\-@^_"#$&'()*+,;<=>?[\]{|}~/.]$/;

/** The first character of `s` that `allowed` rejects, described for an error message. */
function firstBadChar(s: string, allowed: RegExp): string | undefined {
  for (const c of s) {
    if (!allowed.test(c)) {
      const code = c.codePointAt(0) ?? 0;
      // Control characters and whitespace are invisible once quoted: spell them out.
      return code <= 0x20 || code === 0x7f
        ? `character U+${code.toString(16).toUpperCase().padStart(4, '0')}`
        : `character '${c}'`;
    }
  }
  return undefined;
}

/**
 * Checks the `/`-separated shape of a path-like name: no leading or trailing `/`, no empty
 * segment, no `.` or `..` segment. Returns the problem, or undefined when the shape is fine.
 */
function pathShapeProblem(what: string, s: string): string | undefined {
  if (s.startsWith('/')) return `${what} may not start with '/'`;
  if (s.endsWith('/')) return `${what} may not end with '/'`;
  for (const segment of s.split('/')) {
    if (segment === '') return `${what} may not contain empty segments ('//')`;
    if (segment === '..') return `${what} may not contain up-level references ('..')`;
    if (/^\.+$/.test(segment)) return `${what} may not contain a '${segment}' segment`;
  }
  return undefined;
}

/**
 * Validates a workspace-relative package path such as `examples/lib/markdown` ('' is the root
 * package). Failure is a short problem description, to be wrapped by the caller with the text
 * being parsed.
 */
export function validatePackageName(pkg: string): Result<string, string> {
  if (pkg === '') return ok(pkg);
  const bad = firstBadChar(pkg, PACKAGE_CHAR);
  if (bad !== undefined) {
    return err(
      `package names may contain only A-Z, a-z, 0-9, '-', '.', '_', '@' and '/', not ${bad}`,
    );
  }
  const shape = pathShapeProblem('package names', pkg);
  return shape === undefined ? ok(pkg) : err(shape);
}

/**
 * Validates a target name such as `markdown` or `testdata/input.md` (file targets may name a
 * path inside the package). Failure is a short problem description.
 */
export function validateTargetName(name: string): Result<string, string> {
  if (name === '') return err('empty target name');
  const bad = firstBadChar(name, TARGET_CHAR);
  if (bad !== undefined) return err(`target names may not contain ${bad}`);
  const shape = pathShapeProblem('target names', name);
  return shape === undefined ? ok(name) : err(shape);
}
