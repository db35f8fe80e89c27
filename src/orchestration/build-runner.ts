import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GoSdk } from '../../toolchain';
import {
  type Action,
  type ActionKey,
  type ActionKeyRecord,
  actionKeyOf,
  actionKeyRecord,
} from '../actions';
import type { BuildNode, GenericActionNode, LinkNode } from '../analysis/build-graph';
import { nodeDeps } from '../analysis/build-graph';
import type { ActionCache, ActionResult, BlobRef } from '../cache';
import type { EventSink } from '../events';
import {
  type ExecutionFailure,
  type Executor,
  LocalSandboxExecutor,
  type MaterializedInput,
  Scheduler,
  Semaphore,
} from '../exec';
import {
  BUILDER_OUTPUT,
  type Builder,
  builderAction,
  builderInput,
  builderSources,
} from '../go/builder-action';
import {
  COMPILE_EXPORT_DATA,
  COMPILE_LINK_OBJECT,
  compileAction,
  compileNeedsBuilder,
} from '../go/compile-action';
import type { SourceFile } from '../go/compile-action';
import { LINK_OUTPUT, linkAction } from '../go/link-action';
import { testRunAction } from '../go/test-run-action';
import type { FileDigester } from '../hashing';
import { type Digest, type Result, err, ok, unreachable } from '../util';
import { genericAction } from './generic-action';
import { type ExplainLog, summarizeKey } from './explain-log';
import { storeOutputs } from './store-outputs';

/**
 * What a finished node produced: its main output blob (a compile's export data, a binary, a test
 * log).
 */
export interface NodeValue {
  readonly digest: Digest;
  readonly size: number;
  /** A compile's link object (its main output is the export data its importers' compiles read). */
  readonly linkObject?: BlobRef;
  /** Every declared output by exec-root path (generic actions, whose outputs others read). */
  readonly outputs?: ReadonlyMap<string, BlobRef>;
}

/** Why a node failed. */
export interface NodeFailure {
  readonly reason:
    | 'action-failed'
    | 'test-failed'
    | 'cancelled'
    | 'sandbox-io'
    | 'missing-output'
    | 'missing-input'
    | 'cache-write';
  readonly message: string;
  readonly output: string;
}

/** Options of a build run. */
export interface RunnerOptions {
  readonly root: string;
  readonly sdk: GoSdk;
  readonly cache: ActionCache;
  readonly events: EventSink;
  readonly digester: FileDigester;
  readonly explain: ExplainLog;
  readonly jobs: number;
  readonly keepGoing: boolean;
  readonly signal: AbortSignal;
  /** Where sandboxes are created. */
  readonly sandboxBase: string;
  /** Include-file list of the SDK for packages with assembly. */
  readonly includeFiles: readonly SourceFile[];
  /** The disk cache root, named when it cannot be written (disk full, read-only). */
  readonly cacheDir: string;
  /**
   * Runs actions, at most `jobs` at once; by default a {@link LocalSandboxExecutor} under
   * `sandboxBase`.
   */
  readonly executor?: Executor;
  /**
   * Actions and keys already derived for these node objects, kept by the session across its
   * commands (a warm server's next build runs mostly the same nodes): see {@link KeyedActions}.
   */
  readonly keyedActions?: KeyedActions;
}

/**
 * What a node's action is derived from besides the node itself (and the session's SDK): its
 * dependencies' outputs and the builder.
 */
function derivedFrom(
  node: BuildNode,
  deps: ReadonlyMap<string, NodeValue>,
  builder: Builder | undefined,
): string {
  const parts = [builder === undefined ? '' : JSON.stringify(builder)];
  for (const id of nodeDeps(node)) {
    const v = deps.get(id);
    const outputs = v?.outputs === undefined ? '' : JSON.stringify([...v.outputs]);
    parts.push(
      v === undefined ? '' : `${v.digest} ${v.size} ${v.linkObject?.digest ?? ''} ${outputs}`,
    );
  }
  return parts.join('\n');
}

/**
 * Each node's action and key as last derived, with what they were derived from (its dependencies'
 * outputs and the builder): a node object is immutable, so the same inputs give the same action
 * and key without building and hashing its key record again. Keyed by the node object, so a
 * patched node (a new object) is derived afresh.
 */
