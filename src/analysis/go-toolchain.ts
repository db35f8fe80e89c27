import * as path from 'node:path';
import type * as api from '../rules';
import { labelOf } from '../workspace';
import type { TestRunOptions } from './build-graph';
import type { Configuration } from './configuration';
import type { AnalysisFailure } from './failure';
import { hostRuleDirOf, ruleDirOf } from './generic-action-files';
import type { ImportResolver } from './import-resolution';
import type { LinkNodes } from './link-nodes';
import type { ResolvedPackage } from './resolved-package';
import type { DeclaredTarget } from './rule-api';
import type { TestNodes } from './test-nodes';
import type { UserCompileNodes } from './user-compile-nodes';

/** The parts of the graph the Go toolchain declares its nodes with. */
export interface GoToolchainParts {
  readonly resolver: ImportResolver;
  readonly compiles: UserCompileNodes;
  readonly links: LinkNodes;
  readonly tests: TestNodes;
}

/**
 * Analysis failures of a Go action a rule declared (an import no dep provides, a syntax error…),
 * thrown through the rule's implementation and reported as they are, not as the rule's failure.
 */
export class GoAnalysisFailures extends Error {
  constructor(readonly failures: AnalysisFailure[]) {
    super(failures.map((f) => f.message).join('; '));
  }
}

/** What a compile gave: the archive's package and node, so that a link can use them. */
interface Compiled {
  readonly pkg: ResolvedPackage;
  readonly nodeId: string;
}

/**
 * `go(ctx)` of one target (the public {@link api.GoContext}): declares the target's compile, link
 * and test nodes in its rule's configuration, with the same builders and so the same nodes and
 * keys as every Go package of the graph. Which node stands for the target (a library's compile, a
 * binary's link, a test's run) is {@link root}.
 */
export class GoToolchain implements api.GoContext {
  readonly configuration: api.GoConfiguration;
  /** The node the target stands for: the last link or test declared, else its compile. */
  root: string | undefined;
  private readonly compiled = new WeakMap<api.GoArchiveInfo, Compiled>();

  constructor(
    private readonly parts: GoToolchainParts,
    private readonly target: DeclaredTarget,
    private readonly config: Configuration,
    /** An executable rule's package must be main. */
    private readonly executable: boolean,
    /** With the `test` command: how a test runs. */
    private readonly testRun: TestRunOptions | undefined,
    /** Records the node that makes a file this toolchain returns. */
    private readonly produced: (file: api.File, nodeId: string) => void,
    /**
     * The target is a tool another action runs (host configuration): its executable goes to
     * `pgobuild-out/host/bin/<package>/<name>` and is not placed in the workspace.
     */
    private readonly asTool = false,
  ) {
    const p = config.platform;
    this.configuration = Object.freeze({
      goos: p.goos,
      goarch: p.goarch,
      ...(config.pgo !== undefined ? { pgo: config.pgo.file } : {}),
      ...(config.tags !== undefined ? { tags: Object.freeze([...config.tags]) } : {}),
    });
  }

  async compile(): Promise<api.GoArchiveInfo> {
    const { target, config } = this;
    const pkg = this.executable
      ? await this.parts.links.mainPackage(target, config)
      : await this.parts.resolver.resolve(target, config.tags);
    if (!pkg.ok) throw new GoAnalysisFailures(pkg.failure);
    const node = await this.parts.compiles.compileNode(pkg.value, config);
    if (!node.ok) throw new GoAnalysisFailures(node.failure);
    const archive = this.file(
      path.posix.join('pgobuild-out', 'pkg', target.pkg, `${target.name}.a`),
    );
    this.produced(archive, node.value);
    this.root ??= node.value;
    const info = Object.freeze({
      provider: 'GoArchiveInfo' as const,
      importPath: pkg.value.importPath,
      archive,
    });
    this.compiled.set(info, { pkg: pkg.value, nodeId: node.value });
    return info;
  }

  async link(args: { readonly archive: api.GoArchiveInfo }): Promise<api.File> {
    const compiled = this.compiled.get(args.archive);
    if (compiled === undefined)
      throw new Error('link: the archive must be one go(ctx).compile() of this target returned');
    if (compiled.pkg.sources.packageName !== 'main')
      throw new Error(`link: ${compiled.pkg.importPath} is not package main`);
    const { target, config } = this;
    const link = await this.parts.links.binaryLink(
      target,
      compiled.pkg,
      compiled.nodeId,
      config,
      this.asTool,
    );
    if (!link.ok) throw new GoAnalysisFailures(link.failure);
    const dir = this.asTool ? hostRuleDirOf(target.pkg) : ruleDirOf(target.pkg);
    const exe = this.file(`${dir}/${target.name}`);
    this.produced(exe, link.value);
    this.root = link.value;
    return exe;
  }

  async test(): Promise<{ readonly executable: api.File }> {
    const { target, config } = this;
    const link = await this.parts.tests.testBinaryNode(target, config);
    if (!link.ok) throw new GoAnalysisFailures(link.failure);
    const exe = this.file(`${ruleDirOf(target.pkg)}/${target.name}.test`);
    this.produced(exe, link.value);
    this.root = link.value;
    if (this.testRun !== undefined) {
      const run = await this.parts.tests.testRunNode(target, link.value, config, this.testRun);
      if (!run.ok) throw new GoAnalysisFailures(run.failure);
      this.root = run.value;
    }
    return Object.freeze({ executable: exe });
  }

  private file(p: string): api.File {
    return Object.freeze({
      path: p,
      shortPath: p.replace(/^pgobuild-out\/(host\/bin|bin|pkg)\//, ''),
      basename: path.posix.basename(p),
      isSource: false,
      owner: labelOf(this.target),
    });
  }
}
