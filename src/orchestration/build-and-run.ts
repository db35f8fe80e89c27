import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { BuildNode, TestRunOptions } from '../analysis';
import type { RemoteCacheSummary } from '../events';
import { interruptedBy } from '../exec/interrupt';
import { EXIT, signalExitCode } from '../util';
import { parseTargetPattern } from '../workspace';
import { commandSession } from './command-session';
import { type Session, type SessionOptions, analyze, execute, reportFailures } from './session';
import {
  EventRecorder,
  asNullBuildEvents,
  forgetUpToDate,
  recordUpToDate,
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
    return { code: s };
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
    return { code };
  }
  const { graph, targets } = analysed.value;
  opts.events.emit({
    type: 'analysis-cache',
    sourceFileHits: s.scanCache.stats.hits,
    sourceFileMisses: s.scanCache.stats.misses,
  });
  opts.events.emit({
    type: 'analysis-finished',
    targets: targets.length,
    actions: graph.nodes.size,
    durationMs: Date.now() - started,
  });
  const summary = await execute(s, graph, opts);
  // A build stopped by a signal exits as shells report it (130 for Ctrl-C), not as a failure.
  const interrupted = interruptedBy(opts.signal);
  const code =
    interrupted !== undefined ? signalExitCode(interrupted) : summary.ok ? EXIT.ok : EXIT.failure;
  const executed = summary.executed + s.pgo.executed;
  opts.events.emit({
    type: 'command-finished',
    exitCode: code,
    executed,
    cached: summary.cached + s.pgo.cached,
    failed: summary.failed,
    durationMs: Date.now() - started,
    spawns: summary.spawns,
    ...(interrupted !== undefined ? { interrupted } : {}),
    ...remoteCacheSummary(s),
  });
  if (recorder !== undefined && code === EXIT.ok) {
    recordBuild(opts, patterns, s, started, recorder, executed > 0 || summary.spawns > 0);
  }
  return { code, session: s, nodes: graph.nodes, roots: graph.roots };
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

/**
 * Records a successful build for the up-to-date check (see up-to-date.ts): a null build's events
 * as they were, or those a null build right after it would emit when it `executedActions`.
 */
function recordBuild(
  opts: SessionOptions,
  patterns: readonly string[],
  s: Session,
  startedMs: number,
  recorder: EventRecorder,
  executedActions: boolean,
): void {
  const recursiveRoots: string[] = [];
  for (const p of patterns) {
    const parsed = parseTargetPattern(p, s.cwdPkg);
    if (parsed.ok && parsed.value.kind === 'recursive') recursiveRoots.push(parsed.value.pkg);
  }
  const { packageDirs, bzlFiles } = s.loader.consulted();
  recordUpToDate(
    upToDateRequest(opts, patterns),
    {
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
    },
    // Progress lines mean nothing in an answer given at once, and a replay talks to no remote
    // cache: it must not repeat this build's remote traffic or warnings.
    (executedActions ? asNullBuildEvents(recorder.events) : recorder.events)
      .filter((e) => e.type !== 'command-started' && e.type !== 'progress')
      .filter((e) => e.type !== 'remote-cache-warning')
      .filter((e) => e.type !== 'cache-corruption' || e.source !== 'remote')
      .map((e) => (e.type === 'command-finished' ? { ...e, remoteCache: undefined } : e)),
    executedActions,
  );
}