export type KeyedActions = WeakMap<BuildNode, KeyedAction>;

interface KeyedAction {
  /** The dependencies' outputs and the builder the action was derived from. */
  readonly from: string;
  readonly action: Action;
  readonly record: ActionKeyRecord;
  readonly key: ActionKey;
}

/**
 * The action that builds the builder is not a node of the graph (it depends on nothing the graph
 * knows); the runner runs it, at most once per build, when the first action that needs it does.
 */
interface ToolNode {
  readonly kind: 'tool';
  readonly id: string;
  readonly owner: string;
}

/** What an action is run for: a graph node or the builder. */
type ActionOwner = BuildNode | ToolNode;

/**
 * How many actions per `--jobs` slot are handed to the executor at once. The executor runs `jobs`
 * of them; the others have their exec roots made and wait beside it, so that a slot a tool gives
 * up is taken by the next tool at once (bench/README.md, "Per-action overhead").
 */
const ADMITTED_PER_JOB = 2;

const BUILDER_NODE: ToolNode = { kind: 'tool', id: 'builder', owner: 'builder' };

/** Totals of a run. */
export interface RunSummary {
  readonly executed: number;
  readonly cached: number;
  readonly failed: number;
  readonly spawns: number;
  readonly ok: boolean;
  readonly values: ReadonlyMap<string, NodeValue>;
  readonly testResults: ReadonlyMap<string, 'passed' | 'failed' | 'cached'>;
}

/**
 * Executes an action graph: for each node, derive its action from its dependencies' outputs,
 * key it, answer from the cache or run it in a sandbox (at most `jobs` at once), store its
 * outputs. Actions with equal keys run once per build even when several nodes need them.
 */
export class BuildRunner {
  private readonly semaphore: Semaphore;
  /** Each node's action once derived, to re-run it if its output blob is lost. */
  private readonly actions = new Map<string, { node: ActionOwner; action: Action }>();
  /** The builder binary, once its action has been answered (or failed) in this build. */
  private builder?: Promise<Result<Builder, NodeFailure>>;
  private readonly executor: Executor;
  /** Which node produced a blob, to rebuild it if its cache copy turns out corrupted. */
  private readonly producers = new Map<Digest, string>();
  private readonly inFlight = new Map<
    ActionKey,
    Promise<Result<{ result: ActionResult; status: 'executed' | 'cached' }, NodeFailure>>
  >();
  private readonly testResults = new Map<string, 'passed' | 'failed' | 'cached'>();
  /**
   * How each node's action ended, counted once per node: an action re-run because its cached
   * output turned out corrupt was first counted as cached and is now executed, not both.
   */
  private readonly statusOf = new Map<string, 'executed' | 'cached'>();
  private failed = 0;
  private spawns = 0;
  private done = 0;
  private total = 0;
  private readonly running = new Set<string>();
  /**
   * Each node's run, once started: a node run during analysis ({@link produce}, a genrule making
   * a Go source) is not run again, nor counted or reported twice, by the build's {@link run}.
   */
  private readonly nodeRuns = new Map<string, Promise<Result<NodeValue, NodeFailure>>>();
  /** Nodes whose failure or block has been reported. */
  private readonly reported = new Set<string>();
  /** Explain-log updates in flight; awaited before the run returns. */
  private readonly explainWrites: Promise<void>[] = [];
  /**
   * Exec roots being removed; awaited before the run returns. Removal is off the critical path:
   * an action's dependents start as soon as its outputs are in the cache.
   */
  private readonly disposals: Promise<void>[] = [];

  constructor(private readonly opts: RunnerOptions) {
    this.semaphore = new Semaphore(opts.jobs * ADMITTED_PER_JOB);
    this.executor =
      opts.executor ??
      new LocalSandboxExecutor({
        baseDir: opts.sandboxBase,
        goroot: opts.sdk.goroot,
        jobs: opts.jobs,
      });
  }

