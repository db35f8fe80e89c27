import type { Diagnostic } from '../../util/diagnostic';
import type { Result } from '../../util/result';
import { err, ok } from '../../util/result';
import { unreachable } from '../../util/unreachable';
import type { BuildContext } from './build-context';
import { isTestFileName, matchesBuildContext, sourceFileKind } from './build-context';
import type { GoFileInfo } from './scan-go-file';
import { SourceText } from './source-text';
import { scanGoFile } from './scan-go-file';

/** A file of a package directory. */
export interface PackageSourceFile {
  /** Base name, e.g. `sum_amd64.s`. */
  readonly name: string;
  /** Contents; may be omitted for `.syso` files (never read). */
  readonly text?: string;
  /**
   * For a .go file, its {@link scanGoFile} result when already known (scanned with the display
   * path `dir/name`): used instead of scanning `text`, which is then read only for diagnostics.
   */
  readonly info?: GoFileInfo;
}

/** How go/build sorts a directory's files for one build context (the lists of go/build.Package). */
export interface PackageFiles {
  /** The package name from the non-test files ('' when there are no Go files). */
  readonly packageName: string;
  readonly goFiles: readonly string[];
  readonly cgoFiles: readonly string[];
  readonly testGoFiles: readonly string[];
  readonly xTestGoFiles: readonly string[];
  /** Go files excluded by name or constraint, cgo files without cgo, `package documentation`. */
  readonly ignoredGoFiles: readonly string[];
  readonly ignoredOtherFiles: readonly string[];
  readonly cFiles: readonly string[];
  readonly cxxFiles: readonly string[];
  readonly mFiles: readonly string[];
  readonly hFiles: readonly string[];
  readonly fFiles: readonly string[];
  /** `.s` files, plus `.S`/`.sx` when the package has cgo files. */
  readonly sFiles: readonly string[];
  readonly swigFiles: readonly string[];
  readonly swigCXXFiles: readonly string[];
  readonly sysoFiles: readonly string[];
  /** Header information of every Go file that was read (matched files). */
  readonly infos: ReadonlyMap<string, GoFileInfo>;
}

/**
 * Selects a package directory's files for `ctx` the way go/build's Import does: name rules,
 * build constraints, test and external-test files, cgo files (ignored without cgo), `.S` files
 * only with cgo. `dir` prefixes the file names in diagnostics. The first problem go/build would
 * report for the package (a syntax error in a selected file, a malformed //go:build line, two
 * package names, cgo in a test) is returned as a Diagnostic.
 */
export function selectPackageFiles(
  dir: string,
  files: readonly PackageSourceFile[],
  ctx: BuildContext,
): Result<PackageFiles, Diagnostic> {
  const lists = {
    goFiles: [] as string[],
    cgoFiles: [] as string[],
    testGoFiles: [] as string[],
    xTestGoFiles: [] as string[],
    ignoredGoFiles: [] as string[],
    ignoredOtherFiles: [] as string[],
    cFiles: [] as string[],
    cxxFiles: [] as string[],
    mFiles: [] as string[],
    hFiles: [] as string[],
    fFiles: [] as string[],
    sFiles: [] as string[],
    swigFiles: [] as string[],
    swigCXXFiles: [] as string[],
    sysoFiles: [] as string[],
  };
  const capitalSFiles: string[] = [];
  const infos = new Map<string, GoFileInfo>();
  let packageName = '';
  let firstFile = '';
  let firstError: Diagnostic | undefined;
  const bad = (d: Diagnostic): void => {
    firstError ??= d;
  };

  // go/build reads the directory in sorted order; the first file fixes the package name.
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const file of sorted) {
    const name = file.name;
    const kind = sourceFileKind(name);
    if (kind === undefined || name.startsWith('_') || name.startsWith('.')) continue;
    const display = dir === '' ? name : `${dir}/${name}`;
    // A scan holds the header constraint read from the same text (see scanGoFile).
    const matched =
      kind === 'go' && file.info !== undefined
        ? matchesBuildContext(display, file.info, ctx)
        : matchesBuildContext(display, undefined, ctx, file.text);
    if (!matched.ok) {
      // A bad constraint makes a Go file invalid; other files are quietly ignored.
      if (kind === 'go') bad(matched.failure);
      else lists.ignoredOtherFiles.push(name);
      continue;
    }
    if (!matched.value) {
      (kind === 'go' ? lists.ignoredGoFiles : lists.ignoredOtherFiles).push(name);
      continue;
    }
    switch (kind) {
      case 'go':
        break;
      case 'S':
        capitalSFiles.push(name);
        continue;
      case 'c':
        lists.cFiles.push(name);
        continue;
      case 'cxx':
        lists.cxxFiles.push(name);
        continue;
      case 'objc':
        lists.mFiles.push(name);
        continue;
      case 'h':
        lists.hFiles.push(name);
        continue;
      case 'fortran':
        lists.fFiles.push(name);
        continue;
      case 's':
        lists.sFiles.push(name);
        continue;
      case 'swig':
        lists.swigFiles.push(name);
        continue;
      case 'swigcxx':
        lists.swigCXXFiles.push(name);
        continue;
      case 'syso':
        lists.sysoFiles.push(name);
        continue;
      default:
        unreachable(kind);
    }

    const scanned = file.info !== undefined ? ok(file.info) : scanGoFile(display, file.text ?? '');
    if (!scanned.ok) {
      bad(scanned.failure);
      continue;
    }
    const info = scanned.value;
    infos.set(name, info);
    let pkg = info.packageName;
    if (pkg === 'documentation') {
      lists.ignoredGoFiles.push(name);
      continue;
    }
    const isTest = isTestFileName(name);
    let isXTest = false;
    if (isTest && pkg.endsWith('_test') && packageName !== pkg) {
      isXTest = true;
      pkg = pkg.slice(0, -'_test'.length);
    }
    if (packageName === '') {
      packageName = pkg;
      firstFile = name;
    } else if (pkg !== packageName) {
      bad({
        severity: 'error',
        span: info.packageSpan,
        message: `found packages ${packageName} (${firstFile}) and ${pkg} (${name}) in ${dir === '' ? '.' : dir}`,
        sourceLine: sourceLineOf(file.text, info.packageSpan.line),
      });
    }
    let isCgo = false;
    for (const imp of info.imports) {
      if (imp.path !== 'C') continue;
      if (isTest) {
        bad({
          severity: 'error',
          span: imp.span,
          message: `use of cgo in test ${display} not supported`,
          sourceLine: sourceLineOf(file.text, imp.span.line),
        });
        continue;
      }
      isCgo = true;
    }
    if (isCgo) (ctx.cgoEnabled ? lists.cgoFiles : lists.ignoredGoFiles).push(name);
    else if (isXTest) lists.xTestGoFiles.push(name);
    else if (isTest) lists.testGoFiles.push(name);
    else lists.goFiles.push(name);
  }

  if (lists.cgoFiles.length > 0) {
    lists.sFiles.push(...capitalSFiles);
    lists.sFiles.sort();
  } else {
    lists.ignoredOtherFiles.push(...capitalSFiles);
    lists.ignoredOtherFiles.sort();
  }
  if (firstError !== undefined) return err(firstError);
  return ok({ packageName, ...lists, infos });
}

function sourceLineOf(text: string | undefined, line: number): string {
  return new SourceText('', text ?? '').lineText(line);
}
