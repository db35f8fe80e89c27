import { createHash } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { ActionKeyRecord } from '../actions';
import type { ActionStatus } from '../events';

/** Bumped when the stored format changes; an older file is ignored. */
const EXPLAIN_LOG_VERSION = 1;

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

interface ExplainFile {
  readonly version: number;
  /** Last key summary seen for each node id, across builds. */
  readonly records: Record<string, KeySummary>;
  /** The last build's actions. */
  readonly lastBuild: Record<string, ExplainEntry>;
}

/**
 * Remembers, per graph node, the key components of its last run, so that `pgobuild explain` can
 * say for every action of the last build whether it was cached or executed and, if executed,
 * which key component changed. Stored under `pgobuild-out/.pgobuild/explain.json`.
 */
export class ExplainLog {
  private constructor(
    private readonly file: string,
    private readonly records: Record<string, KeySummary>,
    private readonly lastBuild: Record<string, ExplainEntry>,
  ) {}

  /** Opens the log of a workspace (empty if absent or from another version). */
  static async open(root: string): Promise<ExplainLog> {
    const file = path.join(root, 'pgobuild-out', '.pgobuild', 'explain.json');
    try {
      const parsed = JSON.parse(await fsp.readFile(file, 'utf8')) as ExplainFile;
      if (parsed.version === EXPLAIN_LOG_VERSION)
        return new ExplainLog(file, parsed.records, parsed.lastBuild);
    } catch {
      // No previous build (or a damaged log): start fresh.
    }
    return new ExplainLog(file, {}, {});
  }

  /** The entries of the last build, by node id. */
  entries(): Readonly<Record<string, ExplainEntry>> {
    return this.lastBuild;
  }

  /** Starts recording a new build: the previous build's entries are replaced as nodes report. */
  beginBuild(): void {
    for (const k of Object.keys(this.lastBuild)) delete this.lastBuild[k];
  }

  /** Records one action of the current build. */
  record(
    nodeId: string,
    mnemonic: string,
    description: string,
    status: ActionStatus,
    summary: KeySummary,
  ): void {
    const previous = this.records[nodeId];
    const reasons = status === 'executed' ? changedComponents(previous, summary) : [];
    this.lastBuild[nodeId] = { mnemonic, description, status, reasons };
    this.records[nodeId] = summary;
  }

  /** Writes the log atomically. */
  async save(): Promise<void> {
    await fsp.mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const data: ExplainFile = {
      version: EXPLAIN_LOG_VERSION,
      records: this.records,
      lastBuild: this.lastBuild,
    };
    await fsp.writeFile(tmp, JSON.stringify(data));
    await fsp.rename(tmp, this.file);
  }
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
      `profile changed: ${oldPgo === undefined ? 'none' : short(oldPgo)} → ${newPgo === undefined ? 'none' : short(newPgo)} (profile ${file} of binary ${binary})`,
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
