import { type Result, type SourceSpan } from '../util';
import { labelOf, shortLabel } from '../workspace';
import type { AnalysisFailure } from './failure';
import { type DeclaredTarget, listAttr } from './rule-api';

/** One edge of the target graph: `from` names `to` in its `attr` attribute, written at `span`. */
export interface DependencyEdge {
  readonly from: DeclaredTarget;
  readonly to: DeclaredTarget;
  readonly attr: 'deps' | 'embed';
  readonly span: SourceSpan;
}

/**
 * The chain of go_library resolutions in progress, innermost last, and the `deps` edges that led
 * from one to the next. GraphBuilder memoizes one promise per library: following an edge to a
 * library that is already on the chain would make that promise await itself, a deadlock that
 * ends the process with nothing left to run. So the edge that would close a cycle is reported
 * instead of followed.
 */
export class ResolutionPath {
  /** The chain of a package that is not itself a library on it (a test package). */
  static readonly EMPTY = new ResolutionPath(undefined, undefined, undefined);

  private constructor(
    /** The library being resolved at this step (undefined only for the empty chain). */
    private readonly target: DeclaredTarget | undefined,
    private readonly via: DependencyEdge | undefined,
    private readonly parent: ResolutionPath | undefined,
  ) {}

  /** The chain of a resolution that starts at `target` (a requested library or binary). */
  static startingAt(target: DeclaredTarget): ResolutionPath {
    return new ResolutionPath(target, undefined, undefined);
  }

  /** The chain one step deeper, along `edge` (whose `from` is this chain's innermost target). */
  extend(edge: DependencyEdge): ResolutionPath {
    return new ResolutionPath(edge.to, edge, this);
  }

  /**
   * The cycle that following `edge` would close, as its edges in order (the first leaves the
   * library `edge` leads back to, the last is `edge`), or undefined when `edge.to` is not on the
   * chain.
   */
  cycleClosedBy(edge: DependencyEdge): readonly DependencyEdge[] | undefined {
    return this.edgesBackTo(labelOf(edge.to), [edge])?.reverse();
  }

  /** The edges from the step resolving `label` to here, innermost first, after `collected`. */
  private edgesBackTo(label: string, collected: DependencyEdge[]): DependencyEdge[] | undefined {
    if (this.target !== undefined && labelOf(this.target) === label) return collected;
    if (this.via === undefined || this.parent === undefined) return undefined;
    collected.push(this.via);
    return this.parent.edgesBackTo(label, collected);
  }
}

/** The failure for a cycle of `deps` edges: one diagnostic per edge, at its BUILD location. */
export function dependencyCycleFailure(cycle: readonly DependencyEdge[]): AnalysisFailure {
  const first = cycle[0] as DependencyEdge;
  const names = [first.from, ...cycle.map((e) => e.to)].map((t) => shortLabel(t)).join(' -> ');
  return cycleFailure('dependency-cycle', `dependency cycle ${names}`, cycle);
}

/** A resolved package, as far as following its imports goes (GraphBuilder's ResolvedPackage). */
export interface ImportingPackage {
  readonly target: DeclaredTarget;
  readonly label: string;
  /** Resolved import path → the workspace package providing it (undefined for std). */
  readonly imports: ReadonlyMap<string, ImportingPackage | undefined>;
}

/** Finds the target a label names (GraphBuilder.findTarget). */
export type FindTarget = (
  text: string,
  currentPkg: string,
  span: SourceSpan,
) => Promise<Result<DeclaredTarget, unknown>>;

/**
 * cmd/go's "import cycle not allowed in test": the package under test, recompiled with the
 * internal test files of `test`, imports a package that (through its own imports) imports the
 * package under test. The library itself has no cycle, so resolution finished; this check runs on
 * the resolved packages. Returns the failure naming the `embed` edge and each `deps` edge of the
 * cycle, or undefined when there is none.
 */
export async function testImportCycle(
  test: DeclaredTarget,
  underTest: DeclaredTarget,
  internal: ImportingPackage,
  findTarget: FindTarget,
): Promise<AnalysisFailure | undefined> {
  const goal = labelOf(underTest);
  const chain = importChainTo(internal, goal);
  if (chain === undefined) return undefined;
  const embed = await edgeTo(test, 'embed', goal, findTarget);
  if (embed === undefined) return undefined;
  const edges: DependencyEdge[] = [embed];
  // The first import belongs to the test package: its dep is declared by the test or the library.
  let from: readonly DeclaredTarget[] = [test, underTest];
  for (const pkg of chain) {
    let edge: DependencyEdge | undefined;
    for (const candidate of from) {
      edge = await edgeTo(candidate, 'deps', pkg.label, findTarget);
      if (edge !== undefined) break;
    }
    if (edge === undefined) return undefined;
    edges.push(edge);
    from = [pkg.target];
  }
  const names = [underTest, ...chain.map((p) => p.target)].map((t) => shortLabel(t));
  names[0] = `${names[0] as string} [${shortLabel(test)}]`;
  return cycleFailure(
    'import-cycle',
    `import cycle not allowed in test ${names.join(' -> ')}`,
    edges,
  );
}

/** The packages from one of `start`'s imports to the package labelled `goal` (depth first). */
function importChainTo(start: ImportingPackage, goal: string): ImportingPackage[] | undefined {
  const seen = new Set<string>();
  const visit = (pkg: ImportingPackage): ImportingPackage[] | undefined => {
    if (pkg.label === goal) return [pkg];
    if (seen.has(pkg.label)) return undefined;
    seen.add(pkg.label);
    for (const dep of sortedImports(pkg)) {
      const rest = visit(dep);
      if (rest !== undefined) return [pkg, ...rest];
    }
    return undefined;
  };
  for (const dep of sortedImports(start)) {
    const chain = visit(dep);
    if (chain !== undefined) return chain;
  }
  return undefined;
}

function sortedImports(pkg: ImportingPackage): ImportingPackage[] {
  return [...pkg.imports]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([, dep]) => (dep === undefined ? [] : [dep]));
}

/** The edge of `from`'s `attr` that names the target labelled `to`, if any. */
async function edgeTo(
  from: DeclaredTarget,
  attr: DependencyEdge['attr'],
  to: string,
  findTarget: FindTarget,
): Promise<DependencyEdge | undefined> {
  for (const entry of listAttr(from, attr)) {
    const found = await findTarget(entry.value, from.pkg, entry.span);
    if (found.ok && labelOf(found.value) === to)
      return { from, to: found.value, attr, span: entry.span };
  }
  return undefined;
}

/**
 * One failure for a cycle: the diagnostic at the first edge names the whole cycle, and one more
 * per further edge points at where it is written, so every BUILD location of the cycle is shown.
 */
function cycleFailure(
  reason: 'dependency-cycle' | 'import-cycle',
  message: string,
  cycle: readonly DependencyEdge[],
): AnalysisFailure {
  const [first, ...rest] = cycle as [DependencyEdge, ...DependencyEdge[]];
  return {
    reason,
    message,
    diagnostic: {
      severity: 'error',
      span: first.span,
      message: `${message}: ${describeEdge(first)} here`,
      sourceLine: '',
    },
    stack: rest.map((e) => ({
      severity: 'error' as const,
      span: e.span,
      message: `... and ${describeEdge(e)} here`,
      sourceLine: '',
    })),
  };
}

function describeEdge(e: DependencyEdge): string {
  const from = shortLabel(e.from);
  const to = labelOf(e.to) === labelOf(e.from) ? 'itself' : shortLabel(e.to);
  return e.attr === 'embed' ? `${from} embeds ${to}` : `${from} depends on ${to}`;
}
