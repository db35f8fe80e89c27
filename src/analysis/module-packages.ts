import * as fs from 'node:fs';
import * as path from 'node:path';
import { type GoWork, parseGoWork } from '../go/go-mod';
import {
  type BuildContext,
  type GoFileInfo,
  type PackageSourceFile,
  scanGoFile,
  selectPackageFiles,
} from '../go/scan';
import {
  type GoCommandContext,
  type ModuleContent,
  type ModuleContext,
  type ModuleFetcher,
  type ModuleVersion,
  dirInModule,
  loadModuleContext,
  modulePackageLabel,
  modulesProviding,
  packageTargetName,
  repoNameOf,
} from '../modules';
import { type Digest, type Result, type SourceSpan, err, ok, sha256 } from '../util';
import { type LabelParts, labelOf, nearestName } from '../workspace';
import { embeddableFiles, resolveEmbedPatterns } from './embed';
import { type AnalysisFailure, diagnosticFailure } from './failure';
import type { GoSources, ReadSource, SourceReader } from './go-package';
import { lineOf } from './go-package';
import type { DeclaredTarget, RuleDefinition } from './rule-api';
import type { SourceScanCache } from './source-scan-cache';

/** A package of a required module: its files, selected as go/build selects them, and imports. */
export interface ModulePackage {
  readonly importPath: string;
  readonly context: ModuleContext;
  readonly module: ModuleVersion;
  readonly content: ModuleContent;
  /** `@repo//dir:name`. */
  readonly label: LabelParts & { readonly repo: string };
  /** The package directory inside exec roots: `external/<repo>/<dir>`. */
  readonly execDir: string;
  /** cmd/go's `-trimpath` rewrite for it: `<module>@<version>/<dir>`. */
  readonly trimpath: string;
  readonly sources: GoSources;
  /** Imports other than `unsafe` and `C`, in first-seen order, with where each is written. */
  readonly imports: readonly PackageImport[];
}

/** One import of a module package. */
export interface PackageImport {
  readonly path: string;
  readonly span: SourceSpan;
  readonly sourceLine: string;
}

/** Where an import comes from, for errors that point at it. */
export interface ImportSite {
  readonly span: SourceSpan;
  readonly sourceLine: string;
}

/** Workspace analysis needs from modules: build lists, package loading, labels. */
export interface ModulePackageOptions {
  readonly root: string;
  readonly reader: SourceReader;
  readonly go: GoCommandContext;
  readonly fetcher: ModuleFetcher;
  readonly digest: (absPath: string) => Promise<Digest>;
  /** The build constraints for `tags` (a `gotags` transition's; undefined: `--gotags`). */
  readonly buildContext: (tags?: readonly string[]) => BuildContext;
  /** The go_library rule, the kind every module package target has. */
  readonly libraryRule: RuleDefinition;
  /** Persisted scans: .go files of module packages whose stat signature is unchanged are not read. */
  readonly scanCache?: SourceScanCache;
}

/**
 * Module packages as implicit targets: finds the build list governing a workspace directory
 * (its go.mod, or the go.work using it), loads a required module's package on first use (the
 * module is fetched and verified then, not before), and maps `@repo//dir:name` labels to them.
 */
export class ModulePackages {
  private readonly contexts = new Map<string, Promise<Result<ModuleContext, AnalysisFailure>>>();
  private readonly packages = new Map<string, Promise<Result<ModulePackage, AnalysisFailure>>>();
  /** Directories of module packages read, for the up-to-date check. */
  private readonly dirsRead = new Set<string>();
  /** Files the build lists depend on (see {@link consultedFiles}). */
  private readonly filesRead = new Set<string>();
  /** The go.work each module directory builds in (see {@link goWorkUsing}). */
  private readonly goWorks = new Map<string, { file: string; parsed?: GoWork } | undefined>();

  constructor(private readonly opts: ModulePackageOptions) {}

  /** Absolute directories whose listings decided which files module packages have. */
  consultedDirs(): readonly string[] {
    return [...this.dirsRead];
  }

  /**
   * Files build lists were computed from that no package directory's ancestors hold:
   * `vendor/modules.txt`, and the go.mod/go.sum of directory replacements.
   */
  consultedFiles(): readonly string[] {
    return [...this.filesRead];
  }

