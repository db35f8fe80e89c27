import type { Diagnostic } from '../../util/diagnostic';
import type { Result } from '../../util/result';
import { err, ok } from '../../util/result';
import { evalBuildExpr, parseGoBuildExpr } from './build-constraint';
import type { FileHeaderConstraint, GoBuildLine } from './file-header';
import { readFileHeaderConstraint } from './file-header';
import { leadingCommentsReadCleanly, readGoHeaderExtent } from './import-reader';
import { knownArch, knownOS, unixOS } from './known-platforms';
import type { GoFileInfo } from './scan-go-file';
import { SourceText } from './source-text';

/** The configuration files are selected for (go/build.Context, the parts that select files). */
export interface BuildContext {
  readonly goos: string;
  readonly goarch: string;
  /** Minor version of the Go toolchain: 26 gives the release tags go1.1 … go1.26. */
  readonly goMinor: number;
  readonly cgoEnabled: boolean;
  readonly compiler: 'gc';
  /** User tags (`-tags`). */
  readonly buildTags: readonly string[];
  /**
   * go/build's ToolTags (internal/buildcfg.ToolTags): one `goexperiment.<name>` per enabled
   * experiment (on linux/amd64 with Go 1.26 by default: regabiwrappers, regabiargs, dwarf5,
   * greenteagc, randomizedheapbase64), then the GO$GOARCH feature tags, e.g. `amd64.v1` …
   * `amd64.vN` for GOAMD64=vN, `arm64.v8.0` …, `386.sse2`. `go list -f '{{context.ToolTags}}'`
   * prints them.
   */
  readonly toolTags?: readonly string[];
}

/** The kinds of source file go/build recognizes by extension (its fileListForExt). */
export type SourceFileKind =
  'go' | 'c' | 'cxx' | 'objc' | 'h' | 'fortran' | 's' | 'S' | 'swig' | 'swigcxx' | 'syso';

/** The kind of a file by its extension, or undefined for files go/build ignores. */
export function sourceFileKind(fileName: string): SourceFileKind | undefined {
  const base = baseName(fileName);
  const dot = base.lastIndexOf('.');
  const ext = dot < 0 ? '' : base.slice(dot);
  switch (ext) {
    case '.go':
      return 'go';
    case '.c':
      return 'c';
    case '.cc':
    case '.cpp':
    case '.cxx':
      return 'cxx';
    case '.m':
      return 'objc';
    case '.h':
    case '.hh':
    case '.hpp':
    case '.hxx':
      return 'h';
    case '.f':
    case '.F':
    case '.for':
    case '.f90':
      return 'fortran';
    case '.s':
      return 's';
    case '.S':
    case '.sx':
      return 'S';
    case '.swig':
      return 'swig';
    case '.swigcxx':
      return 'swigcxx';
    case '.syso':
      return 'syso';
    default:
      return undefined;
  }
}

/** True for `_test.go` files. */
export function isTestFileName(fileName: string): boolean {
  return baseName(fileName).endsWith('_test.go');
}

/**
 * go/build's matchTag: whether a build tag is satisfied. `cgo` needs cgo; GOOS, GOARCH and the
 * compiler match themselves; android implies linux, illumos solaris, ios darwin; `unix` matches
 * Unix-like GOOS values; `boringcrypto` is an alias of `goexperiment.boringcrypto`; anything else
 * must be a build, tool or release tag.
 */
export function matchBuildTag(ctx: BuildContext, name: string): boolean {
  if (ctx.cgoEnabled && name === 'cgo') return true;
  if (name === ctx.goos || name === ctx.goarch || name === ctx.compiler) return true;
  if (ctx.goos === 'android' && name === 'linux') return true;
  if (ctx.goos === 'illumos' && name === 'solaris') return true;
  if (ctx.goos === 'ios' && name === 'darwin') return true;
  if (name === 'unix' && unixOS.has(ctx.goos)) return true;
  if (name === 'boringcrypto') name = 'goexperiment.boringcrypto';
  if (ctx.buildTags.includes(name) || (ctx.toolTags ?? []).includes(name)) return true;
  const release = /^go1\.([1-9][0-9]*)$/.exec(name);
  return release !== null && Number(release[1]) <= ctx.goMinor;
}

