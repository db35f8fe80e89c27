import { type Result, err } from '../util';
import type { TestRunOptions } from './build-graph';
import type { Configuration } from './configuration';
import type { AnalysisFailure } from './failure';
import type { GenruleNodes } from './genrule-nodes';
import { gotagsTransition } from './gotags';
import type { ImportResolver } from './import-resolution';
import type { LinkNodes } from './link-nodes';
import { type DeclaredTarget, type RuleKind, listAttr } from './rule-api';
import type { TargetLookup } from './target-lookup';
import type { TestNodes } from './test-nodes';
import type { UserCompileNodes } from './user-compile-nodes';

/** How a configuration is chosen for a binary (PGO resolution plugs in here). */
export type ConfigForBinary = (
  binary: DeclaredTarget,
) => Promise<Result<Configuration, AnalysisFailure>>;

/** What the root of a requested target is built with: the graph's parts and the command's choices. */
export interface RootContext {
  /** The configuration of libraries and of tests whose package has no profile. */
  readonly defaultConfig: Configuration;
  readonly configFor: ConfigForBinary;
  /** With the `test` command: how tests run (a go_test's root is then its run node). */
  readonly testRun: TestRunOptions | undefined;
  /** `--gotags`, which a binary's or test's `gotags` attribute adds to. */
  readonly commandTags: readonly string[];
  readonly lookup: TargetLookup;
  readonly resolver: ImportResolver;
  readonly compiles: UserCompileNodes;
  readonly links: LinkNodes;
  readonly tests: TestNodes;
  readonly genrules: GenruleNodes;
}

/** Builds the node a requested target of one kind stands for, and everything it needs. */
export type RootBuilder = (
  target: DeclaredTarget,
  rc: RootContext,
) => Promise<Result<string, AnalysisFailure[]>>;

/**
 * The root node of each kind of target, one entry per kind (the table is complete by type, so a
 * new kind cannot be forgotten): a library's compile, a binary's link in its own configuration,
 * a test's link (or, with `test`, its run), a genrule's generic action.
 */
export const ROOT_BUILDERS: { readonly [K in RuleKind]: RootBuilder } = {
  go_library: async (target, rc) => {
    const pkg = await rc.resolver.resolve(target);
    if (!pkg.ok) return pkg;
    return rc.compiles.compileNode(pkg.value, rc.defaultConfig);
  },
  go_binary: async (target, rc) => {
    const profiled = await rc.configFor(target);
    if (!profiled.ok) return err([profiled.failure]);
    const config = gotagsTransition(target, profiled.value, rc.commandTags);
    if (!config.ok) return config;
    return rc.links.binaryNode(target, config.value);
  },
  go_test: async (target, rc) => {
    const config = await testConfiguration(target, rc);
    if (!config.ok) return config;
    const link = await rc.tests.testBinaryNode(target, config.value);
    if (!link.ok || rc.testRun === undefined) return link;
    return rc.tests.testRunNode(target, link.value, config.value, rc.testRun);
  },
  genrule: (target, rc) => rc.genrules.genruleNode(target),
};

/**
 * As `go test`: only the test of a main package that has a profile uses it; then the test's own
 * `gotags` transition.
 */
async function testConfiguration(
  target: DeclaredTarget,
  rc: RootContext,
): Promise<Result<Configuration, AnalysisFailure[]>> {
  let config = rc.defaultConfig;
  const first = listAttr(target, 'embed')[0];
  if (first !== undefined) {
    const underTest = await rc.lookup.findTarget(first.value, target.pkg, first.span);
    const binary = underTest.ok ? await rc.lookup.binaryOf(underTest.value) : undefined;
    if (binary !== undefined) {
      const c = await rc.configFor(binary);
      if (!c.ok) return err([c.failure]);
      config = c.value;
    }
  }
  return gotagsTransition(target, config, rc.commandTags);
}
