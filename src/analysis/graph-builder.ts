import type { FileDigester } from '../hashing';
import type { GoCommandContext, ModuleFetcher } from '../modules';
import { type Diagnostic, type Result, err, ok } from '../util';
import type { BuildGraph, StdContext, TestRunOptions } from './build-graph';
import type { Configuration } from './configuration';
import type { AnalysisFailure } from './failure';
import { SourceReader } from './go-package';
import { type GraphContext, type NodeProducer, buildContextOf } from './graph-context';
import { ImportResolver } from './import-resolution';
import type { StampValues } from './link-options';
import { LinkNodes } from './link-nodes';
import { ModulePackages } from './module-packages';
import type { PackageLoader } from './package-loader';
import type { DeclaredTarget } from './rule-api';
import type { SourceScanCache } from './source-scan-cache';
import { SourceMentions, patchEditedSources } from './source-patch';
import { StdNodes } from './std-nodes';
import { TargetLookup } from './target-lookup';
import type { ConfigForBinary, RootContext } from './target-roots';
import { TestNodes } from './test-nodes';
import { UserCompileNodes } from './user-compile-nodes';
import { UserRuleNodes } from './user-rule-nodes';

export type { ConfigForBinary } from './target-roots';
export type { NodeProducer, ProducedOutput } from './graph-context';

/**
 * Turns declared targets into the action graph: one compile node per (package, configuration),
 * standard library included, one link node per binary, one run node per test. Nodes are shared
 * whenever package and configuration are equal, so a library reached by two binaries with the same
 * configuration is compiled once.
 *
 * The work is done by its parts, which share one {@link GraphContext}: {@link TargetLookup}
 * (labels to targets), {@link ImportResolver} (targets to packages), {@link StdNodes} and
 * {@link UserCompileNodes} (compiles), {@link LinkNodes} (binaries), {@link TestNodes} (tests);
 * each requested target's root comes from its rule's implementation (rules/go.ts, rules/genrule.ts
 * or a TypeScript rule's, all run by {@link UserRuleNodes}).
 */
export class GraphBuilder {
  private readonly ctx: GraphContext;
  private readonly lookup: TargetLookup;
  private readonly resolver: ImportResolver;
  private readonly compiles: UserCompileNodes;
  private readonly links: LinkNodes;
  private readonly tests: TestNodes;
  private readonly userRules: UserRuleNodes;
  readonly warnings: Diagnostic[] = [];
  /** Where the graph names files, for {@link patchSources} (made on its first call). */
  private mentions?: SourceMentions;
  /** Packages of required modules (implicit `@repo//dir:name` targets). */
  readonly modules: ModulePackages;

  constructor(
    root: string,
    loader: PackageLoader,
    std: StdContext,
    digester: FileDigester,
    private readonly defaultConfig: Configuration,
    moduleTools: { readonly go: GoCommandContext; readonly fetcher: ModuleFetcher },
    /** Persisted scans of workspace sources: unchanged files are not re-read (see its docs). */
    scanCache?: SourceScanCache,
  ) {
    const reader = new SourceReader(root, scanCache);
    this.modules = new ModulePackages({
      root,
      reader,
      go: moduleTools.go,
      fetcher: moduleTools.fetcher,
      digest: (absPath) => digester.digest(absPath),
      buildContext: (tags) => buildContextOf(this.ctx, tags),
      libraryRule: loader.ruleNamed('go_library'),
      scanCache,
    });
    this.ctx = {
      root,
      loader,
      std,
      digester,
      defaultConfig,
      reader,
      modules: this.modules,
      nodes: new Map(),
      warnings: this.warnings,
      options: { gcflags: [], tags: [], linkopts: [], stampValues: undefined, produce: undefined },
      stateDir: moduleTools.go.stateDir,
      scanCache,
    };
    this.lookup = new TargetLookup(this.ctx);
    this.resolver = new ImportResolver(this.ctx, this.lookup);
    const stdNodes = new StdNodes(this.ctx);
    this.compiles = new UserCompileNodes(this.ctx, stdNodes);
    this.links = new LinkNodes(this.ctx, this.resolver, this.compiles);
    this.tests = new TestNodes(
      this.ctx,
      this.lookup,
      this.resolver,
      stdNodes,
      this.compiles,
      this.links,
    );
    this.userRules = new UserRuleNodes(
      this.ctx,
      this.resolver,
      this.compiles,
      this.links,
      this.tests,
    );
    reader.generated = (target, rel, span) => this.userRules.generatedSources(target, rel, span);
  }