/**
 * go/build's goodOSArchFile: false when the name (ignoring everything up to its first `_`)
 * ends in `_GOOS`, `_GOARCH` or `_GOOS_GOARCH`, optionally followed by `_test`, of a known
 * platform that does not match. `unix` is not a file-name suffix.
 */
export function goodOSArchFile(ctx: BuildContext, fileName: string): boolean {
  let name = baseName(fileName);
  const dot = name.indexOf('.');
  if (dot >= 0) name = name.slice(0, dot);
  const underscore = name.indexOf('_');
  if (underscore < 0) return true;
  const l = name.slice(underscore).split('_');
  if (l[l.length - 1] === 'test') l.pop();
  const n = l.length;
  const last = l[n - 1] ?? '';
  const prev = l[n - 2] ?? '';
  if (n >= 2 && knownOS.has(prev) && knownArch.has(last)) {
    return matchBuildTag(ctx, last) && matchBuildTag(ctx, prev);
  }
  if (n >= 1 && (knownOS.has(last) || knownArch.has(last))) return matchBuildTag(ctx, last);
  return true;
}

/**
 * Whether a file is part of the build in `ctx`, like go/build's matchFile: the file-name rules
 * (leading `_` or `.`, a recognized extension, `_GOOS`/`_GOARCH` suffixes, also before `_test`)
 * and then the //go:build line (or `// +build` lines). Test files match like any other file; use
 * {@link isTestFileName} to tell them apart.
 *
 * For a Go file pass its `info`, or only its `text` to decide before parsing (go/build ignores
 * syntax errors in excluded files). For other files pass the text to honour build constraints in
 * their leading comments (`.s`, `.h`, …); without it only the name rules apply. A malformed
 * //go:build line, or two of them, is a Diagnostic.
 */
export function matchesBuildContext(
  fileName: string,
  info: GoFileInfo | undefined,
  ctx: BuildContext,
  text?: string,
): Result<boolean, Diagnostic> {
  const base = baseName(fileName);
  if (base.startsWith('_') || base.startsWith('.')) return ok(false);
  const kind = sourceFileKind(base);
  if (kind === undefined) return ok(false);
  if (!goodOSArchFile(ctx, base)) return ok(false);
  if (kind === 'syso') return ok(true);

  let header: FileHeaderConstraint;
  if (kind === 'go' && info !== undefined) {
    header = {
      ...(info.goBuild !== undefined ? { goBuild: info.goBuild } : {}),
      ...(info.constraintError !== undefined ? { error: info.constraintError } : {}),
      binaryOnly: info.binaryOnly,
    };
  } else if (text !== undefined) {
    const src = new SourceText(fileName, text);
    if (kind === 'go') {
      const extent = readGoHeaderExtent(src.text);
      if (extent.nulOffset !== undefined) {
        return err(src.error(extent.nulOffset, extent.nulOffset + 1, 'unexpected NUL in input'));
      }
    } else if (!leadingCommentsReadCleanly(src.text)) {
      // go/build fails to read the comments and keeps the file without checking constraints.
      return ok(true);
    }
    header = readFileHeaderConstraint(src);
  } else {
    return ok(true);
  }
  if (header.error !== undefined) return err(header.error);
  if (header.goBuild === undefined) return ok(true);
  return evalBuildLine(header.goBuild, ctx);
}

/** Evaluates a file's build line in `ctx`; a malformed //go:build expression is a Diagnostic. */
export function evalBuildLine(line: GoBuildLine, ctx: BuildContext): Result<boolean, Diagnostic> {
  const parsed = parseGoBuildExpr(line.expr);
  if (!parsed.ok) {
    const col = line.span.col + parsed.failure.offset;
    return err({
      severity: 'error',
      span: { file: line.span.file, line: line.span.line, col, endCol: col + 1 },
      message: `parsing //go:build line: ${parsed.failure.message}`,
      sourceLine: line.sourceLine,
    });
  }
  return ok(evalBuildExpr(parsed.value, (tag) => matchBuildTag(ctx, tag)));
}

function baseName(fileName: string): string {
  const slash = fileName.lastIndexOf('/');
  return slash < 0 ? fileName : fileName.slice(slash + 1);
}
