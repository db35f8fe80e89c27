import { err, ok, type Result } from '../util/result';
import { labelError, type LabelError } from './label-error';
import { validatePackageName, validateTargetName } from './name-validation';

/**
 * Canonical label text, e.g. `//examples/lib/markdown:markdown` (always with `:name`). Branded so
 * that a label cannot be confused with a path or a display string; make one with {@link labelOf}.
 */
export type Label = string & { readonly __brand: 'Label' };

/** A label split into its workspace-relative package path and its target name. */
export interface LabelParts {
  /**
   * The external repository (`com_github_klauspost_compress` in `@com_github_klauspost_compress//zstd`):
   * a required Go module, named as Gazelle names module repositories. Undefined for the workspace.
   */
  readonly repo?: string;
  /** Workspace-relative package path, e.g. `examples/lib/markdown`; '' for the root package. */
  readonly pkg: string;
  /** Target name inside the package, e.g. `markdown` or `testdata/in.md`. */
  readonly name: string;
}

/**
 * Parses a label as written in a BUILD file or on the command line:
 *
 * - `//a/b:c` — target `c` of package `a/b`; `//:c` — target `c` of the root package;
 * - `//a/b` — short for `//a/b:b`;
 * - `:c` and `c` — target `c` of `currentPkg` (`c` may be a path such as `testdata/x.txt`);
 * - `@repo//a/b:c`, `@repo//a/b` and `@repo` (= `@repo//:repo`) — a package of a module repository.
 *
 * Rejects `..` and `.` segments, empty segments, trailing `/`, characters Bazel does not allow,
 * and relative labels with a package part (`a:b`), which Bazel reads differently in different
 * places.
 */
export function parseLabel(text: string, currentPkg: string): Result<LabelParts, LabelError> {
  const fail = (problem: string): Result<LabelParts, LabelError> =>
    err(labelError('label', text, problem));

  if (text === '') return fail('empty label');
  if (text.startsWith('@')) {
    const slashes = text.indexOf('//');
    const repo = slashes < 0 ? text.slice(1) : text.slice(1, slashes);
    if (!/^[A-Za-z][A-Za-z0-9_.~-]*$/.test(repo))
      return fail(
        repo === ''
          ? "'@//' names the main repository; write '//...' for a target of this workspace"
          : `invalid repository name '${repo}'`,
      );
    if (slashes < 0) return ok({ repo, pkg: '', name: repo });
    const inRepo = parseLabel(text.slice(slashes), '');
    if (!inRepo.ok)
      return fail(inRepo.failure.message.replace(/^.*?': /, '').replace(/; expected .*$/, ''));
    return ok({ repo, pkg: inRepo.value.pkg, name: inRepo.value.name });
  }

  let pkg: string;
  let name: string;
  if (text.startsWith('//')) {
    const colon = text.indexOf(':');
    pkg = colon < 0 ? text.slice(2) : text.slice(2, colon);
    if (colon < 0) {
      if (pkg === '') return fail("'//' names no target");
      // `//a/b` is short for `//a/b:b`; the package check below reports a bad last segment.
      name = pkg.slice(pkg.lastIndexOf('/') + 1);
    } else {
      name = text.slice(colon + 1);
    }
  } else if (text.startsWith(':')) {
    pkg = currentPkg;
    name = text.slice(1);
  } else if (text.includes(':')) {
    const colon = text.indexOf(':');
    return fail(
      `a relative label may not name a package; write '//${text}' for a package of the workspace ` +
        `or ':${text.slice(colon + 1)}' for a target of this package`,
    );
  } else {
    pkg = currentPkg;
    name = text;
  }

  const pkgCheck = validatePackageName(pkg);
  if (!pkgCheck.ok) return fail(`invalid package name '${pkg}': ${pkgCheck.failure}`);
  const nameCheck = validateTargetName(name);
  if (!nameCheck.ok) return fail(`invalid target name '${name}': ${nameCheck.failure}`);
  return ok({ pkg, name });
}

/** The canonical text of a label: `//pkg:name`, always with the `:name` part. */
export function labelOf(parts: LabelParts): Label {
  return `${repoPrefix(parts)}//${parts.pkg}:${parts.name}` as Label;
}

function repoPrefix(parts: LabelParts): string {
  return parts.repo === undefined ? '' : `@${parts.repo}`;
}

/**
 * Splits a canonical {@link Label} back into its parts. The text was built by {@link labelOf},
 * so the first `:` always separates package and name.
 */
export function labelParts(label: Label): LabelParts {
  const slashes = label.indexOf('//');
  const colon = label.indexOf(':', slashes);
  const pkg = label.slice(slashes + 2, colon);
  const name = label.slice(colon + 1);
  return slashes === 0 ? { pkg, name } : { repo: label.slice(1, slashes), pkg, name };
}

/**
 * The display form of a label: `//a/b` when the name equals the package's last segment (Bazel's
 * shorthand), otherwise `//a/b:c` (and `//:c` in the root package).
 */
export function shortLabel(l: LabelParts): string {
  const last = l.pkg.slice(l.pkg.lastIndexOf('/') + 1);
  const repo = repoPrefix(l);
  return l.pkg !== '' && l.name === last ? `${repo}//${l.pkg}` : `${repo}//${l.pkg}:${l.name}`;
}
