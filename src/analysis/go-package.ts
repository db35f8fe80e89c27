import * as fs from 'node:fs';
import * as path from 'node:path';
import { type GoMod, parseGoMod } from '../go/go-mod';
import type { SourceFile } from '../go/compile-action';
import { type BuildContext, type GoFileInfo, matchesBuildContext, scanGoFile } from '../go/scan';
import { type Diagnostic, type Result, type SourceSpan, err, ok, sha256 } from '../util';
import { outOfTreeInclude } from '../go/scan/asm-includes';
import { embeddableFiles, resolveEmbedPatterns } from './embed';
import { type AnalysisFailure, diagnosticFailure } from './failure';
import { MAX_SOURCE_FILE_BYTES, readRegularFile } from '../workspace/read-regular-file';
import { packageFileList } from './package-file-list';
import type { ScannedFile, SourceScanCache } from './source-scan-cache';
import type { Digest } from '../util/digest';
import { type DeclaredTarget, stringAttr } from './rule-api';

/** A source file read and (for .go files) scanned. */
export interface ReadSource extends SourceFile {
  /** Workspace-relative path. */
  readonly display: string;
  readonly text: string;
  readonly info?: GoFileInfo;
  /** Why a .go file's header could not be read; reported only if the file is selected. */
  readonly scanError?: Diagnostic;
}

/** The Go files of one compiled package, selected by build constraints, with their imports. */
export interface GoSources {
  readonly packageName: string;
  readonly goFiles: readonly ReadSource[];
  readonly sFiles: readonly ReadSource[];
  readonly hFiles: readonly ReadSource[];
  readonly embed?: {
    readonly patterns: Readonly<Record<string, readonly string[]>>;
    readonly files: readonly SourceFile[];
  };
}

/**
 * The generated files a `srcs` entry (`rel`, package-relative, `:` stripped) of `target` stands
 * for, read and scanned; undefined when no genrule makes it.
 */
export type GeneratedSources = (
  target: DeclaredTarget,
  rel: string,
  span: SourceSpan,
) => Promise<Result<ReadSource[], AnalysisFailure> | undefined>;

/**
 * Reads files for analysis. Each file is read once per command; its digest is the SHA-256 of the
 * bytes read, so what was scanned is exactly what is keyed. With a {@link SourceScanCache}, a file
 * whose stat signature is unchanged since a previous build is not read at all: its digest and
 * header scan come from the cache, and its text is read only if someone asks for it.
 */
export class SourceReader {
  private readonly files = new Map<string, Promise<Result<ReadSource, string>>>();
  private readonly digests = new Map<string, Digest>();
  private readonly goMods = new Map<string, Promise<Result<GoMod | undefined, AnalysisFailure>>>();

  /**
   * Sources made by genrules and TypeScript rules: answers a `srcs` entry that names such a
   * target of the target's package or one of its files (undefined for any other entry). Set by
   * graph construction.
   */
  generated?: GeneratedSources;

  constructor(
    readonly root: string,
    private readonly scanCache?: SourceScanCache,
  ) {}

  /** Reads (and scans, for .go files) a workspace-relative file. */
  read(display: string): Promise<Result<ReadSource, string>> {
    let pending = this.files.get(display);
    if (pending === undefined) {
      pending = this.readUncached(display).then((r) => {
        if (r.ok) this.digests.set(r.value.absPath, r.value.digest);
        return r;
      });
      this.files.set(display, pending);
    }
    return pending;
  }

  /**
   * Reads a file again after it changed on disk: forgets what {@link read} answered for it and
   * returns that earlier answer (undefined if it was never read) with the new one.
   */
  async reread(display: string): Promise<{
    readonly before: Result<ReadSource, string> | undefined;
    readonly after: Result<ReadSource, string>;
  }> {
    const before = await this.files.get(display);
    this.files.delete(display);
    this.digests.delete(path.join(this.root, display));
    return { before, after: await this.read(display) };
  }

  /** The digest of a file as this reader read it (absolute path), if it did. */
  digestRead(absPath: string): Digest | undefined {
    return this.digests.get(absPath);
  }

