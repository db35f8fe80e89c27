import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { BuildGraph, LinkNode } from '../analysis/build-graph';
import { analyze, openSession, reportFailures, type Session } from '../orchestration';
import {
  decodeProfile,
  formatProfileFailure,
  hotEdges,
  profileEdges,
  readProfileFile,
  splitSymbol,
  type ProfileFailure,
  type WeightedEdge,
} from '../pprof';
import { err, ok, type Result } from '../util/result';
import type { CommonArgs } from './commands';
import { planActions, type PlannedAction } from './plan-actions';
import { renderTable, writeJson, writeTo } from './pgo-tool-io';

/** Counts of one kind of action (compile, link, …) in a plan. */
export interface PlanCounts {
  readonly actions: number;
  /** Actions whose key differs from the baseline's (unknown keys count as changed). */
  readonly changed: number | null;
  readonly cachedLocal: number;
  readonly cachedRemote: number;
  /** Actions sharing another's execution (a build counts them as cached). */
  readonly shared: number;
  /** Actions the next build executes (keys known and missing, or waiting for dependencies). */
  readonly execute: number;
}

/** How one package's hot set changes between two profiles. */
export interface HotSetChange {
  readonly pkg: string;
  readonly before: number;
  readonly after: number;
  readonly added: number;
  readonly removed: number;
}

type Kind = 'compile' | 'link' | 'test' | 'tool';

function kindOf(a: PlannedAction): Kind {
  switch (a.mnemonic) {
    case 'GoCompile':
      return 'compile';
    case 'GoLink':
      return 'link';
    case 'GoTestRun':
      return 'test';
    default:
      return 'tool';
  }
}

/** Counts a plan per kind, `changed` against `baseline` keys (node id → key) when given. */
export function countPlan(
  plan: readonly PlannedAction[],
  baseline: ReadonlyMap<string, string> | undefined,
): Record<Kind, PlanCounts> {
  const empty = (): {
    actions: number;
    changed: number;
    cachedLocal: number;
    cachedRemote: number;
    shared: number;
    execute: number;
  } => ({ actions: 0, changed: 0, cachedLocal: 0, cachedRemote: 0, shared: 0, execute: 0 });
  const out = { compile: empty(), link: empty(), test: empty(), tool: empty() };
  for (const a of plan) {
    const c = out[kindOf(a)];
    c.actions++;
    if (a.key === undefined || baseline?.get(a.id) !== a.key) c.changed++;
    switch (a.status) {
      case 'cached-local':
        c.cachedLocal++;
        break;
      case 'cached-remote':
        c.cachedRemote++;
        break;
      case 'shared':
        c.shared++;
        break;
      case 'execute':
      case 'execute-after-deps':
        c.execute++;
        break;
    }
  }
  const done = (c: ReturnType<typeof empty>): PlanCounts => ({
    ...c,
    changed: baseline === undefined ? null : c.changed,
  });
  return {
    compile: done(out.compile),
    link: done(out.link),
    test: done(out.test),
    tool: done(out.tool),
  };
}

/** Hot edges (the compiler's 99% CDF cut) per package: an edge counts for its caller's and callee's package. */
function hotByPackage(edges: readonly WeightedEdge[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const e of hotEdges(edges)) {
    const id = `${e.caller} -> ${e.callee} @${e.callSiteOffset}`;
    for (const fn of [e.caller, e.callee]) {
      const pkg = splitSymbol(fn)?.pkg;
      if (pkg === undefined) continue;
      const set = out.get(pkg) ?? new Set<string>();
      set.add(id);
      out.set(pkg, set);
    }
  }
  return out;
}

async function edgesOf(
  absPath: string,
  file: string,
): Promise<Result<WeightedEdge[], ProfileFailure>> {
  const bytes = await readProfileFile(absPath, file);
  const decoded = bytes.ok ? decodeProfile(bytes.value, file) : bytes;
  if (!decoded.ok) return decoded;
  if (decoded.value === 'empty') return ok([]);
  return profileEdges(decoded.value, file);
}