  /** Runs every node of `nodes`; returns totals and each node's value. */
  async run(nodes: ReadonlyMap<string, BuildNode>): Promise<RunSummary> {
    const outcomes = await this.schedule(nodes, [...nodes.values()]);
    const values = new Map<string, NodeValue>();
    for (const [id, outcome] of outcomes)
      if (outcome.status === 'done') values.set(id, outcome.value);
    await Promise.all(this.explainWrites);
    await Promise.all(this.disposals);
    const allDone = [...outcomes.values()].every((o) => o.status === 'done');
    const statuses = [...this.statusOf.values()];
    return {
      executed: statuses.filter((s) => s === 'executed').length,
      cached: statuses.filter((s) => s === 'cached').length,
      failed: this.failed,
      spawns: this.spawns,
      ok: allDone,
      values,
      testResults: this.testResults,
    };
  }

  /**
   * Runs node `id` of `nodes` and what it depends on, before the rest of the graph exists (analysis
   * needs a genrule's generated Go source). Its actions are keyed, cached, counted and reported as
   * in {@link run}, which later answers them without running them again.
   */
  async produce(
    nodes: ReadonlyMap<string, BuildNode>,
    id: string,
  ): Promise<Result<NodeValue, NodeFailure>> {
    const closure = new Map<string, BuildNode>();
    const pending = [id];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const node = nodes.get(next);
      if (node === undefined || closure.has(next)) continue;
      closure.set(next, node);
      pending.push(...nodeDeps(node));
    }
    const outcomes = await this.schedule(nodes, [...closure.values()]);
    const outcome = outcomes.get(id);
    if (outcome === undefined) throw new Error(`bug: node ${id} was not scheduled`);
    switch (outcome.status) {
      case 'done':
        return ok(outcome.value);
      case 'failed':
        return err(outcome.failure);
      case 'blocked':
        return err({
          reason: 'action-failed',
          message: `blocked by the failure of ${outcome.by}`,
          output: '',
        });
      case 'cancelled':
      case 'not-run':
        return err({ reason: 'cancelled', message: 'cancelled', output: '' });
      default:
        return unreachable(outcome);
    }
  }

  /** Schedules `selected` (nodes of `nodes`) and reports each failed or blocked node once. */
  private async schedule(
    nodes: ReadonlyMap<string, BuildNode>,
    selected: readonly BuildNode[],
  ): ReturnType<Scheduler<NodeValue, NodeFailure>['run']> {
    this.total = nodes.size;
    const scheduler = new Scheduler<NodeValue, NodeFailure>({
      keepGoing: this.opts.keepGoing,
      signal: this.opts.signal,
      preferred: this.lastExecuted(nodes),
    });
    const jobs = selected.map((node) => ({
      id: node.id,
      deps: nodeDeps(node),
      run: (signal: AbortSignal, depValues: ReadonlyMap<string, NodeValue>) => {
        let run = this.nodeRuns.get(node.id);
        if (run === undefined) {
          run = this.runNode(node, depValues, signal);
          this.nodeRuns.set(node.id, run);
        }
        return run;
      },
    }));
    const outcomes = await scheduler.run(jobs);
    for (const [id, outcome] of outcomes) {
      const node = nodes.get(id) as BuildNode;
      if (this.reported.has(id)) continue;
      switch (outcome.status) {
        case 'done':
          break;
        case 'failed':
          this.reported.add(id);
          this.failed++;
          if (outcome.failure.reason === 'test-failed') {
            this.opts.events.emit({
              type: 'test-result',
              target: node.owner,
              status: 'failed',
              durationMs: 0,
              output: outcome.failure.output,
            });
            this.testResults.set(node.owner, 'failed');
          } else {
            this.opts.events.emit({
              type: 'action-failed',
              id,
              mnemonic: mnemonicOf(node),
              description: describe(node),
              message: outcome.failure.message,
              output: outcome.failure.output,
            });
          }
          break;
        case 'blocked':
          this.reported.add(id);
          this.opts.events.emit({
            type: 'action-blocked',
            id,
            description: describe(node),
            blockedBy: outcome.by,
          });
          break;
        case 'cancelled':
        case 'not-run':
          break;
        default:
          unreachable(outcome);
      }
    }
    return outcomes;
  }

  /**
   * The nodes that the latest build that executed actions executed (the explain log keeps them
   * through null builds), with everything they depend on. The scheduler starts them first: in an
   * edit loop the same packages change again, so this is the path to the actions that will miss
   * the cache, which then run while the thousand cache hits around them are still looked up.
   */
  private lastExecuted(nodes: ReadonlyMap<string, BuildNode>): ReadonlySet<string> {
    const preferred = new Set<string>();
    const pending = [...this.opts.explain.recentlyExecuted()];
    for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
      const node = nodes.get(id);
      if (node === undefined || preferred.has(id)) continue;
      preferred.add(id);
      pending.push(...nodeDeps(node));
    }
    return preferred;
  }

  private async runNode(
    node: BuildNode,
    deps: ReadonlyMap<string, NodeValue>,
    signal: AbortSignal,
  ): Promise<Result<NodeValue, NodeFailure>> {
    let builder: Builder | undefined;
    if (node.kind === 'compile' && compileNeedsBuilder(node.unit)) {
      const built = await this.builderFor(signal);
      if (!built.ok) return built;
      builder = built.value;
    }
    const { action, keyed } = this.keyedActionFor(node, deps, builder);
    this.actions.set(node.id, { node, action });
    const outcome = await this.execute(node, action, signal, false, keyed);
    if (!outcome.ok) return outcome;
    const { result } = outcome.value;
    if (node.kind === 'generic') return this.genericValue(node, result);
    const outputAt = (rel: string): BlobRef | undefined =>
      result.outputs.find((o) => o.path === rel);
    const main =
      node.kind === 'test-run'
        ? result.stdout
        : node.kind === 'compile'
          ? outputAt(COMPILE_EXPORT_DATA)
          : result.outputs[0];
    const linkObject = node.kind === 'compile' ? outputAt(COMPILE_LINK_OBJECT) : undefined;
    if (main === undefined || (node.kind === 'compile' && linkObject === undefined))
      return err({
        reason: 'missing-output',
        message: `${node.id}: no output recorded`,
        output: '',
      });
    this.producers.set(main.digest, node.id);
    if (linkObject !== undefined) this.producers.set(linkObject.digest, node.id);
    if (node.kind === 'compile' && result.stdout !== undefined) {
      // Executed or cached alike, as cmd/go replays a compile's output from its cache.
      const printed = await this.opts.cache.getBlob(result.stdout.digest, result.stdout.size);
      if (printed !== undefined && printed.length > 0)
        this.opts.events.emit({
          type: 'action-output',
          id: node.id,
          importPath: node.unit.importPath,
          output: Buffer.from(printed).toString('utf8'),
        });
    }
    if (node.kind === 'link' && node.outputPath !== undefined) {
      const placed = await this.placeOutput(node, node.outputPath, main, true);
      if (!placed.ok) return placed;
    }
    if (node.kind === 'test-run') {
      const status = outcome.value.status === 'cached' ? 'cached' : 'passed';
      this.testResults.set(node.owner, status);
      const log = (await this.opts.cache.getBlob(main.digest, main.size)) ?? new Uint8Array();
      this.opts.events.emit({
        type: 'test-result',
        target: node.owner,
        status,
        durationMs: Number(result.metadata?.['durationMs'] ?? 0),
        output: Buffer.from(log).toString('utf8'),
      });
    }
    return ok({
      digest: main.digest,
      size: main.size,
      ...(linkObject !== undefined
        ? { linkObject: { digest: linkObject.digest, size: linkObject.size } }
        : {}),
    });
  }

  /**
   * A generic node's value: every declared output (others read them by path), each placed at its
   * stable workspace path. The main output is the first.
   */
  private async genericValue(
    node: GenericActionNode,
    result: ActionResult,
  ): Promise<Result<NodeValue, NodeFailure>> {
    const outputs = new Map<string, BlobRef>();
    const executable = new Set<string>();
    for (const o of result.outputs) {
      outputs.set(o.path, { digest: o.digest, size: o.size });
      if (o.executable) executable.add(o.path);
    }
    for (const [index, rel] of node.outputs.entries()) {
      const blob = outputs.get(rel);
      if (blob === undefined)
        return err({
          reason: 'missing-output',
          message: `${node.owner}: no output ${rel} recorded`,
          output: '',
        });
      this.producers.set(blob.digest, node.id);
      const placeAt = node.placeAt[index];
      if (placeAt !== undefined) {
        const placed = await this.placeOutput(node, placeAt, blob, executable.has(rel));
        if (!placed.ok) return placed;
      }
    }
    const main = outputs.get(node.outputs[0] ?? '');
    if (main === undefined)
      return err({ reason: 'missing-output', message: `${node.id}: no output`, output: '' });
    return ok({ digest: main.digest, size: main.size, outputs });
  }

  /**
   * The builder for this build: its action is keyed and answered from the cache or run once, by
   * the first compile that needs it; its output is a declared input of those compiles (and is
   * re-made, like any blob, when the cache finds it corrupt).
   */
  private builderFor(signal: AbortSignal): Promise<Result<Builder, NodeFailure>> {
    this.builder ??= (async (): Promise<Result<Builder, NodeFailure>> => {
      const sdk = this.opts.sdk;
      let action: Action;
      try {
        const goCommand = path.join(sdk.goroot, 'bin', 'go');
        action = builderAction(
          await builderSources(this.opts.digester),
          sdk,
          await this.opts.digester.digest(goCommand),
        );
      } catch (e) {
        return err({
          reason: 'sandbox-io',
          message: `cannot read the builder's source or the SDK's go command: ${e instanceof Error ? e.message : String(e)}`,
          output: '',
        });
      }
      this.actions.set(BUILDER_NODE.id, { node: BUILDER_NODE, action });
      const outcome = await this.execute(BUILDER_NODE, action, signal, false);
      if (!outcome.ok) {
        this.opts.events.emit({
          type: 'action-failed',
          id: BUILDER_NODE.id,
          mnemonic: action.mnemonic,
          description: action.description,
          message: outcome.failure.message,
          output: outcome.failure.output,
        });
        return outcome;
      }
      const binary = outcome.value.result.outputs[0];
      if (binary === undefined)
        return err({
          reason: 'missing-output',
          message: 'builder: no output recorded',
          output: '',
        });
      this.producers.set(binary.digest, BUILDER_NODE.id);
      return ok(builderInput(binary.digest));
    })();
    return this.builder;
  }

  /** The node's action and key, derived again only when what they derive from changed. */
  private keyedActionFor(
    node: BuildNode,
    deps: ReadonlyMap<string, NodeValue>,
    builder: Builder | undefined,
  ): { action: Action; keyed?: KeyedAction } {
    const memo = this.opts.keyedActions;
    if (memo === undefined) return { action: this.actionFor(node, deps, builder) };
    const from = derivedFrom(node, deps, builder);
    const known = memo.get(node);
    if (known !== undefined && known.from === from) return { action: known.action, keyed: known };
    const action = this.actionFor(node, deps, builder);
    const record = actionKeyRecord(action, this.opts.sdk.identity);
    const keyed: KeyedAction = { from, action, record, key: actionKeyOf(record) };
    memo.set(node, keyed);
    return { action, keyed };
  }

  private actionFor(
    node: BuildNode,
    deps: ReadonlyMap<string, NodeValue>,
    builder: Builder | undefined,
  ): Action {
    const value = (id: string): NodeValue => {
      const v = deps.get(id);
      if (v === undefined) throw new Error(`bug: dependency ${id} of ${node.id} has no value`);
      return v;
    };
    const linkObject = (id: string): Digest => {
      const blob = value(id).linkObject;
      if (blob === undefined) throw new Error(`bug: dependency ${id} of ${node.id} is no compile`);
      return blob.digest;
    };
    switch (node.kind) {
      // Early cutoff (see compileAction): a compile's key holds its dependencies' export data
      // digests, a link's their link objects' digests. A recompile that reproduces the same export
      // data reruns no importer's compile, only the links that take its new link object.
      case 'compile':
        return compileAction(
          {
            ...node.unit,
            deps: node.deps.map((d) => ({
              importPath: d.importPath,
              exportData: value(d.nodeId).digest,
            })),
            profile: node.config.pgo?.compilerInput,
          },
          this.opts.sdk,
          node.config.platform,
          describe(node),
          this.opts.includeFiles,
          builder,
        );
      case 'link':
        return linkAction(
          {
            mainImportPath: node.mainImportPath,
            mainArchive: linkObject(node.mainNodeId),
            deps: node.deps.map((d) => ({
              importPath: d.importPath,
              archive: linkObject(d.nodeId),
            })),
            buildInfo: node.buildInfo,
            defaultGodebug: node.defaultGodebug,
            stripDebug: node.stripDebug,
            ldflags: node.ldflags,
          },
          this.opts.sdk,
          node.config.platform,
          describe(node),
        );
      case 'generic':
        return genericAction(node, (id, output) => {
          const v = value(id);
          if (output === undefined) return v;
          const blob = v.outputs?.get(output);
          if (blob === undefined) throw new Error(`bug: ${id} has no output ${output}`);
          return blob;
        });
      case 'test-run':
        return testRunAction(
          {
            pkgDir: node.dir,
            binary: value(node.linkNodeId).digest,
            binaryName: node.binaryName,
            dataFiles: node.dataFiles,
            args: node.args,
          },
          node.config.platform,
          describe(node),
        );
      default:
        return unreachable(node);
    }
  }

  /** Answers an action from the cache, or runs it; equal keys share one execution. */
  private execute(
    node: ActionOwner,
    action: Action,
    signal: AbortSignal,
    force: boolean,
    /** The action's key record and key, when already derived. */
    keyed?: { readonly record: ActionKeyRecord; readonly key: ActionKey },
  ): Promise<Result<{ result: ActionResult; status: 'executed' | 'cached' }, NodeFailure>> {
    const record = keyed?.record ?? actionKeyRecord(action, this.opts.sdk.identity);
    const key = keyed?.key ?? actionKeyOf(record);
    const pending = force ? undefined : this.inFlight.get(key);
    if (pending !== undefined) {
      // Another node with the same action (e.g. two binaries with identical profiles): share it.
      return pending
        .then((r) => (r.ok ? ok({ result: r.value.result, status: 'cached' as const }) : r))
        .then((r) => {
          if (r.ok) this.finish(node, action, key, 'cached', 0, record);
          return r;
        });
    }
    const run = (async (): Promise<
      Result<{ result: ActionResult; status: 'executed' | 'cached' }, NodeFailure>
    > => {
      const started = Date.now();
      const hit = force ? undefined : await this.opts.cache.getAction(key);
      if (hit !== undefined && hit.exitCode === 0) {
        this.finish(node, action, key, 'cached', Date.now() - started, record);
        return ok({ result: hit, status: 'cached' });
      }
      const result = await this.runAction(node, action, key, signal);
      if (!result.ok) return result;
      this.finish(node, action, key, 'executed', Date.now() - started, record);
      return ok({ result: result.value, status: 'executed' });
    })();
    this.inFlight.set(key, run);
    return run;
  }

  private finish(
    node: ActionOwner,
    action: Action,
    key: ActionKey,
    status: 'executed' | 'cached',
    durationMs: number,
    record: ReturnType<typeof actionKeyRecord>,
  ): void {
    // The builder is not a node of the analysed graph: its action-finished event is emitted, but
    // the totals (executed + cached = the analysed actions) count graph nodes only.
    if (node.kind !== 'tool') {
      const previous = this.statusOf.get(node.id);
      if (previous === undefined) this.done++;
      if (previous !== 'executed') this.statusOf.set(node.id, status);
    }
    this.opts.events.emit({
      type: 'action-finished',
      id: node.id,
      mnemonic: action.mnemonic,
      description: action.description,
      status,
      key,
      durationMs,
    });
    const pgo = node.kind === 'tool' || node.kind === 'generic' ? undefined : node.config.pgo;
    const summary = (): ReturnType<typeof summarizeKey> =>
      summarizeKey(
        key,
        record,
        pgo === undefined
          ? undefined
          : { digest: pgo.compilerInput, file: pgo.file, binary: pgo.forBinary },
      );
    this.explainWrites.push(
      this.opts.explain.record(node.id, action.mnemonic, action.description, status, key, summary),
    );
    this.progress();
  }

  private progress(): void {
    this.opts.events.emit({
      type: 'progress',
      done: this.done,
      total: this.total,
      running: [...this.running],
      downloadedBytes: this.opts.cache.stats().remote?.bytesDownloaded,
    });
  }

  private async runAction(
    node: ActionOwner,
    action: Action,
    key: ActionKey,
    signal: AbortSignal,
  ): Promise<Result<ActionResult, NodeFailure>> {
    const inputs = await this.materializeInputs(action, signal);
    if (!inputs.ok) return inputs;
    const acquired = await this.semaphore.acquire(signal);
    if (!acquired.ok) return err({ reason: 'cancelled', message: 'cancelled', output: '' });
    const release = acquired.value;
    const label = `${action.mnemonic} ${action.description}`;
    let started: number | undefined;
    const onStarted = (): void => {
      started = Date.now();
      this.running.add(label);
      this.opts.events.emit({
        type: 'action-started',
        id: node.id,
        mnemonic: action.mnemonic,
        description: action.description,
      });
      this.progress();
    };
    let executed;
    try {
      this.spawns += action.steps.filter((s) => s.kind === 'spawn').length;
      // cmd/go's token pool (gc.go, compilerConcurrency) gives every compile at least
      // min(4, GOMAXPROCS) backend workers; do the same.
      const compileConcurrency = Math.min(4, os.availableParallelism());
      executed = await this.executor.execute(
        action,
        inputs.value,
        { compileConcurrency, onStarted },
        signal,
      );
    } finally {
      release();
      this.running.delete(label);
    }
    const durationMs = started === undefined ? 0 : Date.now() - started;
    if (!executed.ok) return err(executionFailure(node, executed.failure));
    const sandbox = executed.value;
    try {
      return await storeOutputs(
        this.opts.cache,
        key,
        {
          files: await Promise.all(
            action.outputs.map(async (rel) => {
              const absPath = sandbox.outputs.get(rel) as string;
              return {
                path: rel,
                absPath,
                // A generic action's output keeps the mode its command gave it (a script made
                // executable), as Bazel keeps it; Go's tools leave theirs to pgobuild.
                executable:
                  rel === LINK_OUTPUT ||
                  rel === BUILDER_OUTPUT ||
                  (node.kind === 'generic' && ((await fsp.stat(absPath)).mode & 0o111) !== 0),
              };
            }),
          ),
          log: actionLog(node, sandbox.stdout + sandbox.stderr),
          durationMs,
        },
        this.opts.cacheDir,
      );
    } finally {
      // A removal that fails leaves only a directory in this process's sandbox base, which the
      // session removes after the run (and the next build, if this one is killed).
      this.disposals.push(sandbox.dispose().catch(() => undefined));
    }
  }

  /**
   * Makes every input available as a file: workspace and SDK files as they are, CAS blobs through
   * a verified path. A blob that is missing or corrupt (the cache reported and evicted it) is
   * rebuilt by re-running the node that produced it, without consulting the cache.
   */
  private async materializeInputs(
    action: Action,
    signal: AbortSignal,
  ): Promise<Result<MaterializedInput[], NodeFailure>> {
    const out: MaterializedInput[] = [];
    for (const input of action.inputs) {
      if (input.source.kind === 'file') {
        out.push({ path: input.path, absSource: input.source.absPath });
        continue;
      }
      if (input.source.kind === 'content') {
        out.push({ path: input.path, content: input.source.content });
        continue;
      }
      if (input.source.kind === 'host-tool') {
        out.push({ path: input.path, absSource: input.source.absPath });
        continue;
      }
      const executable = input.executable === true;
      let blob = await this.opts.cache.verifiedPath(input.digest, executable);
      if (blob === undefined) {
        const rebuilt = await this.rebuild(input.digest, signal);
        if (!rebuilt.ok) return rebuilt;
        blob = await this.opts.cache.verifiedPath(input.digest, executable);
      }
      if (blob === undefined) {
        return err({
          reason: 'missing-input',
          message: `input ${input.path} (${input.digest.slice(0, 12)}…) is missing from the cache and its producer did not reproduce it`,
          output: '',
        });
      }
      out.push({ path: input.path, absSource: blob });
    }
    return ok(out);
  }

  private async rebuild(digest: Digest, signal: AbortSignal): Promise<Result<void, NodeFailure>> {
    const producerId = this.producers.get(digest);
    const producer = producerId === undefined ? undefined : this.actions.get(producerId);
    if (producer === undefined) {
      return err({
        reason: 'missing-input',
        message: `blob ${digest.slice(0, 12)}… is missing from the cache and no action of this build produces it`,
        output: '',
      });
    }
    const result = await this.execute(producer.node, producer.action, signal, true);
    return result.ok ? ok(undefined) : result;
  }

  /** Copies an output to its stable path under pgobuild-out unless it is already there. */
  private async placeOutput(
    node: LinkNode | GenericActionNode,
    outputPath: string,
    blob: { digest: Digest; size: number },
    executable: boolean,
  ): Promise<Result<void, NodeFailure>> {
    const dest = path.join(this.opts.root, outputPath);
    try {
      const st = await fsp.stat(dest);
      if (st.size === blob.size && (await this.opts.digester.digest(dest)) === blob.digest)
        return ok(undefined);
    } catch {
      // Not there yet.
    }
    let placed = await this.opts.cache.materialize(blob.digest, dest, executable, blob.size);
    if (!placed) {
      const rebuilt = await this.rebuild(blob.digest, this.opts.signal);
      if (!rebuilt.ok) return rebuilt;
      placed = await this.opts.cache.materialize(blob.digest, dest, executable, blob.size);
    }
    if (!placed)
      return err({
        reason: 'missing-output',
        message: `could not place ${outputPath}`,
        output: '',
      });
    this.opts.digester.forget(dest);
    this.opts.events.emit({ type: 'output', target: node.owner, path: outputPath });
    return ok(undefined);
  }
}