  private async readUncached(display: string): Promise<Result<ReadSource, string>> {
    const absPath = path.join(this.root, display);
    // Taken before the read: a write racing with it leaves a signature that will not match.
    const stat = this.scanCache?.trustedSignature(absPath);
    if (stat !== undefined && this.scanCache !== undefined) {
      const hit = this.scanCache.get(absPath, stat);
      if (hit !== undefined) return ok(cachedSource(display, absPath, hit));
    }
    // Synchronous: small files, and a thread-pool round trip per file costs more than the read.
    // A FIFO, device or huge file is refused rather than read.
    const read = readRegularFile(absPath, MAX_SOURCE_FILE_BYTES);
    if (!read.ok) return read;
    const bytes = read.value;
    const text = bytes.toString('utf8');
    const base = { name: path.basename(display), absPath, digest: sha256(bytes), display, text };
    if (!display.endsWith('.go')) {
      // Assembly and headers are checked from their text (constraints, #include): never cached.
      if (stat !== undefined && !/\.(s|h)$/.test(display))
        this.scanCache?.store(absPath, stat, { digest: base.digest });
      return ok(base);
    }
    const info = scanGoFile(display, text);
    if (!info.ok) return ok({ ...base, scanError: info.failure });
    if (stat !== undefined)
      this.scanCache?.store(absPath, stat, { digest: base.digest, info: info.value });
    return ok({ ...base, info: info.value });
  }

  /** The workspace-relative path of the go.mod nearest at or above `dir`, without parsing it. */
  goModFileFor(dir: string): string | undefined {
    for (let d = dir; ; d = path.posix.dirname(d) === '.' ? '' : path.posix.dirname(d)) {
      const file = d === '' ? 'go.mod' : `${d}/go.mod`;
      if (fs.existsSync(path.join(this.root, file))) return file;
      if (d === '') return undefined;
    }
  }

  /** The go.mod governing workspace directory `dir` (nearest at or above it), if any. */
  goModFor(dir: string): Promise<Result<GoMod | undefined, AnalysisFailure>> {
    let pending = this.goMods.get(dir);
    if (pending === undefined) {
      pending = (async () => {
        const file = dir === '' ? 'go.mod' : `${dir}/go.mod`;
        const abs = path.join(this.root, file);
        const text = fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : undefined;
        if (text !== undefined) {
          const parsed = parseGoMod(file, text);
          return parsed.ok ? ok(parsed.value) : err(diagnosticFailure('go-mod', parsed.failure));
        }
        if (dir === '') return ok(undefined);
        return this.goModFor(path.posix.dirname(dir) === '.' ? '' : path.posix.dirname(dir));
      })();
      this.goMods.set(dir, pending);
    }
    return pending;
  }
}

/**
 * A file answered by the scan cache. Its text is read on first use only (diagnostics, test
 * discovery); if the file changed since its signature was taken in this command, the text no
 * longer matches the digest everything else used, and that build must not go on.
 */
function cachedSource(display: string, absPath: string, hit: ScannedFile): ReadSource {
  let text: string | undefined;
  return {
    name: path.basename(display),
    absPath,
    digest: hit.digest,
    display,
    ...(hit.info !== undefined ? { info: hit.info } : {}),
    get text(): string {
      if (text === undefined) {
        const bytes = fs.readFileSync(absPath);
        if (sha256(bytes) !== hit.digest)
          throw new Error(`${display} changed while pgobuild was analysing it; build again`);
        text = bytes.toString('utf8');
      }
      return text;
    },
  };
}

/** A source file that could not be read. */
function readFailure(message: string, span: SourceSpan, display: string): AnalysisFailure {
  return {
    reason: 'missing-source',
    message: `source file ${display} ${message}`,
    diagnostic: {
      severity: 'error',
      span,
      message: `source file '${display}' ${message}`,
      sourceLine: '',
    },
  };
}

/** The import path of a library or binary target: its `importpath`, or module path + directory. */
export async function importPathOf(
  target: DeclaredTarget,
  reader: SourceReader,
): Promise<Result<{ importPath: string; module?: GoMod }, AnalysisFailure>> {
  const mod = await reader.goModFor(target.pkg);
  if (!mod.ok) return mod;
  const explicit = stringAttr(target, 'importpath', '');
  if (explicit !== '') return ok({ importPath: explicit, module: mod.value });
  if (mod.value === undefined) {
    return err({
      reason: 'bad-attribute',
      message: `${target.rule.name} '${target.name}' has no importpath and no go.mod above ${target.pkg}`,
      diagnostic: {
        severity: 'error',
        span: target.span,
        message: `${target.rule.name} '${target.name}': set importpath, or add a go.mod above the package`,
        sourceLine: '',
      },
    });
  }
  const modDir =
    path.posix.dirname(mod.value.file) === '.' ? '' : path.posix.dirname(mod.value.file);
  const rel = modDir === '' ? target.pkg : target.pkg.slice(modDir.length + 1);
  return ok({
    importPath: rel === '' ? mod.value.modulePath : `${mod.value.modulePath}/${rel}`,
    module: mod.value,
  });
}