/** Packages whose hot set differs between two profiles, most changed first. */
export function hotSetChanges(
  before: readonly WeightedEdge[],
  after: readonly WeightedEdge[],
): HotSetChange[] {
  const a = hotByPackage(before);
  const b = hotByPackage(after);
  const out: HotSetChange[] = [];
  for (const pkg of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(pkg) ?? new Set<string>();
    const y = b.get(pkg) ?? new Set<string>();
    const added = [...y].filter((e) => !x.has(e)).length;
    const removed = [...x].filter((e) => !y.has(e)).length;
    if (added + removed > 0) out.push({ pkg, before: x.size, after: y.size, added, removed });
  }
  return out.sort(
    (p, q) => q.added + q.removed - (p.added + p.removed) || (p.pkg < q.pkg ? -1 : 1),
  );
}

/** The keys of the last build per node id (`pgobuild-out/.pgobuild/last-build.json`), if readable. */
async function lastBuildKeys(root: string): Promise<Map<string, string> | undefined> {
  try {
    const file = path.join(root, 'pgobuild-out', '.pgobuild', 'last-build.json');
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { keys?: Record<string, string> };
    return parsed.keys === undefined ? undefined : new Map(Object.entries(parsed.keys));
  } catch {
    return undefined;
  }
}

async function sessionAndGraph(
  c: CommonArgs,
  target: string,
): Promise<Result<{ session: Session; graph: BuildGraph }, number>> {
  const s = await openSession(c);
  if (!s.ok) {
    await reportFailures(c.cwd, s.failure, c.events);
    return err(2);
  }
  const noTests = undefined as unknown as Parameters<typeof analyze>[2];
  const analysed = await analyze(s.value, [target], noTests);
  if (!analysed.ok) {
    await reportFailures(s.value.root, analysed.failure, c.events);
    return err(2);
  }
  return ok({ session: s.value, graph: analysed.value.graph });
}

function links(graph: BuildGraph): LinkNode[] {
  return [...graph.nodes.values()].filter((n): n is LinkNode => n.kind === 'link');
}

/**
 * Implements `pgobuild pgo plan TARGET [--profile NEW]`: what building TARGET with NEW (or with
 * its current profile) costs before paying for it. Analyses as `build` does, derives every action
 * and key with the build runner and asks the caches, running nothing ({@link planActions}); counts
 * per kind the actions whose key changes (against TARGET built with its own profile when NEW is
 * given, else against the last build), how many of those the disk or remote cache answers, and
 * how many the build would execute; and, with NEW, which packages' hot sets (the compiler's hot
 * call edges touching the package) change. Exit 0, or 2 for bad input.
 */
export async function runPlanCommand(
  c: CommonArgs,
  target: string,
  profile: string | undefined,
): Promise<number> {
  const planned = await sessionAndGraph(profile === undefined ? c : { ...c, pgo: profile }, target);
  if (!planned.ok) return planned.failure;
  const { session, graph } = planned.value;
  let baseline: Map<string, string> | undefined;
  let hot: HotSetChange[] | undefined;
  let oldProfile: string | undefined;
  if (profile !== undefined) {
    const newEdges = await edgesOf(path.resolve(c.cwd, profile), profile);
    if (!newEdges.ok) return fail(newEdges.failure);
    const current = await sessionAndGraph(c, target);
    if (!current.ok) return current.failure;
    const currentPlan = await planActions(current.value.session, current.value.graph, c.diskCache);
    baseline = new Map(
      currentPlan.flatMap((a) => (a.key === undefined ? [] : [[a.id, a.key] as const])),
    );
    const pgo = links(current.value.graph)[0]?.config.pgo;
    oldProfile = pgo?.file;
    const oldEdges = pgo === undefined ? ok([]) : await edgesOf(pgo.absPath, pgo.file);
    if (!oldEdges.ok) return fail(oldEdges.failure);
    hot = hotSetChanges(oldEdges.value, newEdges.value);
  } else {
    baseline = await lastBuildKeys(session.root);
  }
  const plan = await planActions(session, graph, c.diskCache);
  await printPlan(c, {
    command: 'pgo plan',
    target,
    profile,
    baseline: profile !== undefined ? (oldProfile ?? 'pgo off') : baseline ? 'last build' : null,
    remote: session.remote !== undefined,
    counts: countPlan(plan, baseline),
    hot,
  });
  return 0;
}