/** Progress/explain description: owner plus the profile digest when the configuration has one. */
export function describe(node: BuildNode): string {
  if (node.kind === 'generic') return node.description;
  const pgo = node.config.pgo;
  return pgo === undefined ? node.owner : `${node.owner} [pgo ${pgo.compilerInput.slice(0, 8)}…]`;
}

/**
 * What an action printed, to keep with its result: a test run's whole log (its value), a
 * compile's diagnostics when it printed any (`-m` output); nothing for links, which print
 * nothing on success.
 */
function actionLog(node: ActionOwner, printed: string): Uint8Array | undefined {
  if (node.kind === 'test-run') return Buffer.from(printed);
  if (node.kind === 'compile' && printed !== '') return Buffer.from(printed);
  return undefined;
}

function mnemonicOf(node: BuildNode): string {
  switch (node.kind) {
    case 'compile':
      return 'GoCompile';
    case 'link':
      return 'GoLink';
    case 'test-run':
      return 'GoTestRun';
    case 'generic':
      return node.mnemonic;
    default:
      return unreachable(node);
  }
}

function executionFailure(node: ActionOwner, f: ExecutionFailure): NodeFailure {
  switch (f.reason) {
    case 'action-failed':
      if (node.kind === 'test-run' && f.exitCode !== null) {
        return {
          reason: 'test-failed',
          message: `test exited with status ${f.exitCode}`,
          output: f.output,
        };
      }
      if (node.kind === 'generic')
        return {
          reason: 'action-failed',
          message:
            f.exitCode !== null
              ? `command of ${node.owner} exited with status ${f.exitCode}`
              : `command of ${node.owner} killed by ${f.signal}`,
          output: f.output,
        };
      return {
        reason: 'action-failed',
        message:
          f.exitCode !== null
            ? `${path.basename(f.argv[0] ?? '')} exited with status ${f.exitCode}`
            : `${path.basename(f.argv[0] ?? '')} killed by ${f.signal}`,
        output: f.output,
      };
    case 'missing-output':
      return {
        reason: 'missing-output',
        message:
          node.kind === 'generic'
            ? `${node.owner} did not create its declared output ${f.path}${node.mnemonic === 'Genrule' ? ` (out '${path.posix.basename(f.path)}')` : ''}`
            : `declared output ${f.path} was not created`,
        output: '',
      };
    case 'cancelled':
      return { reason: 'cancelled', message: 'cancelled', output: '' };
    case 'sandbox-io':
      return { reason: 'sandbox-io', message: f.message, output: '' };
    default:
      return unreachable(f);
  }
}
