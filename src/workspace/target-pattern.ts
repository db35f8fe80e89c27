import { err, ok, type Result } from '../util/result';
import { labelError, type LabelError } from './label-error';
import { type LabelParts, parseLabel } from './label';
import { validatePackageName, validateTargetName } from './name-validation';

/**
 * A command-line target pattern, resolved against the working directory's package:
 *
 * - `target`: one target (`//a/b:c`, `//a/b`);
 * - `package`: every target of one package (`//a/b:all`, `//a/b:*`, `//a/b:all-targets`);
 * - `recursive`: every target of every package at or below `pkg` (`//...`, `//a/...`,
 *   `//a/...:all`, `//a/...:*`).
 */
export type TargetPattern =
  | { readonly kind: 'target'; readonly label: LabelParts }
  | { readonly kind: 'package'; readonly pkg: string }
  | { readonly kind: 'recursive'; readonly pkg: string };

/** Target-name wildcards that select every target of a package. */
const ALL_TARGETS = new Set(['all', '*', 'all-targets']);

/**
 * Parses a target pattern. Absolute patterns start with `//`; any other pattern is relative to
 * `currentPkg` (the package of the working directory): `...`, `a/...`, `:all`, `:c`, `a/b:c`, and
 * `a/b` (= the package `a/b` below the working directory, target `b`).
 *
 * Negative patterns (`-//a/...`) and external repositories (`@repo//…`) are rejected with a
 * message that says so.
 */
export function parseTargetPattern(
  text: string,
  currentPkg: string,
): Result<TargetPattern, LabelError> {
  const fail = (problem: string): Result<TargetPattern, LabelError> =>
    err(labelError('target pattern', text, problem));

  if (text === '') return fail('empty pattern');
  if (text.startsWith('-')) return fail('negative patterns (-//...) are not supported');
  if (text.startsWith('@')) {
    if (text.includes('...') || /:(all|\*|all-targets)$/.test(text))
      return fail(
        'module repositories are implicit: name one package (@repo//dir or @repo//dir:name), not a pattern',
      );
    const label = parseLabel(text, '');
    if (!label.ok)
      return fail(label.failure.message.replace(/^.*?': /, '').replace(/; expected .*$/, ''));
    return ok({ kind: 'target', label: label.value });
  }

  const absolute = text.startsWith('//');
  const body = absolute ? text.slice(2) : text;
  const colon = body.indexOf(':');
  const pkgText = colon < 0 ? body : body.slice(0, colon);
  const targetText = colon < 0 ? undefined : body.slice(colon + 1);

  // A relative pattern's package part is below the working directory's package.
  const join = (rel: string): string =>
    absolute || currentPkg === '' ? rel : rel === '' ? currentPkg : `${currentPkg}/${rel}`;

  if (pkgText === '...' || pkgText.endsWith('/...')) {
    if (targetText !== undefined && !ALL_TARGETS.has(targetText)) {
      return fail(
        `'...' selects whole packages; use ':all' or ':*' after it, not ':${targetText}'`,
      );
    }
    const pkg = join(pkgText === '...' ? '' : pkgText.slice(0, -'/...'.length));
    const check = validatePackageName(pkg);
    if (!check.ok) return fail(`invalid package name '${pkg}': ${check.failure}`);
    return ok({ kind: 'recursive', pkg });
  }

  const pkg = join(pkgText);
  const check = validatePackageName(pkg);
  if (!check.ok) return fail(`invalid package name '${pkg}': ${check.failure}`);

  if (targetText === undefined) {
    if (pkg === '') return fail(`'${text}' names no target`);
    return ok({ kind: 'target', label: { pkg, name: pkg.slice(pkg.lastIndexOf('/') + 1) } });
  }
  if (ALL_TARGETS.has(targetText)) return ok({ kind: 'package', pkg });
  const nameCheck = validateTargetName(targetText);
  if (!nameCheck.ok) return fail(`invalid target name '${targetText}': ${nameCheck.failure}`);
  return ok({ kind: 'target', label: { pkg, name: targetText } });
}
