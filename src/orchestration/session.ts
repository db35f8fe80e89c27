import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { GoSdk } from '../../toolchain';
import {
  type AnalysisFailure,
  type BuildGraph,
  type Configuration,
  type DeclaredTarget,
  GraphBuilder,
  type NodeProducer,
  PackageLoader,
  type ProducedOutput,
  SourceScanCache,
  type TestRunOptions,
  expandPatterns,
  isTestRule,
} from '../analysis';
import { DiskCache } from '../cache';
import { sandboxParent } from '../exec';
import type { RemoteBackedCache, RemoteCacheOptions } from '../cache/remote';
import type { BuildEvent, EventSink } from '../events';
import type { SourceFile } from '../go/compile-action';
import { type Platform, defaultPlatform } from '../go/platform';
import { loadStdlib } from '../go/stdlib';
import { ModuleFetcher } from '../modules';
import { FileDigester } from '../hashing';
import { type Result, err, formatDiagnostic, isProcessAlive, ok } from '../util';
import { BUILTIN_RULES } from '../analysis/builtin-rules';
import { TsRuleFiles } from '../analysis/ts-rule-files';
import { findWorkspaceRoot, workspaceRelative } from '../workspace';
import { BuildRunner, type KeyedActions, type RunSummary } from './build-runner';
import { ExplainLog } from './explain-log';
import { setUpGoSdk } from './go-sdk-setup';
import { PgoResolver, parsePgoFlag } from './pgo-resolution';
import { loadWorkspaceConfig } from './workspace-config';
import { workspaceStatus } from './workspace-status';

/** Options every command shares. */
export interface SessionOptions {
  readonly cwd: string;
  readonly diskCache: string;
  readonly jobs: number;
  readonly keepGoing: boolean;
  readonly events: EventSink;
  readonly signal: AbortSignal;
  /** Largest disk cache size before LRU eviction, in bytes. */
  readonly maxCacheBytes: number;
  /** `--pgo`: auto, off or a profile path (overrides every binary's `pgo`). */
  readonly pgo?: string;
  /** `--remote_cache` and its flags: a second cache level behind the disk cache. */
  readonly remoteCache?: RemoteCacheOptions;
  /** `--gc_goopts`: extra compiler flags for every package (like `go build -gcflags=all=…`). */
  readonly gcGoopts?: readonly string[];
  /** `--gotags`: build tags for every package (like `go build -tags`). */
  readonly gotags?: readonly string[];
  /** `--linkopt`: extra linker flags for every binary (like `go build -ldflags`). */
  readonly linkopts?: readonly string[];
  /** `--stamp`: `{KEY}` in `x_defs` values becomes the workspace status command's value. */
  readonly stamp?: boolean;
  /** `--workspace_status_command`: prints `KEY value` lines (run only with `--stamp`). */
  readonly workspaceStatusCommand?: string;
}

/** Everything loaded once per command: workspace, SDK, standard library, cache. */
export interface Session {
  readonly root: string;
  readonly cwdPkg: string;
  readonly sdk: GoSdk;
  readonly platform: Platform;
  readonly defaultConfig: Configuration;
  readonly loader: PackageLoader;
  readonly graphBuilder: GraphBuilder;
  readonly cache: DiskCache;
  /** The disk cache backed by the remote cache, with `--remote_cache`; actions use it. */
  readonly remote?: RemoteBackedCache;
  readonly digester: FileDigester;
  /** Persisted source scans (saved with the stat cache after a build). */
  readonly scanCache: SourceScanCache;
  readonly includeFiles: readonly SourceFile[];
  readonly pgo: PgoResolver;
  /** Actions and keys derived for this session's nodes, kept across the commands it serves. */
  readonly keyedActions: KeyedActions;
}