/**
 * Implements `pgobuild build PATTERNS --dry_run` (with `--pgo=NEW` for a refresh): the plan of
 * {@link runPlanCommand} for a whole build, against the last build's keys; nothing runs and
 * nothing is written but what analysis caches (preprocessed profiles, stat cache).
 */
export async function runDryRunBuild(c: CommonArgs, patterns: readonly string[]): Promise<number> {
  const s = await openSession(c);
  if (!s.ok) {
    await reportFailures(c.cwd, s.failure, c.events);
    return 2;
  }
  const noTests = undefined as unknown as Parameters<typeof analyze>[2];
  const analysed = await analyze(s.value, patterns, noTests);
  if (!analysed.ok) {
    await reportFailures(s.value.root, analysed.failure, c.events);
    return 2;
  }
  const baseline = await lastBuildKeys(s.value.root);
  const plan = await planActions(s.value, analysed.value.graph, c.diskCache);
  await printPlan(c, {
    command: 'build --dry_run',
    target: patterns.join(' '),
    profile: c.pgo,
    baseline: baseline ? 'last build' : null,
    remote: s.value.remote !== undefined,
    counts: countPlan(plan, baseline),
    hot: undefined,
  });
  return 0;
}

/** Prints a plan: one JSON document, or a table per kind and the hot-set table. */
async function printPlan(
  c: CommonArgs,
  p: {
    command: string;
    target: string;
    profile: string | undefined;
    baseline: string | null;
    remote: boolean;
    counts: Record<Kind, PlanCounts>;
    hot: HotSetChange[] | undefined;
  },
): Promise<void> {
  const { counts, hot, remote, profile, target } = p;
  if (c.output === 'json') {
    await writeJson(process.stdout, {
      command: p.command,
      target,
      profile: profile ?? null,
      baseline: p.baseline,
      remoteCache: remote,
      counts,
      ...(hot !== undefined ? { hotSets: hot } : {}),
    });
    return;
  }
  const kinds = (['compile', 'link', 'test', 'tool'] as const).filter((k) => counts[k].actions > 0);
  const table = renderTable(
    ['actions', 'total', 'new keys', 'in disk cache', 'in remote cache', 'execute'],
    kinds.map((k) => {
      const n = counts[k];
      return [
        k,
        String(n.actions),
        n.changed === null ? '?' : String(n.changed),
        String(n.cachedLocal + n.shared),
        remote ? String(n.cachedRemote) : '-',
        String(n.execute),
      ];
    }),
    ['total', 'new keys', 'in disk cache', 'in remote cache', 'execute'],
  );
  const compile = counts.compile;
  const lines = [
    `Plan for ${target}${profile !== undefined ? ` with ${profile}${p.baseline !== null ? ` (against ${p.baseline})` : ''}` : ''}:`,
    table.trimEnd(),
    `${compile.changed ?? '?'} of ${compile.actions} compile actions get new keys; ${compile.cachedLocal + compile.cachedRemote + compile.shared} are already cached; the build would execute ${Object.values(counts).reduce((n, k) => n + k.execute, 0)} actions.`,
  ];
  if (hot !== undefined) {
    lines.push(
      hot.length === 0
        ? 'Hot sets: no package changes.'
        : renderTable(
            ['package', 'hot edges before', 'after', 'added', 'removed'],
            hot.map((h) => [
              h.pkg,
              String(h.before),
              String(h.after),
              String(h.added),
              String(h.removed),
            ]),
            ['hot edges before', 'after', 'added', 'removed'],
          ).trimEnd(),
    );
  }
  await writeTo(process.stdout, `${lines.join('\n')}\n`);
}

async function fail(f: ProfileFailure): Promise<number> {
  await writeTo(process.stderr, `${formatProfileFailure(f)}\n`);
  return 2;
}
