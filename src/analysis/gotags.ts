import { type Result, err, ok } from '../util';
import { shortLabel } from '../workspace';
import type { Configuration } from './configuration';
import { withTags } from './configuration';
import { type AnalysisFailure, diagnosticFailure } from './failure';
import { type DeclaredTarget, listAttr } from './rule-api';

/** A build tag as a `//go:build` expression can name it (as `--gotags` checks it). */
const TAG = /^[A-Za-z0-9_.]+$/;

/**
 * The configuration a go_binary's or go_test's whole graph is built in once its `gotags`
 * attribute applies (a transition, as rules_go's `gotags`): the command's `--gotags` followed by
 * the attribute's tags, each once, in the order written; `go build -tags=<that list>` builds the
 * same binary. rules_go replaces the flag's tags by the attribute's; pgobuild adds them, so
 * `--gotags` keeps meaning "for every package" (see README). An attribute that adds no tag
 * leaves the configuration as it is, so its nodes are shared with targets without one.
 */
export function gotagsTransition(
  target: DeclaredTarget,
  config: Configuration,
  commandTags: readonly string[],
): Result<Configuration, AnalysisFailure[]> {
  const own = listAttr(target, 'gotags');
  const failures: AnalysisFailure[] = [];
  const tags = [...commandTags];
  for (const tag of own) {
    if (!TAG.test(tag.value)) {
      failures.push(
        diagnosticFailure('bad-attribute', {
          severity: 'error',
          span: tag.span,
          message: `gotags of ${shortLabel(target)}: ${JSON.stringify(tag.value)} is not a build tag (letters, digits, '_' and '.')`,
          sourceLine: '',
        }),
      );
      continue;
    }
    if (!tags.includes(tag.value)) tags.push(tag.value);
  }
  if (failures.length > 0) return err(failures);
  return ok(tags.length === commandTags.length ? config : withTags(config, tags));
}