/** Finds the workspace and loads what every command needs. */
export async function openSession(
  opts: SessionOptions,
): Promise<Result<Session, AnalysisFailure[]>> {
  const root = await findWorkspaceRoot(opts.cwd);
  if (root === undefined) {
    return err([
      {
        reason: 'no-workspace',
        message: `${opts.cwd} is not inside a pgobuild workspace: no WORKSPACE, WORKSPACE.bazel or MODULE.bazel file in it or any parent directory`,
      },
    ]);
  }
  const config = await loadWorkspaceConfig(root);
  if (!config.ok) return err([config.failure]);
  // What the session's parts report goes to the command using it (see reuseSession).
  const events = new ForwardingSink(opts.events);
  const cache = new DiskCache(opts.diskCache, {
    onEvent: (e) =>
      events.emit({
        type: 'cache-corruption',
        what: e.what,
        id: e.id,
        path: e.path,
        detail: e.detail,
      }),
  });
  const remote = opts.remoteCache && (await openRemoteCache(cache, opts.remoteCache, events));
  const digester = await FileDigester.open(path.join(opts.diskCache, 'v1', 'statcache.json'));
  const sdk = await setUpGoSdk(config.value.goSdk, {
    diskCache: opts.diskCache,
    digester,
    events,
    signal: opts.signal,
  });
  if (!sdk.ok) return err(sdk.failure);
  const platform = defaultPlatform(sdk.value.hostOs, sdk.value.hostArch);
  const stdlib = await loadStdlib(
    sdk.value,
    platform,
    path.join(opts.diskCache, 'v1'),
    opts.gotags,
  );
  if (!stdlib.ok) return err([{ reason: 'stdlib-list-failed', message: stdlib.failure.message }]);
  const includeDir = path.join(sdk.value.goroot, 'pkg', 'include');
  const includeFiles: SourceFile[] = [];
  for (const name of (await fsp.readdir(includeDir)).sort()) {
    const absPath = path.join(includeDir, name);
    includeFiles.push({ name, absPath, digest: await digester.digest(absPath) });
  }
  const loader = new PackageLoader(
    root,
    BUILTIN_RULES,
    new TsRuleFiles(root, path.join(opts.diskCache, 'v1')),
  );
  const pgo = new PgoResolver(
    root,
    platform,
    sdk.value.minor,
    cache,
    events,
    parsePgoFlag(opts.pgo, opts.cwd),
  );
  const defaultConfigResult = await pgo.defaultConfig();
  if (!defaultConfigResult.ok) return err([defaultConfigResult.failure]);
  const defaultConfig = defaultConfigResult.value;
  const goBinary = path.join(sdk.value.goroot, 'bin', 'go');
  // PGOBUILD_ANALYSIS_CACHE=off analyses from scratch (to compare, or to rule the cache out).
  const scanCache = SourceScanCache.open(
    process.env['PGOBUILD_ANALYSIS_CACHE'] === 'off'
      ? undefined
      : path.join(opts.diskCache, 'v1', 'analysis', 'sources'),
  );
  const graphBuilder = new GraphBuilder(
    root,
    loader,
    { sdk: sdk.value, stdlib: stdlib.value, includeFiles },
    digester,
    defaultConfig,
    {
      go: { goBinary, goVersion: sdk.value.version, stateDir: path.join(opts.diskCache, 'v1') },
      fetcher: new ModuleFetcher(
        goBinary,
        (absPath) => digester.digest(absPath),
        (e) => events.emit({ type: 'module-download', ...e }),
      ),
    },
    scanCache,
  );
  graphBuilder.globalGcflags = opts.gcGoopts ?? [];
  graphBuilder.globalTags = opts.gotags ?? [];
  graphBuilder.globalLinkopts = opts.linkopts ?? [];
  if (opts.stamp === true) {
    const status = workspaceStatus(opts.workspaceStatusCommand, root);
    if (!status.ok) return err([{ reason: 'workspace-status', message: status.failure }]);
    graphBuilder.stampValues = status.value;
  }
  const rel = workspaceRelative(root, opts.cwd);
  const session: Session = {
    root,
    cwdPkg: rel.startsWith('..') ? '' : rel,
    sdk: sdk.value,
    platform,
    defaultConfig,
    loader,
    graphBuilder,
    cache,
    remote,
    digester,
    scanCache,
    includeFiles,
    pgo,
    keyedActions: new WeakMap(),
  };
  openedWith.set(session, opts);
  sinks.set(session, events);
  return ok(session);
}

