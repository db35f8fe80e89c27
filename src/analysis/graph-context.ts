import type { BuildContext } from '../go/scan';
import type { FileDigester } from '../hashing';
import type { Diagnostic, Digest, Result } from '../util';
import type { AnalysisFailure } from './failure';
import type { BuildNode, StdContext } from './build-graph';
import type { Configuration } from './configuration';
import type { SourceReader } from './go-package';
import type { SourceScanCache } from './source-scan-cache';
import type { StampValues } from './link-options';
import type { ModulePackages } from './module-packages';
import type { PackageLoader } from './package-loader';

/** The command-wide build options the session sets before analysis (flags, not attributes). */
export interface GraphOptions {
  /** `--gc_goopts`: flags for every compile. */
  gcflags: readonly string[];
  /** `--gotags`: build tags that select files by build constraints, as `go build -tags`. */
  tags: readonly string[];
  /** `--linkopt`: extra linker flags for every binary, as `go build -ldflags`. */
  linkopts: readonly string[];
  /** `--stamp`: the `--workspace_status_command` values `{KEY}` in `x_defs` stands for. */
  stampValues: StampValues;
  /**
   * Runs a node (and what it depends on) through the executor and cache during analysis and
   * answers its outputs: how a genrule's generated .go file is read before its package's imports
   * are scanned. Undefined in commands that do not run actions.
   */
  produce: NodeProducer | undefined;
}

/** A produced output: its exec-root path, its digest and where its verified bytes are readable. */
export interface ProducedOutput {
  readonly path: string;
  readonly digest: Digest;
  readonly absPath: string;
}

/**
 * Runs node `nodeId` of `nodes` (with its dependencies) and answers its declared outputs, or an
 * analysis failure (the action's own failure has then been reported as an action-failed event).
 */
export type NodeProducer = (
  nodes: ReadonlyMap<string, BuildNode>,
  nodeId: string,
) => Promise<Result<readonly ProducedOutput[], AnalysisFailure>>;

/**
 * What every part of graph construction shares for one command: the workspace, the SDK, the
 * node table (nodes are shared whenever package and configuration are equal) and the warnings.
 */
export interface GraphContext {
  readonly root: string;
  readonly loader: PackageLoader;
  readonly std: StdContext;
  readonly digester: FileDigester;
  /** The configuration of libraries and of tests without a profile. */
  readonly defaultConfig: Configuration;
  readonly reader: SourceReader;
  /** Packages of required modules (implicit `@repo//dir:name` targets). */
  readonly modules: ModulePackages;
  readonly nodes: Map<string, BuildNode>;
  readonly warnings: Diagnostic[];
  readonly options: GraphOptions;
  /** pgobuild's state directory (`<disk cache>/v1`): standard-library listings per tag set. */
  readonly stateDir: string;
  /** Persisted per-file analysis results (scans, assembly includes); absent in tests. */
  readonly scanCache?: SourceScanCache;
}

/** Adds a warning unless the same one (a package resolved twice, e.g. for its test) is there. */
export function warnOnce(ctx: GraphContext, d: Diagnostic): void {
  const same = (w: Diagnostic): boolean =>
    w.message === d.message && w.span.file === d.span.file && w.span.line === d.span.line;
  if (!ctx.warnings.some(same)) ctx.warnings.push(d);
}

/** Whether `importPath` names a standard-library package (std's vendored copies excepted). */
export function isStandardImport(std: StdContext, importPath: string): boolean {
  return std.stdlib.has(importPath) && !importPath.startsWith('vendor/');
}

/** The build tags of a configuration's graph: its `gotags` transition's, or `--gotags`. */
export function tagsOf(ctx: GraphContext, config: Configuration): readonly string[] {
  return config.tags ?? ctx.options.tags;
}

/**
 * The build constraints files are selected with (cmd/go's `build.Context`): the platform's, with
 * `tags` (a configuration's `gotags` transition; undefined: `--gotags`).
 */
export function buildContextOf(ctx: GraphContext, tags?: readonly string[]): BuildContext {
  const p = ctx.defaultConfig.platform;
  return {
    goos: p.goos,
    goarch: p.goarch,
    goMinor: ctx.std.sdk.minor,
    cgoEnabled: p.cgoEnabled,
    compiler: 'gc',
    buildTags: tags ?? ctx.options.tags,
  };
}
