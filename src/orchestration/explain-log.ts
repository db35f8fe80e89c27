import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { ActionKeyRecord } from '../actions';
import type { ActionStatus } from '../events';
import { writeFileAtomically } from '../util';
import { writeFileAtomicallySync } from '../util/atomic-write';

/** Bumped when the stored format changes; an older file is ignored. */
const EXPLAIN_LOG_VERSION = 3;

/**
 * How many files the key records are spread over: an edit's build reads and writes the few that
 * hold its executed nodes, not every node's records (megabytes in a large workspace).
 */
const RECORD_SHARDS = 64;

/** What the explain log keeps of an action's key record: enough to name what changed. */
export interface KeySummary {
  readonly key: string;
  readonly toolchain: string;
  /** SHA-256 of the steps (argv, written files) and of the environment. */
  readonly steps: string;
  readonly env: string;
  readonly inputs: Readonly<Record<string, string>>;
  /** The profile of the node's configuration, if any. */
  readonly pgo?: { readonly digest: string; readonly file: string; readonly binary: string };
}

/** One action of the last build, as `pgobuild explain` reports it. */
export interface ExplainEntry {
  readonly mnemonic: string;
  readonly description: string;
  readonly status: ActionStatus;
  /** For executed actions: why (which key components differ from the previous run of this node). */
  readonly reasons: readonly string[];
}

/** The last build: small, read and written on every build. */
interface LastBuildFile {
  readonly version: number;
  readonly entries: Record<string, ExplainEntry>;
  /** Key of each node in its latest run, to tell whether `records` needs updating. */
  readonly keys: Record<string, string>;
  /**
   * The nodes the latest build that executed any action executed (kept through null builds, and
   * through a replay settling the entries): where the next edit most likely is.
   */
  readonly recentlyExecuted?: readonly string[];
}

/** One shard's key summaries across builds, read and written when a key of theirs changes. */
interface RecordsFile {
  readonly version: number;
  readonly records: Record<string, KeySummary>;
}

/**
 * Remembers, per graph node, the key components of its last run, so that `pgobuild explain` can
 * say for every action of the last build whether it was cached or executed and, if executed,
 * which key component changed. Stored under `pgobuild-out/.pgobuild/`: `last-build.json` (small)
 * and `key-records/NN.json` (the key components of the nodes of shard NN, see
 * {@link shardOf}; a shard is read and written only when one of its nodes' keys changed, so a null
 * build touches none and an edit's build the few holding what it executed).
 */
export class ExplainLog {
  /** Shard → its records, loaded once; concurrent callers share the one load (and object). */
  private readonly shards = new Map<number, Promise<Record<string, KeySummary>>>();
  private readonly changedShards = new Set<number>();
  private entries_: Record<string, ExplainEntry> = {};

  private constructor(
    private readonly dir: string,
    private readonly previousEntries: Record<string, ExplainEntry>,
    private readonly keys: Record<string, string>,
    private readonly previouslyExecuted: readonly string[],
  ) {}

  /** Opens the log of a workspace (empty if absent or from another version). */
  static async open(root: string): Promise<ExplainLog> {
    const dir = path.join(root, 'pgobuild-out', '.pgobuild');
    const last = await readJson<LastBuildFile>(path.join(dir, 'last-build.json'));
    return new ExplainLog(
      dir,
      last?.entries ?? {},
      last?.keys ?? {},
      last === undefined ? [] : recentlyExecutedOf(last),
    );
  }

  /** The entries of the last build, by node id. */
  entries(): Readonly<Record<string, ExplainEntry>> {
    return this.previousEntries;
  }

  /** The nodes the latest build that executed actions executed (see {@link LastBuildFile}). */
  recentlyExecuted(): readonly string[] {
    return this.previouslyExecuted;
  }

  /** Starts recording a new build. */
  beginBuild(): void {
    this.entries_ = {};
  }