  /**
   * The build list for workspace directory `pkgDir`: the go.work (inside the workspace) that uses
   * its module, or its go.mod; undefined outside any module. GOWORK=off ignores go.work files.
   */
  async contextFor(pkgDir: string): Promise<Result<ModuleContext | undefined, AnalysisFailure>> {
    const mod = await this.opts.reader.goModFor(pkgDir);
    if (!mod.ok) return mod;
    if (mod.value === undefined) return ok(undefined);
    const modDir =
      path.posix.dirname(mod.value.file) === '.' ? '' : path.posix.dirname(mod.value.file);
    const work = process.env['GOWORK'] === 'off' ? undefined : this.goWorkUsing(modDir);
    const file = work?.file ?? mod.value.file;
    let pending = this.contexts.get(file);
    if (pending === undefined) {
      pending = loadModuleContext(this.opts.root, file, this.opts.go).then((r) => {
        if (r.ok) {
          if (r.value.vendorDir !== undefined)
            this.filesRead.add(path.join(r.value.vendorDir, 'modules.txt'));
          for (const m of r.value.modules.values())
            if (!m.main && m.localDir !== undefined)
              for (const f of ['go.mod', 'go.sum']) this.filesRead.add(path.join(m.localDir, f));
        }
        return r.ok
          ? r
          : err<AnalysisFailure>({
              reason: r.failure.reason,
              message: r.failure.message,
              diagnostic: r.failure.diagnostic,
            });
      });
      this.contexts.set(file, pending);
    }
    return pending;
  }

  /**
   * The go.work whose build list workspace directory `pkgDir` builds in, if any (its `go` and
   * `godebug` lines then decide a binary's default GODEBUG, as in cmd/go's workspace mode).
   * Read without computing the build list.
   */
  goWorkFor(pkgDir: string): GoWork | undefined {
    if (process.env['GOWORK'] === 'off') return undefined;
    const mod = this.opts.reader.goModFileFor(pkgDir);
    if (mod === undefined) return undefined;
    const modDir = path.posix.dirname(mod) === '.' ? '' : path.posix.dirname(mod);
    return this.goWorkUsing(modDir)?.parsed;
  }

  /** The build list of go.mod or go.work `file`, once {@link contextFor} has loaded it. */
  loadedContext(file: string): Promise<Result<ModuleContext, AnalysisFailure>> | undefined {
    return this.contexts.get(file);
  }

  /**
   * The workspace-relative go.work at or above `modDir` that lists it in a `use` directive, and
   * the file parsed (undefined when it does not parse: loading it reports the syntax error).
   * Found once per module directory.
   */
  private goWorkUsing(modDir: string): { file: string; parsed?: GoWork } | undefined {
    if (this.goWorks.has(modDir)) return this.goWorks.get(modDir);
    let found: { file: string; parsed?: GoWork } | undefined;
    for (let dir = modDir; ; dir = path.posix.dirname(dir) === '.' ? '' : path.posix.dirname(dir)) {
      const file = dir === '' ? 'go.work' : `${dir}/go.work`;
      const abs = path.join(this.opts.root, file);
      if (fs.existsSync(abs)) {
        const parsed = parseGoWork(file, fs.readFileSync(abs, 'utf8'));
        const uses =
          !parsed.ok ||
          parsed.value.use.some(
            (u) => path.resolve(path.dirname(abs), u.dir) === path.join(this.opts.root, modDir),
          );
        found = uses ? { file, parsed: parsed.ok ? parsed.value : undefined } : undefined;
        break;
      }
      if (dir === '') break;
    }
    this.goWorks.set(modDir, found);
    return found;
  }

  /**
   * The implicit go_library target a module label names, in the build list of `fromPkg`
   * (`@com_github_klauspost_compress//zstd` → package github.com/klauspost/compress/zstd).
   */
  async targetFor(
    parts: LabelParts & { readonly repo: string },
    fromPkg: string,
    span: SourceSpan,
  ): Promise<Result<DeclaredTarget, AnalysisFailure>> {
    const fail = (message: string): Result<never, AnalysisFailure> =>
      err({
        reason: 'unknown-target',
        message,
        diagnostic: { severity: 'error', span, message, sourceLine: '' },
      });
    const ctx = await this.contextFor(fromPkg);
    if (!ctx.ok) return ctx;
    if (ctx.value === undefined)
      return fail(
        `no such repository '@${parts.repo}': //${fromPkg} is not inside a Go module (no go.mod above it)`,
      );
    const mod = ctx.value.byRepo.get(parts.repo);
    if (mod === undefined) {
      const hint = nearestName(parts.repo, ctx.value.byRepo.keys());
      return fail(
        `no such repository '@${parts.repo}': no module of ${ctx.value.file}'s build list is named so${hint === undefined ? '' : `; did you mean '@${hint}'?`}`,
      );
    }
    const importPath = parts.pkg === '' ? mod.path : `${mod.path}/${parts.pkg}`;
    const expected = packageTargetName(importPath);
    if (parts.name !== expected)
      return fail(
        `no such target '${labelOf(parts)}': module packages are named after their import path; did you mean '${modulePackageLabel(mod.path, importPath)}'?`,
      );
    return ok({
      rule: this.opts.libraryRule,
      pkg: parts.pkg,
      name: parts.name,
      repo: parts.repo,
      span,
      attrs: new Map(),
      external: { contextFile: ctx.value.file, importPath },
    });
  }