/** Which files of a target to select. */
export type FileRole = 'library' | 'test';

/**
 * Reads a target's `srcs` (and `embedsrcs`), keeps the files that match the build context, and
 * checks they agree on a package name. For `test` the _test.go files are kept and split later.
 */
export async function selectSources(
  target: DeclaredTarget,
  role: FileRole,
  ctx: BuildContext,
  reader: SourceReader,
): Promise<Result<ReadSource[], AnalysisFailure>> {
  const selected: ReadSource[] = [];
  // Only files inside the package, each named once (nothing outside the workspace gets compiled).
  const srcs = packageFileList(target, 'srcs');
  if (!srcs.ok) return srcs;
  const embedsrcs = packageFileList(target, 'embedsrcs');
  if (!embedsrcs.ok) return embedsrcs;
  for (const src of srcs.value) {
    const rel = src.rel;
    if (rel.startsWith('//') || rel.includes(':')) {
      return err({
        reason: 'bad-attribute',
        message: `srcs must name files of this package`,
        diagnostic: {
          severity: 'error',
          span: src.span,
          message: `srcs must name files in package //${target.pkg} (got '${rel}')`,
          sourceLine: '',
        },
      });
    }
    // A genrule of the package (`:gen`) or one of its outs (`gen.go`), as Bazel reads srcs.
    const generated = await reader.generated?.(target, rel, src.span);
    let files: readonly ReadSource[];
    if (generated !== undefined) {
      if (!generated.ok) return generated;
      files = generated.value;
    } else {
      const display = target.pkg === '' ? rel : `${target.pkg}/${rel}`;
      const file = await reader.read(display);
      if (!file.ok) return err(readFailure(file.failure, src.span, display));
      files = [file.value];
    }
    for (const file of files) {
      const name = file.name;
      const isTest = name.endsWith('_test.go');
      if (!/\.(go|s|h)$/.test(name)) {
        return err({
          reason: 'bad-attribute',
          message: `unsupported source ${file.display}`,
          diagnostic: {
            severity: 'error',
            span: src.span,
            message:
              generated === undefined
                ? `'${rel}' is not a .go, .s or .h file (cgo is not supported yet)`
                : `'${rel}' makes ${file.display}, which is not a .go, .s or .h file`,
            sourceLine: '',
          },
        });
      }
      if (isTest !== (role === 'test') && name.endsWith('.go')) continue;
      // Constraints first, as go/build does: a file excluded for this platform may not even parse.
      // A scanned .go file's header constraint is in its scan (the same reading of the same text);
      // the text is needed only for files without one (a failed scan, assembly, headers).
      const matches =
        file.info !== undefined
          ? matchesBuildContext(name, file.info, ctx)
          : matchesBuildContext(name, undefined, ctx, file.text);
      if (!matches.ok) return err(diagnosticFailure('go-source', matches.failure));
      if (!matches.value) continue;
      if (file.scanError !== undefined) return err(diagnosticFailure('go-source', file.scanError));
      selected.push(file);
    }
  }
  return ok(selected);
}

/**
 * Splits selected files into a package's Go/asm/header lists and resolves its //go:embed
 * patterns against `embedsrcs`. All .go files must declare `packageName` (or, when undefined, the
 * first file's package). `warn` receives a warning for each pattern that also matches files on
 * disk that `embedsrcs` leaves out.
 */