/**
 * Makes a session that served an earlier command (a warm server keeps the last build's, see
 * retained-analysis.ts) serve another, with `opts` (the same request): what its parts report goes
 * to the new command's events, and the runner, its explain log and the scan counters start afresh.
 */
export function reuseSession(session: Session, opts: SessionOptions): void {
  const events = sinks.get(session);
  if (events !== undefined) events.target = opts.events;
  openedWith.set(session, opts);
  runStates.delete(session);
  session.scanCache.stats.hits = 0;
  session.scanCache.stats.misses = 0;
}

/** The options of the command each session serves: analysis runs generating actions with them. */
const openedWith = new WeakMap<Session, SessionOptions>();

/** Where each session's parts (cache, SDK set-up, profiles, module fetches) send events. */
const sinks = new WeakMap<Session, ForwardingSink>();

/** An event sink that passes events on to a sink that can be replaced. */
class ForwardingSink implements EventSink {
  constructor(public target: EventSink) {}

  emit(event: BuildEvent): void {
    this.target.emit(event);
  }
}

/**
 * Expands patterns and builds the action graph (binaries in their own PGO configuration); with
 * `tests` (the `test` command), only test targets (go_test's, a test rule's), each with a node that runs it so.
 */
export async function analyze(
  session: Session,
  patterns: readonly string[],
  tests: TestRunOptions | undefined,
): Promise<Result<{ targets: DeclaredTarget[]; graph: BuildGraph }, AnalysisFailure[]>> {
  // A genrule whose out is a Go source runs during analysis, with the runner `execute` then uses
  // (so it is run, counted and reported once).
  const opened = openedWith.get(session);
  if (opened !== undefined) session.graphBuilder.nodeProducer = producerFor(session, opened);
  const targets = await expandPatterns(
    session.root,
    patterns,
    session.cwdPkg,
    session.loader,
    session.graphBuilder,
  );
  if (!targets.ok) return targets;
  const selected =
    tests !== undefined ? targets.value.filter((t) => isTestRule(t.rule)) : targets.value;
  const graph = await session.graphBuilder.build(selected, (b) => session.pgo.configFor(b), tests);
  if (!graph.ok) return graph;
  return ok({ targets: selected, graph: graph.value });
}

/** Runs an analysed graph with the session's cache; saves explain data and the stat cache. */
export async function execute(
  session: Session,
  graph: BuildGraph,
  opts: SessionOptions,
): Promise<RunSummary> {
  const { runner, explain, sandboxBase } = await runStateFor(session, opts);
  const summary = await runner.run(graph.nodes);
  // Uploads finish before garbage collection could evict what they read.
  await session.remote?.close();
  await fsp.rm(sandboxBase, { recursive: true, force: true });
  await explain.save();
  await session.digester.save();
  await session.scanCache.save();
  if (summary.executed > 0) await session.cache.collectGarbageIfDue(opts.maxCacheBytes);
  return summary;
}

/** The runner of a command, shared by analysis (genrules making Go sources) and {@link execute}. */
interface RunState {
  readonly runner: BuildRunner;
  readonly explain: ExplainLog;
  readonly sandboxBase: string;
}

const runStates = new WeakMap<Session, Promise<RunState>>();

/** The session's runner, made on first use (by analysis or by {@link execute}). */
function runStateFor(session: Session, opts: SessionOptions): Promise<RunState> {
  let state = runStates.get(session);
  if (state === undefined) {
    state = (async (): Promise<RunState> => {
      const explain = await ExplainLog.open(session.root);
      explain.beginBuild();
      const sandboxBase = await sandboxBaseFor(process.pid);
      // Partial cache writes of builds that were killed: invisible, but they take space.
      await session.cache.removeStaleTempFiles();
      const runner = new BuildRunner({
        root: session.root,
        sdk: session.sdk,
        cache: session.remote ?? session.cache,
        events: opts.events,
        digester: session.digester,
        explain,
        jobs: opts.jobs,
        keepGoing: opts.keepGoing,
        signal: opts.signal,
        sandboxBase,
        includeFiles: session.includeFiles,
        cacheDir: opts.diskCache,
        keyedActions: session.keyedActions,
      });
      return { runner, explain, sandboxBase };
    })();
    runStates.set(session, state);
  }
  return state;
}

