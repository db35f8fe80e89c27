import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { BuildGraph, BuildNode, TestRunOptions } from '../analysis';
import type { BuildEvent, RemoteCacheSummary } from '../events';
import { interruptedBy } from '../exec/interrupt';
import { EXIT, signalExitCode } from '../util';
import { parseTargetPattern } from '../workspace';
import { commandSession } from './command-session';
import {
  type RetainedAnalysis,
  retainAnalysis,
  retainingAnalyses,
  takeRetainedAnalysis,
} from './retained-analysis';
import {
  type Session,
  type SessionOptions,
  analyze,
  execute,
  reportFailures,
  reuseSession,
} from './session';
import {
  EventRecorder,
  type UpToDateInputs,
  asNullBuildEvents,
  changedSince,
  forgetUpToDate,
  recordUpToDate,
  snapshotInputs,
  upToDateRequest,
} from './up-to-date';

/** What {@link buildAndRun} built, for `run` to find the binary. */
interface Built {
  readonly code: number;
  readonly session?: Session;
  readonly nodes?: ReadonlyMap<string, BuildNode>;
  readonly roots?: readonly string[];
}

/**
 * `pgobuild build <patterns>` once the up-to-date check (run-build.ts) could not answer: analyses
 * and runs the actions; a null build is recorded for the next up-to-date check. Emits
 * `command-started` … `command-finished`; returns the exit code.
 */
export async function buildTargets(
  opts: SessionOptions,
  patterns: readonly string[],
): Promise<number> {
  return (await buildAndRun(opts, patterns, 'build')).code;
}

/**
 * `pgobuild test <patterns>`: builds and runs go_test targets; passing results are cached, keyed
 * also on the test arguments in `tests`.
 */
export async function runTests(
  opts: SessionOptions,
  patterns: readonly string[],
  tests: TestRunOptions = { args: [] },
): Promise<number> {
  return (await buildAndRun(opts, patterns, 'test', tests)).code;
}

/**
 * `pgobuild run <target> -- args`: builds one go_binary and runs it with the terminal attached,
 * in `opts.cwd`. Returns the program's exit code, or 128 + the signal that killed it as shells
 * report it.
 */
export async function runBinary(
  opts: SessionOptions,
  target: string,
  programArgs: readonly string[],
): Promise<number> {
  const built = await buildAndRun(opts, [target], 'run');
  if (
    built.code !== EXIT.ok ||
    built.session === undefined ||
    built.nodes === undefined ||
    built.roots === undefined
  )
    return built.code;
  const root = built.roots[0];
  const node = root === undefined ? undefined : built.nodes.get(root);
  if (node?.kind !== 'link' || node.outputPath === undefined) {
    opts.events.emit({
      type: 'diagnostic',
      severity: 'error',
      message: `${target} is not a go_binary`,
      formatted: `error: ${target} is not a go_binary: only binaries can be run`,
    });
    return EXIT.usage;
  }
  const binary = path.join(built.session.root, node.outputPath);
  return new Promise<number>((resolve) => {
    const child = spawn(binary, programArgs, { stdio: 'inherit', cwd: opts.cwd });
    const forward = (sig: NodeJS.Signals): void => {
      child.kill(sig);
    };
    process.on('SIGINT', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      resolve(code ?? (signal === null ? EXIT.failure : signalExitCode(signal)));
    });
    child.on('error', () => resolve(EXIT.failure));
  });
}

