import * as path from 'node:path';
import type { SourceFile } from '../go/compile-action';
import { EXEC_ROOT } from '../go/exec-root';
import { langVersion } from '../go/go-mod';
import { loadStdlib, type StdPackage } from '../go/stdlib';
import { type Result, err, ok } from '../util';
import type { CompileNode } from './build-graph';
import type { Configuration } from './configuration';
import type { AnalysisFailure } from './failure';
import { type GraphContext, tagsOf } from './graph-context';
import { quotedIncludes } from './source-scan-cache';

/**
 * Compile nodes of standard-library packages: one per (package, configuration), with the files
 * `go list std` selected and the headers their assembly includes.
 */
export class StdNodes {
  /** Headers found per std package directory (the same for every configuration). */
  private readonly headersByDir = new Map<string, Promise<SourceFile[]>>();
  /** The standard library as listed with each `gotags` transition's tags. */
  private readonly stdlibByTags = new Map<
    string,
    Promise<Result<ReadonlyMap<string, StdPackage>, AnalysisFailure[]>>
  >();

  constructor(private readonly ctx: GraphContext) {}

  /** The node compiling std package `importPath` (and, first, those it imports) in `config`. */
  async compileNode(
    importPath: string,
    config: Configuration,
  ): Promise<Result<string, AnalysisFailure[]>> {
    const { std, nodes, digester } = this.ctx;
    const id = `compile:std/${importPath}@${config.id}`;
    if (nodes.has(id)) return ok(id);
    const stdlib = await this.stdlibFor(config);
    if (!stdlib.ok) return stdlib;
    const sp = stdlib.value.get(importPath);
    if (sp === undefined)
      return err([
        {
          reason: 'stdlib-list-failed',
          message: `standard library package "${importPath}" not found in ${std.sdk.goroot}`,
        },
      ]);
    const deps: { importPath: string; nodeId: string }[] = [];
    for (const imp of sp.imports) {
      if (imp === 'unsafe') continue;
      const nodeId = await this.compileNode(imp, config);
      if (!nodeId.ok) return nodeId;
      deps.push({ importPath: imp, nodeId: nodeId.value });
    }
    const goroot = std.sdk.goroot;
    const files = async (names: readonly string[]): Promise<SourceFile[]> =>
      Promise.all(
        names.map(async (name) => {
          const absPath = path.join(goroot, sp.dir, name);
          return { name, absPath, digest: await digester.digest(absPath) };
        }),
      );
    const node: CompileNode = {
      kind: 'compile',
      id,
      owner: importPath,
      config,
      unit: {
        importPath,
        packagePath: importPath,
        standard: true,
        dir: `${EXEC_ROOT.goroot}/${sp.dir}`,
        goFiles: await files(sp.goFiles),
        sFiles: await files(sp.sFiles),
        hFiles: await files(sp.hFiles),
        includedHeaders: await this.includedHeaders(path.join(goroot, sp.dir), [
          ...sp.sFiles,
          ...sp.hFiles,
        ]),
        importMap: Object.entries(sp.importMap).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        lang: std.sdk.minor >= 23 ? langVersion(std.sdk.version.replace(/^go/, '')) : undefined,
        gcflags: [...this.ctx.options.gcflags],
      },
      deps,
    };
    nodes.set(id, node);
    return ok(id);
  }

  /**
   * The standard library of `config`: the command's listing (with `--gotags`), or for a `gotags`
   * transition the SDK's `go list -deps std` with its tags, so std files are selected as
   * `go build -tags` selects them (`netgo`, `osusergo`, …).
   */
  private stdlibFor(
    config: Configuration,
  ): Promise<Result<ReadonlyMap<string, StdPackage>, AnalysisFailure[]>> {
    if (config.tags === undefined) return Promise.resolve(ok(this.ctx.std.stdlib));
    const tags = tagsOf(this.ctx, config);
    const key = tags.join(',');
    let pending = this.stdlibByTags.get(key);
    if (pending === undefined) {
      pending = loadStdlib(this.ctx.std.sdk, config.platform, this.ctx.stateDir, tags).then((r) =>
        r.ok ? ok(r.value) : err([{ reason: r.failure.reason, message: r.failure.message }]),
      );
      this.stdlibByTags.set(key, pending);
    }
    return pending;
  }

  /**
   * Headers that a std package's assembly includes from subdirectories (`#include "cgo/abi_amd64.h"`
   * in runtime): cmd/go exposes all of GOROOT, a sandbox only what is declared, so find them.
   */
  private includedHeaders(dir: string, names: readonly string[]): Promise<SourceFile[]> {
    let pending = this.headersByDir.get(dir);
    if (pending === undefined) {
      pending = this.findIncludedHeaders(dir, names);
      this.headersByDir.set(dir, pending);
    }
    return pending;
  }

  private async findIncludedHeaders(dir: string, names: readonly string[]): Promise<SourceFile[]> {
    const found = new Map<string, SourceFile>();
    const queue = [...names];
    const seen = new Set(names);
    while (queue.length > 0) {
      const name = queue.pop() as string;
      const includes = quotedIncludes(path.join(dir, name), this.ctx.scanCache);
      if (includes === undefined) continue;
      for (const inc of includes) {
        if (!inc.includes('/') || seen.has(inc)) continue;
        seen.add(inc);
        const absPath = path.join(dir, inc);
        try {
          found.set(inc, { name: inc, absPath, digest: await this.ctx.digester.digest(absPath) });
          queue.push(inc);
        } catch {
          // Not relative to the package directory (e.g. an -I include path): nothing to add.
        }
      }
    }
    return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }
}