  /**
   * The module package `importPath` of `ctx`'s build list, loaded once per command and tag set
   * (`tags`: a `gotags` transition's; undefined: `--gotags`).
   */
  load(
    ctx: ModuleContext,
    importPath: string,
    site: ImportSite | undefined,
    tags?: readonly string[],
  ): Promise<Result<ModulePackage, AnalysisFailure>> {
    const key =
      tags === undefined
        ? `${ctx.file}\0${importPath}`
        : `${ctx.file}\0${importPath}\0tags=${tags.join(',')}`;
    let pending = this.packages.get(key);
    if (pending === undefined) {
      pending = this.loadUncached(ctx, importPath, site, tags);
      this.packages.set(key, pending);
    }
    return pending;
  }

  private async loadUncached(
    ctx: ModuleContext,
    importPath: string,
    site: ImportSite | undefined,
    tags: readonly string[] | undefined,
  ): Promise<Result<ModulePackage, AnalysisFailure>> {
    const fail = (
      reason: AnalysisFailure['reason'],
      message: string,
    ): Result<never, AnalysisFailure> =>
      err({
        reason,
        message,
        diagnostic:
          site === undefined
            ? undefined
            : { severity: 'error', span: site.span, message, sourceLine: site.sourceLine },
      });
    const candidates = modulesProviding(ctx, importPath).filter((m) => !m.main);
    if (candidates.length === 0) return fail('missing-module', noModuleMessage(ctx, importPath));
    const found: { mod: ModuleVersion; content: ModuleContent; dir: string }[] = [];
    const contents = await Promise.all(
      candidates.map((mod) => this.opts.fetcher.contentOf(ctx, mod)),
    );
    for (const [i, content] of contents.entries()) {
      const mod = candidates[i] as ModuleVersion;
      if (!content.ok)
        return err({
          reason: content.failure.reason,
          message: content.failure.message,
          diagnostic: content.failure.diagnostic,
        });
      const dir = path.join(content.value.dir, dirInModule(mod.path, importPath));
      if (hasGoFiles(dir)) found.push({ mod, content: content.value, dir });
    }
    const first = found[0];
    if (first === undefined) {
      const m = candidates[0] as ModuleVersion;
      return fail(
        'missing-module',
        `module ${m.path}@${m.version ?? ''} provides no package ${importPath}${ctx.vendorDir === undefined ? '' : ' in vendor/ (run go mod vendor)'}`,
      );
    }
    if (found.length > 1)
      return fail(
        'missing-module',
        `ambiguous import: package ${importPath} is provided by several modules: ${found.map((f) => `${f.mod.path}@${f.mod.version ?? ''}`).join(', ')}`,
      );
    return this.readPackage(ctx, importPath, first.mod, first.content, first.dir, tags);
  }