/** Analyses and runs; shared by build, test and run. */
async function buildAndRun(
  opts: SessionOptions,
  patterns: readonly string[],
  command: 'build' | 'test' | 'run',
  /** For `test`: how the test binaries run. */
  tests?: TestRunOptions,
): Promise<Built> {
  const started = Date.now();
  opts.events.emit({ type: 'command-started', command, patterns, jobs: opts.jobs });
  const recorder = command === 'build' ? new EventRecorder(opts.events) : undefined;
  if (recorder !== undefined) opts = { ...opts, events: recorder };
  const kept = command === 'build' ? takeRetainedAnalysis() : undefined;
  const analysed =
    (kept && (await patchRetained(kept, opts, patterns, started))) ??
    (await analyzeAfresh(opts, patterns, command, tests, started));
  if (typeof analysed === 'number') return { code: analysed };
  const { s, graph, targets, profiles } = analysed;
  const summary = await execute(s, graph, opts);
  // A build stopped by a signal exits as shells report it (130 for Ctrl-C), not as a failure.
  const interrupted = interruptedBy(opts.signal);
  const code =
    interrupted !== undefined ? signalExitCode(interrupted) : summary.ok ? EXIT.ok : EXIT.failure;
  const executed = summary.executed + profiles.executed;
  opts.events.emit({
    type: 'command-finished',
    exitCode: code,
    executed,
    cached: summary.cached + profiles.cached,
    failed: summary.failed,
    durationMs: Date.now() - started,
    spawns: summary.spawns,
    ...(interrupted !== undefined ? { interrupted } : {}),
    ...remoteCacheSummary(s),
  });
  // A failed build is no null build to replay, but in the server what it read tells the next
  // build what changed.
  if (
    recorder !== undefined &&
    interrupted === undefined &&
    (code === EXIT.ok || retainingAnalyses())
  ) {
    const request = upToDateRequest(opts, patterns);
    const inputs = upToDateInputsOf(opts, patterns, s, started);
    const executedActions = executed > 0 || summary.spawns > 0;
    const recorded =
      code === EXIT.ok
        ? recordUpToDate(request, inputs, replayEvents(recorder, executedActions), executedActions)
        : snapshotInputs(request, inputs);
    // Warnings carry source lines an edit may change; a remote cache's session holds its client;
    // stamped values come from a command that may answer differently next time.
    if (
      retainingAnalyses() &&
      recorded !== undefined &&
      s.graphBuilder.warnings.length === 0 &&
      s.remote === undefined &&
      opts.stamp !== true
    )
      retainAnalysis({
        session: s,
        graph,
        targets,
        analysisEvents: analysisEventsOf(recorder.events, graph),
        profileActions: profiles.executed + profiles.cached,
        inputs: recorded,
      });
  }
  return { code, session: s, nodes: graph.nodes, roots: graph.roots };
}

/** A command's analysed graph, with the profile preprocessing analysis counted. */
interface Analysed {
  readonly s: Session;
  readonly graph: BuildGraph;
  readonly targets: number;
  readonly profiles: { readonly executed: number; readonly cached: number };
}

/**
 * Opens a session and analyses `patterns`, reporting failures and warnings; emits
 * `analysis-finished`. Returns the exit code when the command cannot go on.
 */
async function analyzeAfresh(
  opts: SessionOptions,
  patterns: readonly string[],
  command: 'build' | 'test' | 'run',
  tests: TestRunOptions | undefined,
  started: number,
): Promise<Analysed | number> {
  const s = await commandSession(opts);
  if (typeof s === 'number') {
    opts.events.emit({
      type: 'command-finished',
      exitCode: s,
      executed: 0,
      cached: 0,
      failed: 1,
      durationMs: Date.now() - started,
      spawns: 0,
    });
    return s;
  }
  // This command rewrites the explain log and outputs: an earlier null build's answer no longer
  // stands for "the last build".
  forgetUpToDate(s.root);
  const analysed = await analyze(
    s,
    patterns,
    command === 'test' ? (tests ?? { args: [] }) : undefined,
  );
  await reportFailures(
    s.root,
    s.graphBuilder.warnings.map((d) => ({
      reason: 'missing-dep' as const,
      message: d.message,
      diagnostic: d,
    })),
    opts.events,
  );
  if (!analysed.ok) {
    await reportFailures(s.root, analysed.failure, opts.events);
    // An action analysis ran failed (reported as action-failed): a build failure, not a usage one.
    const code = analysed.failure.every((f) => f.reason === 'generating-action-failed')
      ? EXIT.failure
      : EXIT.usage;
    opts.events.emit({
      type: 'command-finished',
      exitCode: code,
      executed: 0,
      cached: 0,
      failed: analysed.failure.length,
      durationMs: Date.now() - started,
      spawns: 0,
    });
    return code;
  }
  const { graph, targets } = analysed.value;
  emitAnalysisFinished(s, graph, targets.length, started, opts);
  return {
    s,
    graph,
    targets: targets.length,
    profiles: { executed: s.pgo.executed, cached: s.pgo.cached },
  };
}

/**
 * The last build's analysis brought up to date, when all that changed since is Go sources edited
 * without touching their headers (see {@link retainAnalysis}): the events its analysis emitted
 * are emitted again as a null build's, and the compiles of the edited files get their new
 * digests. Undefined when anything else changed: the caller analyses afresh.
 */