export async function assemblePackage(
  target: DeclaredTarget,
  files: readonly ReadSource[],
  embedTargets: readonly DeclaredTarget[],
  reader: SourceReader,
  warn?: (d: Diagnostic) => void,
): Promise<Result<GoSources, AnalysisFailure>> {
  const goFiles = files.filter((f) => f.name.endsWith('.go'));
  const first = goFiles[0]?.info;
  if (first === undefined) {
    return err({
      reason: 'missing-source',
      message: `${target.rule.name} '${target.name}' has no Go files for this platform`,
      diagnostic: {
        severity: 'error',
        span: target.span,
        message: `no buildable Go source files in ${target.rule.name} '${target.name}'`,
        sourceLine: '',
      },
    });
  }
  for (const f of goFiles) {
    const info = f.info as GoFileInfo;
    if (info.packageName !== first.packageName) {
      return err(
        diagnosticFailure('go-source', {
          severity: 'error',
          span: info.packageSpan,
          message: `found packages ${first.packageName} (${goFiles[0]?.name}) and ${info.packageName} (${f.name})`,
          sourceLine: lineOf(f.text, info.packageSpan.line),
        }),
      );
    }
  }
  // What the assembler reads must be an input of the action: no header from outside the package.
  for (const f of files) {
    if (!f.name.endsWith('.s') && !f.name.endsWith('.h')) continue;
    const outside = outOfTreeInclude(f.display, f.text);
    if (outside !== undefined) return err(diagnosticFailure('go-source', outside));
  }
  const patterns = goFiles.flatMap((f) => (f.info as GoFileInfo).embedPatterns);
  let embed: GoSources['embed'];
  if (patterns.length > 0) {
    const available: string[] = [];
    // Generated files (a genrule's outs, a rule's files) by their path in the package.
    const generated = new Map<string, SourceFile>();
    for (const t of [target, ...embedTargets]) {
      const listed = packageFileList(t, 'embedsrcs');
      if (!listed.ok) return listed;
      for (const e of listed.value) {
        const made = await reader.generated?.(t, e.rel, e.span);
        if (made === undefined) {
          available.push(e.rel);
          continue;
        }
        if (!made.ok) return made;
        const outDir = `pgobuild-out/bin/${t.pkg === '' ? '' : `${t.pkg}/`}`;
        for (const f of made.value) {
          const rel = f.display.startsWith(outDir) ? f.display.slice(outDir.length) : f.name;
          available.push(rel);
          generated.set(rel, { name: rel, absPath: f.absPath, digest: f.digest });
        }
      }
    }
    const resolved = resolveEmbedPatterns([...new Set(patterns.map((p) => p.pattern))], available);
    if (!resolved.ok) {
      const at = patterns.find((p) => p.pattern === resolved.failure.pattern);
      const file = goFiles.find((f) => f.display === at?.span.file);
      return err(
        diagnosticFailure('embed-pattern', {
          severity: 'error',
          span: at?.span ?? target.span,
          message: `pattern ${resolved.failure.pattern}: ${resolved.failure.message}`,
          sourceLine: file === undefined || at === undefined ? '' : lineOf(file.text, at.span.line),
        }),
      );
    }
    // cmd/go embeds what is on disk; a matching file left out of embedsrcs would silently be
    // missing from the embedded FS.
    if (warn !== undefined) {
      const onDisk = resolveEmbedPatterns(
        Object.keys(resolved.value.patterns),
        embeddableFiles(path.join(reader.root, target.pkg)),
      );
      if (onDisk.ok)
        for (const [pattern, files] of Object.entries(onDisk.value.patterns)) {
          const listed = new Set(resolved.value.patterns[pattern] ?? []);
          const missing = files.filter((f) => !listed.has(f));
          const at = patterns.find((p) => p.pattern === pattern);
          if (missing.length === 0 || at === undefined) continue;
          const file = goFiles.find((f) => f.display === at.span.file);
          warn({
            severity: 'warning',
            span: at.span,
            message: `pattern ${pattern} also matches ${missing.join(', ')}, which embedsrcs does not list: go build would embed ${missing.length === 1 ? 'it' : 'them'}, pgobuild does not (add ${missing.length === 1 ? 'it' : 'them'} to embedsrcs, or run pgobuild generate)`,
            sourceLine: file === undefined ? '' : lineOf(file.text, at.span.line),
          });
        }
    }
    const embedFiles: SourceFile[] = [];
    for (const rel of resolved.value.files) {
      const made = generated.get(rel);
      if (made !== undefined) {
        embedFiles.push(made);
        continue;
      }
      const display = target.pkg === '' ? rel : `${target.pkg}/${rel}`;
      const file = await reader.read(display);
      if (!file.ok) return err(readFailure(file.failure, target.span, display));
      embedFiles.push({ name: rel, absPath: file.value.absPath, digest: file.value.digest });
    }
    embed = { patterns: resolved.value.patterns, files: embedFiles };
  }
  return ok({
    packageName: first.packageName,
    goFiles,
    sFiles: files.filter((f) => f.name.endsWith('.s')),
    hFiles: files.filter((f) => f.name.endsWith('.h')),
    embed,
  });
}

/** Line `n` (1-based) of a text. */
export function lineOf(text: string, n: number): string {
  return (text.split('\n')[n - 1] ?? '').replace(/\r$/, '');
}
