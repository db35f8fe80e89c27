import type { AnalysisFailure, DeclaredTarget } from '../analysis';
import { type Result, err, ok, unreachable } from '../util';
import { labelOf } from '../workspace';
import type { QueryExpression } from './query-expression';

/** Targets by canonical label. */
export type TargetSet = Map<string, DeclaredTarget>;

/** What a query is evaluated against: the workspace's targets and their edges. */
export interface QueryUniverse {
  /** The targets a pattern names (a BUILD error keeps its file:line:col). */
  expand(pattern: string): Promise<Result<readonly DeclaredTarget[], AnalysisFailure[]>>;
  /**
   * The targets `t` depends on directly: its `deps` and `embed`, and the module packages its Go
   * sources import (which no BUILD file lists).
   */
  directDeps(t: DeclaredTarget): Promise<Result<readonly DeclaredTarget[], AnalysisFailure[]>>;
}

/** Evaluates a parsed query expression; the failures keep their BUILD locations. */
export async function evaluateQuery(
  universe: QueryUniverse,
  expr: QueryExpression,
): Promise<Result<TargetSet, AnalysisFailure[]>> {
  switch (expr.op) {
    case 'pattern': {
      const targets = await universe.expand(expr.pattern);
      if (!targets.ok) return targets;
      return ok(new Map(targets.value.map((t) => [labelOf(t), t])));
    }
    case 'deps': {
      const start = await evaluateQuery(universe, expr.of);
      if (!start.ok) return start;
      return closure(universe, start.value);
    }
    case 'rdeps': {
      const all = await evaluateQuery(universe, expr.universe);
      if (!all.ok) return all;
      const of = await evaluateQuery(universe, expr.of);
      if (!of.ok) return of;
      const result: TargetSet = new Map();
      for (const [label, t] of all.value) {
        const deps = await closure(universe, new Map([[label, t]]));
        if (!deps.ok) return deps;
        if ([...of.value.keys()].some((l) => deps.value.has(l))) result.set(label, t);
      }
      return ok(result);
    }
    case 'kind': {
      const of = await evaluateQuery(universe, expr.of);
      if (!of.ok) return of;
      return ok(new Map([...of.value].filter(([, t]) => expr.rule.test(t.rule.name))));
    }
    default:
      return unreachable(expr);
  }
}

/** The targets and everything they reach through their direct deps (including themselves). */
async function closure(
  universe: QueryUniverse,
  start: TargetSet,
): Promise<Result<TargetSet, AnalysisFailure[]>> {
  const result = new Map(start);
  const queue = [...start.values()];
  for (let t = queue.pop(); t !== undefined; t = queue.pop()) {
    const deps = await universe.directDeps(t);
    if (!deps.ok) return err(deps.failure);
    for (const dep of deps.value) {
      const label = labelOf(dep);
      if (!result.has(label)) {
        result.set(label, dep);
        queue.push(dep);
      }
    }
  }
  return ok(result);
}