  /** Records one action of the current build; `summary` is computed only when it is needed. */
  async record(
    nodeId: string,
    mnemonic: string,
    description: string,
    status: ActionStatus,
    key: string,
    summary: () => KeySummary,
  ): Promise<void> {
    if (status === 'cached' && this.keys[nodeId] === key) {
      this.entries_[nodeId] = { mnemonic, description, status, reasons: [] };
      return;
    }
    const shard = shardOf(nodeId);
    const records = await this.loadShard(shard);
    const current = summary();
    const reasons =
      status === 'executed'
        ? changedComponents(
            records[nodeId] ?? records[otherProfileVariant(nodeId, records)],
            current,
          )
        : [];
    this.entries_[nodeId] = { mnemonic, description, status, reasons };
    records[nodeId] = current;
    this.keys[nodeId] = key;
    this.changedShards.add(shard);
  }

  private loadShard(shard: number): Promise<Record<string, KeySummary>> {
    let load = this.shards.get(shard);
    if (load === undefined) {
      load = readJson<RecordsFile>(this.shardPath(shard)).then((file) => file?.records ?? {});
      this.shards.set(shard, load);
    }
    return load;
  }

  private shardPath(shard: number): string {
    return path.join(this.dir, 'key-records', `${String(shard).padStart(2, '0')}.json`);
  }

  /** Writes the log atomically. */
  async save(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    const last: LastBuildFile = {
      version: EXPLAIN_LOG_VERSION,
      entries: this.entries_,
      keys: this.keys,
      recentlyExecuted: recentlyExecutedOf({
        entries: this.entries_,
        recentlyExecuted: this.previouslyExecuted,
      }),
    };
    await writeJsonAtomically(path.join(this.dir, 'last-build.json'), last);
    if (this.changedShards.size === 0) return;
    await fsp.mkdir(path.join(this.dir, 'key-records'), { recursive: true });
    for (const shard of this.changedShards) {
      const records = await this.loadShard(shard);
      await writeJsonAtomically(this.shardPath(shard), {
        version: EXPLAIN_LOG_VERSION,
        records,
      } satisfies RecordsFile);
    }
    this.changedShards.clear();
    // The single file of the previous format, if any: nothing reads it any more.
    await fsp.rm(path.join(this.dir, 'key-records.json'), { force: true });
  }
}

/**
 * Makes the last build's log say what a null build right after it would: every action cached, for
 * no reason. The up-to-date check calls it when it answers for a build that executed actions.
 */
export function settleExplainLog(root: string): void {
  const file = path.join(root, 'pgobuild-out', '.pgobuild', 'last-build.json');
  let last: LastBuildFile;
  try {
    last = JSON.parse(fs.readFileSync(file, 'utf8')) as LastBuildFile;
  } catch {
    return; // no log (removed since): explain says so, as after any build without one
  }
  if (last.version !== EXPLAIN_LOG_VERSION) return;
  if (Object.values(last.entries).every((e) => e.status === 'cached')) return;
  const entries: Record<string, ExplainEntry> = {};
  for (const [id, e] of Object.entries(last.entries))
    entries[id] = { ...e, status: 'cached', reasons: [] };
  const settled: LastBuildFile = { ...last, entries, recentlyExecuted: recentlyExecutedOf(last) };
  writeFileAtomicallySync(file, JSON.stringify(settled));
}

/** A log's executed nodes, else those it carried over from an earlier build. */
function recentlyExecutedOf(
  last: Pick<LastBuildFile, 'entries' | 'recentlyExecuted'>,
): readonly string[] {
  const executed = Object.keys(last.entries).filter(
    (id) => last.entries[id]?.status === 'executed',
  );
  return executed.length > 0 ? executed : (last.recentlyExecuted ?? []);
}

async function readJson<T extends { version: number }>(file: string): Promise<T | undefined> {
  try {
    const parsed = JSON.parse(await fsp.readFile(file, 'utf8')) as T;
    return parsed.version === EXPLAIN_LOG_VERSION ? parsed : undefined;
  } catch {
    return undefined; // no previous build, or a damaged log: start fresh
  }
}