  private async readPackage(
    ctx: ModuleContext,
    importPath: string,
    mod: ModuleVersion,
    content: ModuleContent,
    dir: string,
    tags: readonly string[] | undefined,
  ): Promise<Result<ModulePackage, AnalysisFailure>> {
    this.dirsRead.add(dir);
    const buildContext = this.opts.buildContext(tags);
    const names = fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name);
    // Go files come from the scan cache when unchanged (their text is then read only for a
    // diagnostic); other sources are read, as go/build reads them, to check their constraints.
    const texts = new Map<string, string>();
    const textOf = (name: string): string => {
      let text = texts.get(name);
      if (text === undefined) {
        text = fs.readFileSync(path.join(dir, name), 'utf8');
        texts.set(name, text);
      }
      return text;
    };
    const sources: PackageSourceFile[] = [];
    for (const name of names) {
      if (!/\.(go|s|S|sx|h|c|cc|cpp|cxx|m|f|F|for|f90|swig|swigcxx)$/.test(name)) {
        sources.push({ name });
        continue;
      }
      const info = name.endsWith('.go') ? this.scanned(dir, name, texts) : undefined;
      sources.push(
        info !== undefined
          ? {
              name,
              info,
              get text() {
                return textOf(name);
              },
            }
          : { name, text: textOf(name) },
      );
    }
    const selected = selectPackageFiles(dir, sources, buildContext);
    if (!selected.ok) return err(diagnosticFailure('go-source', selected.failure));
    const files = selected.value;
    if (files.goFiles.length === 0)
      return err({
        reason: 'go-source',
        message: `package ${importPath} (${dir}) has no Go files for ${buildContext.goos}/${buildContext.goarch} without cgo`,
      });
    const read = async (name: string): Promise<ReadSource> => {
      const absPath = path.join(dir, name);
      return {
        name,
        absPath,
        digest: await this.opts.digest(absPath),
        display: absPath,
        get text() {
          return textOf(name);
        },
        info: files.infos.get(name),
      };
    };
    const goFiles = await Promise.all(files.goFiles.map(read));
    const sFiles = await Promise.all(files.sFiles.map(read));
    const hFiles = await Promise.all(files.hFiles.map(read));
    const embed = await this.embedOf(goFiles, dir);
    if (!embed.ok) return embed;
    const imports: PackageImport[] = [];
    const seen = new Set<string>();
    for (const f of goFiles)
      for (const imp of (f.info as GoFileInfo).imports) {
        if (imp.path === 'unsafe' || imp.path === 'C' || seen.has(imp.path)) continue;
        seen.add(imp.path);
        imports.push({
          path: imp.path,
          span: imp.span,
          // Only errors show it: splitting large generated files per import is not free.
          get sourceLine() {
            return lineOf(f.text, imp.span.line);
          },
        });
      }
    const repo = repoNameOf(mod.path);
    const pkgDir = dirInModule(mod.path, importPath);
    return ok({
      importPath,
      context: ctx,
      module: mod,
      content,
      label: { repo, pkg: pkgDir, name: packageTargetName(importPath) },
      execDir: pkgDir === '' ? `external/${repo}` : `external/${repo}/${pkgDir}`,
      trimpath: `${mod.path}@${mod.version ?? ''}${importPath.slice(mod.path.length)}`,
      sources: { packageName: files.packageName, goFiles, sFiles, hFiles, embed: embed.value },
      imports,
    });
  }

  /**
   * The scan of a module package's .go file from the scan cache, or scanned now (and stored) when
   * its signature changed; undefined without a cache, for a racy file or one that does not scan
   * (selectPackageFiles then reads and judges it). A text read here is left in `texts`.
   */
  private scanned(dir: string, name: string, texts: Map<string, string>): GoFileInfo | undefined {
    const cache = this.opts.scanCache;
    const absPath = path.join(dir, name);
    const stat = cache?.trustedSignature(absPath);
    if (cache === undefined || stat === undefined) return undefined;
    const hit = cache.get(absPath, stat);
    if (hit?.info !== undefined) return hit.info;
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(absPath);
    } catch {
      return undefined;
    }
    const text = bytes.toString('utf8');
    texts.set(name, text);
    // The display path selectPackageFiles scans with, so that spans are the same either way.
    const scan = scanGoFile(dir === '' ? name : `${dir}/${name}`, text);
    if (!scan.ok) return undefined;
    cache.store(absPath, stat, { digest: sha256(bytes), info: scan.value });
    return scan.value;
  }

  /** Resolves //go:embed patterns against the files below the package directory, as cmd/go. */
  private async embedOf(
    goFiles: readonly ReadSource[],
    dir: string,
  ): Promise<Result<GoSources['embed'], AnalysisFailure>> {
    const patterns = goFiles.flatMap((f) => (f.info as GoFileInfo).embedPatterns);
    if (patterns.length === 0) return ok(undefined);
    const available = embeddableFiles(dir);
    const resolved = resolveEmbedPatterns([...new Set(patterns.map((p) => p.pattern))], available);
    if (!resolved.ok) {
      const at = patterns.find((p) => p.pattern === resolved.failure.pattern);
      const message = `pattern ${resolved.failure.pattern}: ${resolved.failure.message.replace(/ \(is the file listed in embedsrcs\?\)/, '')}`;
      return err({
        reason: 'embed-pattern',
        message,
        diagnostic:
          at === undefined
            ? undefined
            : { severity: 'error', span: at.span, message, sourceLine: '' },
      });
    }
    const files = await Promise.all(
      resolved.value.files.map(async (name) => {
        const absPath = path.join(dir, name);
        return { name, absPath, digest: await this.opts.digest(absPath) };
      }),
    );
    return ok({ patterns: resolved.value.patterns, files });
  }
}

/** cmd/go's message for an import no module of the build list provides (an untidy go.mod). */
export function noModuleMessage(ctx: ModuleContext, importPath: string): string {
  const where = path.posix.dirname(ctx.file) === '.' ? '.' : path.posix.dirname(ctx.file);
  return `no required module provides package ${importPath}: ${ctx.file} is not tidy; run \`go get ${importPath}\` or \`go mod tidy\` in ${where}`;
}

function hasGoFiles(dir: string): boolean {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .some((e) => e.isFile() && e.name.endsWith('.go'));
  } catch {
    return false;
  }
}
