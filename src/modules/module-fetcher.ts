import * as fs from 'node:fs';
import * as path from 'node:path';
import { goSumKey } from '../go/go-sum';
import type { GoSumEntry } from '../go/go-sum';
import { type Diagnostic, type Digest, type Result, type SourceSpan, err, ok } from '../util';
import { Semaphore } from '../exec/semaphore';
import type { ModuleContext, ModuleVersion } from './build-list';
import { hashModuleDir } from './dirhash';
import { goCommandEnv, goErrorText, parseJsonStream, runGo } from './go-command';
import { escapeModulePath, moduleCacheDir } from './module-cache-path';

/** Why a module's content could not be used. */
export interface ModuleFetchFailure {
  readonly reason: 'module-sum-missing' | 'module-download' | 'module-verify';
  readonly message: string;
  readonly diagnostic?: Diagnostic;
}

/** What the fetcher reports while it works (the progress line shows downloads). */
export interface ModuleFetchEvent {
  readonly module: string;
  readonly version: string;
  readonly status: 'started' | 'finished' | 'failed';
  readonly durationMs: number;
}

/** The directory holding a module's files, and (for a versioned module) the verified hash. */
export interface ModuleContent {
  readonly dir: string;
  /** The version whose files these are: the replacement's, if replaced by another version. */
  readonly fetched?: { readonly path: string; readonly version: string; readonly sum: string };
}

interface DownloadJson {
  Path: string;
  Version: string;
  Dir?: string;
  Sum?: string;
  Error?: string;
}

/**
 * Finds the files of build-list modules: a main module's or directory replacement's directory,
 * `vendor/`, or the module cache, downloading with `go mod download` (at most `concurrency` at
 * once) only when a module is first needed. Every module-cache directory is hashed
 * (`dirhash.Hash1`) and checked against its go.sum line before anything from it is used.
 */
export class ModuleFetcher {
  private readonly pending = new Map<string, Promise<Result<ModuleContent, ModuleFetchFailure>>>();
  private readonly downloads: Semaphore;

  constructor(
    private readonly goBinary: string,
    private readonly digest: (absPath: string) => Promise<Digest>,
    private readonly onEvent: (e: ModuleFetchEvent) => void,
    concurrency = 4,
  ) {
    this.downloads = new Semaphore(concurrency);
  }

  /** The content of `mod` in `ctx`, fetched and verified once per command. */
  contentOf(
    ctx: ModuleContext,
    mod: ModuleVersion,
  ): Promise<Result<ModuleContent, ModuleFetchFailure>> {
    if (mod.main && mod.localDir !== undefined) return Promise.resolve(ok({ dir: mod.localDir }));
    if (ctx.vendorDir !== undefined)
      return Promise.resolve(ok({ dir: path.join(ctx.vendorDir, mod.path) }));
    if (mod.replace !== undefined && mod.replace.version === undefined)
      return Promise.resolve(ok({ dir: mod.localDir ?? path.resolve(ctx.dir, mod.replace.path) }));
    const target = mod.replace ?? { path: mod.path, version: mod.version };
    const key = `${ctx.dir}\0${target.path}@${target.version ?? ''}`;
    let p = this.pending.get(key);
    if (p === undefined) {
      p = this.fetch(ctx, mod, target.path, target.version ?? '');
      this.pending.set(key, p);
    }
    return p;
  }

  private async fetch(
    ctx: ModuleContext,
    mod: ModuleVersion,
    modPath: string,
    version: string,
  ): Promise<Result<ModuleContent, ModuleFetchFailure>> {
    const where = ctx.requireSpans.get(mod.path);
    const id = `${modPath}@${version}`;
    let sum: GoSumEntry | undefined;
    for (const s of ctx.sums) sum ??= s.entries.get(goSumKey(modPath, version));
    if (sum === undefined && !ctx.modMod) {
      const message = `missing go.sum entry for module ${id}${where === undefined ? '' : ` (required at ${where.file}:${where.line})`}; to add it: go mod download ${modPath}`;
      return err({ reason: 'module-sum-missing', message, diagnostic: at(where, message) });
    }
    const dir = moduleCacheDir(ctx.gomodcache, modPath, version);
    const partial = path.join(
      ctx.gomodcache,
      'cache',
      'download',
      escapeModulePath(modPath),
      '@v',
      `${escapeModulePath(version)}.partial`,
    );
    let downloadedSum: string | undefined;
    if (!fs.existsSync(dir) || fs.existsSync(partial)) {
      const downloaded = await this.download(ctx, modPath, version);
      if (!downloaded.ok) {
        const message = `module ${id}${where === undefined ? '' : ` (required at ${where.file}:${where.line})`}: ${downloaded.failure}`;
        return err({ reason: 'module-download', message, diagnostic: at(where, message) });
      }
      downloadedSum = downloaded.value.Sum;
    }
    const expected = sum?.hash ?? downloadedSum;
    let actual: string;
    try {
      actual = await hashModuleDir(dir, id, this.digest);
    } catch (e) {
      const message = `module ${id}: cannot read ${dir}: ${(e as Error).message}`;
      return err({ reason: 'module-verify', message, diagnostic: at(where, message) });
    }
    if (actual !== expected) {
      const recorded =
        sum === undefined ? 'the checksum database' : `${sum.span.file}:${sum.span.line}`;
      const message = `module ${id}: checksum mismatch: ${recorded} records ${expected ?? '(nothing)'}, but the files in ${dir} hash to ${actual}. SECURITY ERROR: the go.sum line or the module cache was tampered with; check the go.sum line, or remove the module from the cache (go clean -modcache) and build again`;
      return err({ reason: 'module-verify', message, diagnostic: at(sum?.span ?? where, message) });
    }
    return ok({ dir, fetched: { path: modPath, version, sum: actual } });
  }

  private async download(
    ctx: ModuleContext,
    modPath: string,
    version: string,
  ): Promise<Result<DownloadJson, string>> {
    const permit = await this.downloads.acquire();
    if (!permit.ok) return err('cancelled');
    const started = Date.now();
    this.onEvent({ module: modPath, version, status: 'started', durationMs: 0 });
    try {
      const r = await runGo(
        this.goBinary,
        ['mod', 'download', '-json', `${modPath}@${version}`],
        ctx.dir,
        goCommandEnv(ctx.goWork === undefined ? { GOWORK: 'off' } : {}),
      );
      const [info] = parseJsonStream<DownloadJson>(r.stdout);
      const failure = info?.Error ?? (r.code !== 0 ? goErrorText(r) : undefined);
      const durationMs = Date.now() - started;
      if (failure !== undefined || info === undefined) {
        this.onEvent({ module: modPath, version, status: 'failed', durationMs });
        return err(failure ?? 'go mod download printed nothing');
      }
      this.onEvent({ module: modPath, version, status: 'finished', durationMs });
      return ok(info);
    } finally {
      permit.value();
    }
  }
}

function at(span: SourceSpan | undefined, message: string): Diagnostic | undefined {
  return span === undefined ? undefined : { severity: 'error', span, message, sourceLine: '' };
}