function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  return writeFileAtomically(file, JSON.stringify(value));
}

/** Summarises a key record for the explain log. */
export function summarizeKey(
  key: string,
  record: ActionKeyRecord,
  pgo: KeySummary['pgo'],
): KeySummary {
  const hash = (v: unknown): string => createHash('sha256').update(JSON.stringify(v)).digest('hex');
  return {
    key,
    toolchain: record.toolchain,
    steps: hash(record.steps),
    env: hash(record.env),
    inputs: Object.fromEntries(record.inputs),
    pgo,
  };
}

const short = (d: string): string => `${d.slice(0, 12)}…`;

/**
 * The shard of a node's key records: of its id without the profile part of its configuration, so
 * that both variants of a package (with and without a profile) share one, where
 * {@link otherProfileVariant} looks.
 */
function shardOf(nodeId: string): number {
  const digest = createHash('sha256').update(nodeId.replace(PROFILE_SUFFIX, '')).digest();
  return digest.readUInt32BE(0) % RECORD_SHARDS;
}

/** The profile part of a node id's configuration (see {@link otherProfileVariant}). */
const PROFILE_SUFFIX = / pgo\[[^\]]*\]$/;

/**
 * A node's configuration names its binary's profile (`…@linux_amd64 pgo[//cmd/api]`), so adding
 * or removing a profile gives the node a new id. The same package's record in the other variant
 * (without, or with, a profile) lets explain say "profile added" instead of "first build".
 */
function otherProfileVariant(nodeId: string, records: Record<string, KeySummary>): string {
  const withoutProfile = nodeId.replace(PROFILE_SUFFIX, '');
  if (withoutProfile !== nodeId) return withoutProfile;
  return Object.keys(records).find((id) => id.startsWith(`${nodeId} pgo[`)) ?? nodeId;
}

/** Names what differs between the previous and the current key of a node. */
function changedComponents(previous: KeySummary | undefined, current: KeySummary): string[] {
  if (previous === undefined) return ['first build of this action (no previous run recorded)'];
  if (previous.key === current.key)
    return [
      'same key as its previous run, but the result was not in the cache (cache cleared, evicted or corrupted)',
    ];
  const reasons: string[] = [];
  if (previous.toolchain !== current.toolchain)
    reasons.push(`toolchain changed (${short(previous.toolchain)} → ${short(current.toolchain)})`);
  const oldPgo = previous.pgo?.digest;
  const newPgo = current.pgo?.digest;
  if (oldPgo !== newPgo) {
    const binary = current.pgo?.binary ?? previous.pgo?.binary ?? '?';
    const file = current.pgo?.file ?? previous.pgo?.file ?? '?';
    reasons.push(
      oldPgo === undefined
        ? `profile added: ${short(newPgo ?? '')} (profile ${file} of binary ${binary}; built without a profile before)`
        : newPgo === undefined
          ? `profile removed: ${short(oldPgo)} (binary ${binary} is now built without a profile)`
          : `profile changed: ${short(oldPgo)} → ${short(newPgo)} (profile ${file} of binary ${binary})`,
    );
  }
  if (previous.steps !== current.steps) reasons.push('command line or generated files changed');
  if (previous.env !== current.env) reasons.push('environment changed');
  const changedInputs: string[] = [];
  for (const [p, d] of Object.entries(current.inputs)) {
    const before = previous.inputs[p];
    if (before === undefined) changedInputs.push(`input added: ${p}`);
    else if (before !== d)
      changedInputs.push(`input changed: ${p} (${short(before)} → ${short(d)})`);
  }
  for (const p of Object.keys(previous.inputs))
    if (!(p in current.inputs)) changedInputs.push(`input removed: ${p}`);
  // A refreshed profile changes every dependency archive too; keep the message to the point.
  const limit = 10;
  reasons.push(...changedInputs.slice(0, limit));
  if (changedInputs.length > limit)
    reasons.push(`… and ${changedInputs.length - limit} more inputs changed`);
  return reasons;
}
