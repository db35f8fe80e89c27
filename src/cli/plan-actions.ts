import * as os from 'node:os';
import * as path from 'node:path';
import type { BuildGraph } from '../analysis/build-graph';
import type { ActionCache } from '../cache';
import type { BuildEvent } from '../events';
import type { Action } from '../actions';
import type { ExecuteOptions, Executor, MaterializedInput } from '../exec';
import { BuildRunner, ExplainLog, type Session } from '../orchestration';
import { err } from '../util/result';

/** What the next build would do with one action. */
export type PlannedStatus =
  /** Answered by the disk cache. */
  | 'cached-local'
  /** Answered by the remote cache (`--remote_cache`), downloaded on the real build. */
  | 'cached-remote'
  /** Same key as another action of this build, which runs once for both (counted as cached). */
  | 'shared'
  /** Its key is known and not in any cache: it runs. */
  | 'execute'
  /** Its key depends on the output of an action that runs: it runs after it. */
  | 'execute-after-deps';

/** One action of the plan. */
export interface PlannedAction {
  readonly id: string;
  readonly mnemonic: string;
  readonly description: string;
  readonly status: PlannedStatus;
  /** The action key, when it can be known without running anything. */
  readonly key: string | undefined;
}

/**
 * An executor that runs nothing: every action that reaches it is one the build would execute, so
 * it reports the action started (the runner's action-started event marks it) and fails it. Its
 * failure stops the node, so the nodes that depend on it are reported as blocked (their keys need
 * its output).
 */
class NothingExecutor implements Executor {
  execute(
    _action: Action,
    _inputs: readonly MaterializedInput[],
    options: ExecuteOptions,
  ): ReturnType<Executor['execute']> {
    options.onStarted?.();
    return Promise.resolve(
      err({ reason: 'cancelled' as const }) as Awaited<ReturnType<Executor['execute']>>,
    );
  }
}

/**
 * Plans a build of `graph` without executing any action: the build runner itself derives every
 * action and its key exactly as a build does (dependencies' outputs from their cached results)
 * and asks the caches, but its executor runs nothing, link outputs are not placed, and its
 * explain log is never saved. Each action is then cached (disk or remote), shares another's
 * execution, would execute, or would execute once the actions it depends on have run.
 */
export async function planActions(
  session: Session,
  graph: BuildGraph,
  /** The disk cache directory (named in errors, as in a build). */
  cacheDir: string,
): Promise<PlannedAction[]> {
  const answeredLocally = new Set<string>();
  const level = session.remote ?? session.cache;
  // The cache the runner sees: which level answers each key is noted, and nothing is written.
  const cache = new Proxy(level, {
    get(target, prop, receiver) {
      if (prop === 'getAction')
        return async (key: Parameters<ActionCache['getAction']>[0]) => {
          if (session.remote !== undefined && (await session.cache.getAction(key)) !== undefined)
            answeredLocally.add(key);
          const hit = await target.getAction(key);
          if (hit !== undefined && session.remote === undefined) answeredLocally.add(key);
          return hit;
        };
      if (prop === 'putAction') return () => Promise.resolve();
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const events: BuildEvent[] = [];
  const runner = new BuildRunner({
    root: session.root,
    sdk: session.sdk,
    cache,
    events: { emit: (e) => events.push(e) },
    digester: session.digester,
    explain: await ExplainLog.open(session.root),
    jobs: Math.max(1, os.availableParallelism()),
    keepGoing: true,
    signal: new AbortController().signal,
    sandboxBase: path.join(os.tmpdir(), 'pgobuild-plan-unused'),
    includeFiles: session.includeFiles,
    cacheDir,
    executor: new NothingExecutor(),
  });
  // Link nodes without an output path: a cached binary is not copied to pgobuild-out.
  const nodes = new Map(
    [...graph.nodes].map(([id, n]) => [
      id,
      n.kind === 'link' ? { ...n, outputPath: undefined } : n,
    ]),
  );
  await runner.run(nodes);

  const started = new Set<string>();
  const out = new Map<string, PlannedAction>();
  for (const e of events) {
    if (e.type === 'action-started') {
      started.add(e.id);
      out.set(e.id, {
        id: e.id,
        mnemonic: e.mnemonic,
        description: e.description,
        status: 'execute',
        key: undefined,
      });
    } else if (e.type === 'action-finished') {
      out.set(e.id, {
        id: e.id,
        mnemonic: e.mnemonic,
        description: e.description,
        status: answeredLocally.has(e.key) ? 'cached-local' : 'cached-remote',
        key: e.key,
      });
    } else if (e.type === 'action-failed' && !started.has(e.id)) {
      // Failed without starting: it shared the key of an action that "ran" (a build counts it
      // cached), or, for a compile, the builder it needs would run first.
      out.set(e.id, {
        id: e.id,
        mnemonic: e.mnemonic,
        description: e.description,
        status:
          started.has('builder') && graph.nodes.get(e.id)?.kind === 'compile'
            ? 'execute-after-deps'
            : 'shared',
        key: undefined,
      });
    } else if (e.type === 'action-blocked') {
      const node = graph.nodes.get(e.id);
      const mnemonic =
        node?.kind === 'compile'
          ? 'GoCompile'
          : node?.kind === 'link'
            ? 'GoLink'
            : node?.kind === 'generic'
              ? node.mnemonic
              : 'GoTestRun';
      out.set(e.id, {
        id: e.id,
        mnemonic,
        description: e.description,
        status: 'execute-after-deps',
        key: undefined,
      });
    }
  }
  return [...out.values()];
}
