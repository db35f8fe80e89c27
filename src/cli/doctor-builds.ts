import type { BuildNode, CompileNode, LinkNode } from '../analysis/build-graph';
import { configuration } from '../analysis/configuration';
import type { DeclaredTarget } from '../analysis/rule-api';
import type { BuildEvent, EventSink } from '../events';
import {
  type DecisionDiff,
  type InlineDecision,
  diffDecisions,
  parseInlineDecisions,
} from '../go/inline-decisions';
import { execute, type Session, type SessionOptions } from '../orchestration';
import { type Result, err, ok } from '../util/result';

/** Which packages the inline diff compiles with `-m=2`: all of the binary's, or not std. */
export type InlineDiffScope = 'all' | 'workspace';

/** The flag the inline diff adds to a compile: `-m=2` prints every inlining decision and why. */
export const INLINE_REPORT_FLAG = '-m=2';

/** What the doctor's builds found. */
export interface DoctorBuilds {
  /** Compiles in the diff, per side. */
  readonly packages: number;
  /** The decisions only the profiled compiles made, and those they dropped (`-pgo=off`'s). */
  readonly diff: DecisionDiff;
  /** Packages whose `-m=2` output reached the per-stream output cap (their lists are cut). */
  readonly truncated: readonly string[];
  /** Sizes in bytes of the binary with the profile and of its `-pgo=off` build. */
  readonly size: { readonly withProfile: number; readonly without: number };
}

/**
 * Runs what the doctor's inline-diff and size rungs need, as cached sandboxed actions like any
 * build's: the binary with its profile and its `-pgo=off` build (links whose output is not
 * placed, so `pgobuild-out/bin` keeps the user's binary), and every package in `scope` compiled
 * once more with {@link INLINE_REPORT_FLAG} on each side. Those extra compiles depend on the
 * regular archives; their printed output is kept with their cached results, so a second doctor
 * run reads it from the cache. A failed action fails the whole (its events say why).
 */
export async function runDoctorBuilds(
  session: Session,
  opts: SessionOptions,
  binary: DeclaredTarget,
  link: LinkNode,
  graph: ReadonlyMap<string, BuildNode>,
  scope: InlineDiffScope,
): Promise<Result<DoctorBuilds, 'analysis-failed' | 'build-failed'>> {
  // The binary's graph without its profile: the same analysis, every configuration pgo-less.
  const off = await session.graphBuilder.build(
    [binary],
    () => Promise.resolve(ok(configuration(link.config.platform))),
    undefined,
  );
  // The builder's node map holds both analyses: the root is this one's link.
  const offRoot = off.ok ? off.value.nodes.get(off.value.roots[0] ?? '') : undefined;
  const offLink = offRoot?.kind === 'link' ? offRoot : undefined;
  if (!off.ok || offLink === undefined) return err('analysis-failed');

  const nodes = new Map<string, BuildNode>();
  const reports = new Map<string, { side: 'with' | 'without'; importPath: string }>();
  const addSide = (
    side: 'with' | 'without',
    sideLink: LinkNode,
    sideNodes: ReadonlyMap<string, BuildNode>,
  ): void => {
    nodes.set(sideLink.id, { ...sideLink, outputPath: undefined });
    for (const id of [sideLink.mainNodeId, ...sideLink.deps.map((d) => d.nodeId)]) {
      const node = sideNodes.get(id);
      if (node?.kind !== 'compile') continue;
      nodes.set(id, node);
      if (scope === 'workspace' && node.unit.standard) continue;
      const report = reportCompile(node);
      nodes.set(report.id, report);
      reports.set(report.id, { side, importPath: node.unit.importPath });
    }
  };
  addSide('with', link, graph);
  addSide('without', offLink, off.value.nodes);

  const printed = new Map<string, string>();
  const events: EventSink = {
    emit: (e: BuildEvent) => {
      // The -m=2 output is the doctor's evidence, not something to show line by line.
      if (e.type === 'action-output' && reports.has(e.id)) printed.set(e.id, e.output);
      else opts.events.emit(e);
    },
  };
  const summary = await execute(
    session,
    { nodes, roots: [...reports.keys()] },
    { ...opts, events },
  );
  const withSize = summary.values.get(link.id)?.size;
  const withoutSize = summary.values.get(offLink.id)?.size;
  if (!summary.ok || withSize === undefined || withoutSize === undefined)
    return err('build-failed');

  const withProfile: InlineDecision[] = [];
  const without: InlineDecision[] = [];
  const truncated = new Set<string>();
  for (const [id, { side, importPath }] of reports) {
    const output = printed.get(id) ?? '';
    if (output.includes('[output truncated at ')) truncated.add(importPath);
    (side === 'with' ? withProfile : without).push(...parseInlineDecisions(output));
  }
  return ok({
    packages: [...reports.values()].filter((r) => r.side === 'with').length,
    diff: diffDecisions(withProfile, without),
    truncated: [...truncated].sort(),
    size: { withProfile: withSize, without: withoutSize },
  });
}

/** A compile of the same package that also prints its optimization decisions. */
function reportCompile(node: CompileNode): CompileNode {
  return {
    ...node,
    id: `${node.id} ${INLINE_REPORT_FLAG}`,
    unit: { ...node.unit, gcflags: [...(node.unit.gcflags ?? []), INLINE_REPORT_FLAG] },
  };
}