async function patchRetained(
  kept: RetainedAnalysis,
  opts: SessionOptions,
  patterns: readonly string[],
  started: number,
): Promise<Analysed | undefined> {
  // The request names no remote cache: a session opened without one cannot serve a build with one.
  if (opts.remoteCache !== undefined) return undefined;
  const changed = changedSince(kept.inputs, upToDateRequest(opts, patterns));
  if (changed === undefined) return undefined;
  const s = kept.session;
  reuseSession(s, opts);
  forgetUpToDate(s.root);
  const graph = await s.graphBuilder.patchSources(changed, kept.graph.roots);
  if (graph === undefined) return undefined;
  for (const e of kept.analysisEvents) opts.events.emit(e);
  const patched = [...changed].map((f) => path.relative(s.root, f)).sort();
  emitAnalysisFinished(s, graph, kept.targets, started, opts, patched);
  return {
    s,
    graph,
    targets: kept.targets,
    profiles: { executed: 0, cached: kept.profileActions },
  };
}

/** Emits `analysis-cache` and `analysis-finished`. */
function emitAnalysisFinished(
  s: Session,
  graph: BuildGraph,
  targets: number,
  started: number,
  opts: SessionOptions,
  patched?: readonly string[],
): void {
  opts.events.emit({
    type: 'analysis-cache',
    sourceFileHits: s.scanCache.stats.hits,
    sourceFileMisses: s.scanCache.stats.misses,
  });
  opts.events.emit({
    type: 'analysis-finished',
    targets,
    actions: graph.nodes.size,
    durationMs: Date.now() - started,
    ...(patched !== undefined ? { patched } : {}),
  });
}

/**
 * What analysis emitted in a build's `events` (after `command-started`, before `analysis-cache`)
 * as the build right after it would: profiles cached, no downloads. Actions of the graph that
 * analysis ran (a genrule making Go sources) are left out: running the graph reports them.
 */
function analysisEventsOf(events: readonly BuildEvent[], graph: BuildGraph): BuildEvent[] {
  const end = events.findIndex((e) => e.type === 'analysis-cache');
  return asNullBuildEvents(events.slice(1, end < 0 ? 1 : end)).filter(
    (e) =>
      e.type !== 'progress' &&
      !((e.type === 'action-finished' || e.type === 'action-failed') && graph.nodes.has(e.id)),
  );
}

/** The `remoteCache` field of command-finished, with `--remote_cache`. */
function remoteCacheSummary(s: Session): { remoteCache?: RemoteCacheSummary } {
  const r = s.remote?.stats().remote;
  if (r === undefined) return {};
  return {
    remoteCache: {
      url: r.url,
      localHits: r.localActionHits,
      remoteHits: r.remoteActionHits,
      downloadedBytes: r.bytesDownloaded,
      uploadedBytes: r.bytesUploaded,
      uploadedResults: r.resultsUploaded,
      available: r.available,
    },
  };
}

/** What a build depended on, for the up-to-date check (see up-to-date.ts). */
function upToDateInputsOf(
  opts: SessionOptions,
  patterns: readonly string[],
  s: Session,
  startedMs: number,
): UpToDateInputs {
  const recursiveRoots: string[] = [];
  for (const p of patterns) {
    const parsed = parseTargetPattern(p, s.cwdPkg);
    if (parsed.ok && parsed.value.kind === 'recursive') recursiveRoots.push(parsed.value.pkg);
  }
  const { packageDirs, bzlFiles } = s.loader.consulted();
  return {
    root: s.root,
    startedMs,
    digested: s.digester.digestedFiles(),
    contentDigest: (file) => s.digester.knownDigest(file) ?? s.graphBuilder.sourceDigest(file),
    // The SDK's identity is its tools' digests (digested above); its go command and VERSION
    // file decide which SDK `go` finds.
    files: [
      ...s.pgo.profileFiles(),
      path.join(s.sdk.goroot, 'bin', 'go'),
      path.join(s.sdk.goroot, 'VERSION'),
      ...s.graphBuilder.modules.consultedFiles(),
    ],
    packageDirs,
    recursiveRoots,
    bzlFiles,
    moduleDirs: s.graphBuilder.modules.consultedDirs(),
    diskCache: opts.diskCache,
  };
}

/**
 * The events a replay of a successful build emits: its null build's events as they were, or
 * those a null build right after it would emit when it `executedActions`.
 */
function replayEvents(recorder: EventRecorder, executedActions: boolean): BuildEvent[] {
  // Progress lines mean nothing in an answer given at once, and a replay talks to no remote
  // cache: it must not repeat this build's remote traffic or warnings.
  return (executedActions ? asNullBuildEvents(recorder.events) : recorder.events)
    .filter((e) => e.type !== 'command-started' && e.type !== 'progress')
    .filter((e) => e.type !== 'remote-cache-warning')
    .filter((e) => e.type !== 'cache-corruption' || e.source !== 'remote')
    .map((e) => (e.type === 'command-finished' ? { ...e, remoteCache: undefined } : e));
}
