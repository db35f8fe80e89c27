import type * as api from '../rules';
import { type Result, err, ok, unreachable } from '../util';
import type { TestRunOptions } from './build-graph';
import type { Configuration } from './configuration';
import type { AnalysisFailure } from './failure';
import { gotagsTransition } from './gotags';
import { type DeclaredTarget, listAttr } from './rule-api';
import type { TargetLookup } from './target-lookup';
import type { UserRuleNodes } from './user-rule-nodes';

/** How a configuration is chosen for a binary (PGO resolution plugs in here). */
export type ConfigForBinary = (
  binary: DeclaredTarget,
) => Promise<Result<Configuration, AnalysisFailure>>;

/**
 * What the root of a requested target is built with: the command's choices (the configurations
 * transitions start from, how tests run) and the runner of the rules on the public API (the
 * built-in ones and TypeScript rules: {@link UserRuleNodes}).
 */
export interface RootContext {
  /** The configuration of libraries and of tests whose package has no profile. */
  readonly defaultConfig: Configuration;
  readonly configFor: ConfigForBinary;
  /** With the `test` command: how tests run (a go_test's root is then its run node). */
  readonly testRun: TestRunOptions | undefined;
  /** `--gotags`, which a binary's or test's `gotags` attribute adds to. */
  readonly commandTags: readonly string[];
  readonly lookup: TargetLookup;
  readonly userRules: UserRuleNodes;
}

/**
 * A rule's implementation inside analysis: builds the node a requested target stands for (a
 * library's compile, a binary's link, a test's run, a generic action), and everything it needs;
 * undefined for a target that declares no action (a TypeScript rule giving source files only).
 * Every rule is on the public API (rules/go.ts, rules/genrule.ts, TypeScript rules), run by
 * {@link UserRuleNodes}, so analysis dispatches on none of their names.
 */
export type RuleImplementation = (
  target: DeclaredTarget,
  rc: RootContext,
) => Promise<Result<string | undefined, AnalysisFailure[]>>;

/**
 * As `go test`: only the test of a main package that has a profile uses it; then the test's own
 * `gotags` transition.
 */
export async function testConfiguration(
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

/**
 * The configuration a rule's transition (its `cfg`) gives a target: go_binary's (its profile,
 * then its `gotags`), go_test's ({@link testConfiguration}), or, without one, the command's.
 */
export async function transitionConfig(
  target: DeclaredTarget,
  transition: api.Transition | undefined,
  rc: RootContext,
): Promise<Result<Configuration, AnalysisFailure[]>> {
  if (transition === undefined) return ok(rc.defaultConfig);
  switch (transition.name) {
    case 'go_binary': {
      const profiled = await rc.configFor(target);
      if (!profiled.ok) return err([profiled.failure]);
      return gotagsTransition(target, profiled.value, rc.commandTags);
    }
    case 'go_test':
      return testConfiguration(target, rc);
    default:
      return unreachable(transition.name);
  }
}