/**
 * How analysis gets a genrule's outputs: the node runs through the command's runner (executor,
 * cache, events), and each output is read from the cache's verified copy of its blob. A null
 * build answers it from the cache: no process is spawned.
 */
function producerFor(session: Session, opts: SessionOptions): NodeProducer {
  return async (nodes, id) => {
    const { runner } = await runStateFor(session, opts);
    const produced = await runner.produce(nodes, id);
    const owner = nodes.get(id)?.owner ?? id;
    if (!produced.ok)
      return err({
        reason: 'generating-action-failed',
        message: `${owner} failed, so the Go sources it makes cannot be analysed: ${produced.failure.message}`,
      });
    const cache = session.remote ?? session.cache;
    const out: ProducedOutput[] = [];
    for (const [p, blob] of produced.value.outputs ?? []) {
      const absPath = await cache.verifiedPath(blob.digest, false, blob.size);
      if (absPath === undefined)
        return err({
          reason: 'generating-action-failed',
          message: `${owner}: output ${p} is missing from the cache`,
        });
      out.push({ path: p, digest: blob.digest, absPath });
    }
    return ok(out);
  };
}

/**
 * The disk cache with the remote cache behind it; the remote client is loaded only when a remote
 * cache is configured. Corrupt remote entries and remote problems become events.
 */
async function openRemoteCache(
  disk: DiskCache,
  opts: RemoteCacheOptions,
  events: EventSink,
): Promise<RemoteBackedCache> {
  const { RemoteBackedCache, openRemoteStore } = await import('../cache/remote');
  return new RemoteBackedCache(disk, await openRemoteStore(opts), {
    uploadLocalResults: opts.uploadLocalResults,
    onEvent: (e) =>
      events.emit({
        type: 'cache-corruption',
        what: e.what,
        id: e.id,
        path: e.path,
        detail: e.detail,
        source: 'remote',
      }),
    onWarning: (w) => events.emit({ type: 'remote-cache-warning', ...w }),
  });
}

/**
 * A per-process directory for sandboxes ({@link sandboxParent}), so concurrent builds never share
 * one. Directories left by
 * processes that no longer exist (a build killed with SIGKILL) are removed here.
 */
async function sandboxBaseFor(pid: number): Promise<string> {
  const parent = await sandboxParent();
  await fsp.mkdir(parent, { recursive: true });
  for (const entry of await fsp.readdir(parent)) {
    const owner = Number(entry);
    if (!Number.isInteger(owner) || owner === pid || isProcessAlive(owner)) continue;
    await fsp.rm(path.join(parent, entry), { recursive: true, force: true });
  }
  return path.join(parent, String(pid));
}

/** Emits analysis failures (and warnings) as diagnostics events. */
export async function reportFailures(
  root: string,
  failures: readonly AnalysisFailure[],
  events: EventSink,
): Promise<void> {
  for (const f of failures) {
    if (f.diagnostic !== undefined) {
      const d = await withSourceLine(root, f.diagnostic);
      events.emit({
        type: 'diagnostic',
        severity: d.severity,
        file: d.span.file,
        line: d.span.line,
        col: d.span.col,
        message: d.message,
        formatted: formatDiagnostic(d),
      });
      for (const frame of f.stack ?? []) {
        const s = await withSourceLine(root, frame);
        events.emit({
          type: 'diagnostic',
          severity: 'error',
          file: s.span.file,
          line: s.span.line,
          col: s.span.col,
          message: s.message,
          formatted: formatDiagnostic(s),
        });
      }
    } else {
      events.emit({
        type: 'diagnostic',
        severity: 'error',
        message: f.message,
        formatted: `error: ${f.message}`,
      });
    }
  }
}

/** Fills a diagnostic's source line from its file when the producer did not have the text. */
export async function withSourceLine<
  T extends { span: { file: string; line: number }; sourceLine: string },
>(root: string, d: T): Promise<T> {
  if (d.sourceLine !== '') return d;
  try {
    const text = await fsp.readFile(path.join(root, d.span.file), 'utf8');
    return { ...d, sourceLine: (text.split('\n')[d.span.line - 1] ?? '').replace(/\r$/, '') };
  } catch {
    return d;
  }
}
