import { expandPatterns, listAttr } from '../analysis';
import type { AnalysisFailure, DeclaredTarget } from '../analysis';
import { type QueryUniverse, evaluateQuery, parseQuery } from '../query';
import { EXIT, type Result, err, ok } from '../util';
import { shortLabel } from '../workspace';
import { commandSession } from './command-session';
import { type Session, type SessionOptions, reportFailures } from './session';

/**
 * `pgobuild query <expr>`: the labels the expression names, sorted (as `bazel query` prints
 * them), or the exit code after the failures were reported (a malformed expression or a BUILD
 * error, with its file:line:col as under `build`: exit 2).
 */
export async function queryTargets(
  opts: SessionOptions,
  expression: string,
): Promise<Result<string[], number>> {
  const parsed = parseQuery(expression);
  if (!parsed.ok) {
    await reportFailures(
      opts.cwd,
      [{ reason: 'bad-pattern', message: parsed.failure }],
      opts.events,
    );
    return err(EXIT.usage);
  }
  const s = await commandSession(opts);
  if (typeof s === 'number') return err(s);
  const result = await evaluateQuery(sessionUniverse(s), parsed.value);
  if (!result.ok) {
    await reportFailures(s.root, result.failure, opts.events);
    return err(EXIT.usage);
  }
  return ok([...result.value.values()].map((t) => shortLabel(t)).sort());
}

/** The session's targets as the query language sees them. */
function sessionUniverse(s: Session): QueryUniverse {
  return {
    expand: (pattern) => expandPatterns(s.root, [pattern], s.cwdPkg, s.loader, s.graphBuilder),
    directDeps: async (t): Promise<Result<DeclaredTarget[], AnalysisFailure[]>> => {
      // The module packages its sources import: edges no BUILD file lists.
      const imported = await s.graphBuilder.moduleImportsOf(t);
      if (!imported.ok) return err(imported.failure);
      const deps = [...imported.value];
      for (const attr of ['deps', 'embed']) {
        for (const dep of listAttr(t, attr)) {
          const found = await s.graphBuilder.findTarget(dep.value, t.pkg, dep.span);
          if (!found.ok) return err([found.failure]);
          deps.push(found.value);
        }
      }
      return ok(deps);
    },
  };
}