  /** `--gc_goopts`: flags for every compile (set by the session before analysis). */
  get globalGcflags(): readonly string[] {
    return this.ctx.options.gcflags;
  }
  set globalGcflags(flags: readonly string[]) {
    this.ctx.options.gcflags = flags;
  }

  /** `--gotags`: build tags that select files by build constraints, as `go build -tags`. */
  get globalTags(): readonly string[] {
    return this.ctx.options.tags;
  }
  set globalTags(tags: readonly string[]) {
    this.ctx.options.tags = tags;
  }

  /** `--linkopt`: extra linker flags for every binary, as `go build -ldflags`. */
  get globalLinkopts(): readonly string[] {
    return this.ctx.options.linkopts;
  }
  set globalLinkopts(flags: readonly string[]) {
    this.ctx.options.linkopts = flags;
  }

  /** `--stamp`: the `--workspace_status_command` values `{KEY}` in `x_defs` stands for. */
  get stampValues(): StampValues {
    return this.ctx.options.stampValues;
  }
  set stampValues(values: StampValues) {
    this.ctx.options.stampValues = values;
  }

  /**
   * How analysis runs the action that makes a generated Go source, a genrule's or another rule's:
   * set by the session of a command that runs actions (without it such a source is an analysis
   * error).
   */
  set nodeProducer(produce: NodeProducer | undefined) {
    this.ctx.options.produce = produce;
  }

  /**
   * Builds the graph for `targets`; `tests` (the `test` command) adds a run node per go_test, run
   * with those options.
   */
  async build(
    targets: readonly DeclaredTarget[],
    configFor: ConfigForBinary,
    tests: TestRunOptions | undefined,
  ): Promise<Result<BuildGraph, AnalysisFailure[]>> {
    const rc: RootContext = {
      defaultConfig: this.defaultConfig,
      configFor,
      testRun: tests,
      commandTags: this.ctx.options.tags,
      lookup: this.lookup,
      userRules: this.userRules,
    };
    this.userRules.command = rc;
    this.mentions = undefined;
    const roots: string[] = [];
    const failures: AnalysisFailure[] = [];
    try {
      for (const target of targets) {
        const result = await target.rule.implementation(target, rc);
        if (result.ok) {
          if (result.value !== undefined) roots.push(result.value);
        }
        // A library's failures reach every target that depends on it: report each once.
        else failures.push(...result.failure.filter((f) => !failures.includes(f)));
      }
    } finally {
      // The cycle check of rules on the public API follows call chains with
      // AsyncLocalStorage, whose hooks, once a chain was entered, cost every promise of the
      // process until disabled: the runner's thousands of actions, and every later command of
      // a warm server. A later build() enters a chain again, which enables them again.
      this.userRules.endConstruction();
    }
    if (failures.length > 0) return err(failures);
    return ok({ nodes: this.ctx.nodes, roots });
  }

  /**
   * The graph of the last {@link build} (whose roots were `roots`) after the workspace files
   * `changed` (absolute paths) were edited, when an edit of a non-test Go file that leaves its
   * header scan equal is all that happened (see source-patch.ts): the compiles that list those
   * files get their new digests. Undefined otherwise; this builder has then read the new files
   * and must not be used again.
   */
  async patchSources(
    changed: ReadonlySet<string>,
    roots: readonly string[],
  ): Promise<BuildGraph | undefined> {
    const { root, reader, nodes } = this.ctx;
    this.mentions ??= new SourceMentions(nodes);
    if (!(await patchEditedSources(root, reader, nodes, this.mentions, changed))) return undefined;
    return { nodes, roots };
  }

  /** The digest of a source file (absolute path) as analysis read it, if it did. */
  sourceDigest(absPath: string): string | undefined {
    return this.ctx.reader.digestRead(absPath);
  }

  /**
   * The module packages a module package target imports (its dependency edges, which no BUILD
   * file lists), for `query`. Resolving loads (and fetches) them.
   */
  moduleImportsOf(target: DeclaredTarget): Promise<Result<DeclaredTarget[], AnalysisFailure[]>> {
    return this.resolver.moduleImportsOf(target);
  }

  /** Loads the target a label names, with "did you mean" help for unknown packages and targets. */
  findTarget(
    text: string,
    currentPkg: string,
    span: Diagnostic['span'],
  ): Promise<Result<DeclaredTarget, AnalysisFailure>> {
    return this.lookup.findTarget(text, currentPkg, span);
  }
}
