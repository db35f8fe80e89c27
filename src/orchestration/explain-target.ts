import { EXIT, type Result, err, ok } from '../util';
import { parseLabel } from '../workspace';
import { describe } from './build-runner';
import { commandSession } from './command-session';
import { ExplainLog } from './explain-log';
import { type SessionOptions, analyze, reportFailures } from './session';

/** One action of an explained target: what its last build did with it, and why. */
export type ExplainedAction =
  | { readonly id: string; readonly description: string; readonly status: 'not-built' }
  | {
      readonly id: string;
      readonly description: string;
      readonly status: 'executed' | 'cached';
      readonly mnemonic: string;
      /** Why it ran: the key components that changed (empty when cached). */
      readonly reasons: readonly string[];
    };

/** The answer of `pgobuild explain`. */
export interface Explanation {
  /** Every action of the target's graph, in graph order. */
  readonly actions: readonly ExplainedAction[];
  readonly executed: number;
  readonly cached: number;
}

/**
 * `pgobuild explain <target>`: for every action of the target's graph, whether the last build
 * ran it or took it from the cache and, if it ran, which key component changed. A bad label or
 * BUILD error is reported and its exit code returned.
 */
export async function explainTarget(
  opts: SessionOptions,
  target: string,
): Promise<Result<Explanation, number>> {
  const s = await commandSession(opts);
  if (typeof s === 'number') return err(s);
  const parts = parseLabel(target, s.cwdPkg);
  if (!parts.ok) {
    await reportFailures(
      s.root,
      [{ reason: 'bad-label', message: parts.failure.message }],
      opts.events,
    );
    return err(EXIT.usage);
  }
  const analysed = await analyze(s, [target], undefined);
  if (!analysed.ok) {
    await reportFailures(s.root, analysed.failure, opts.events);
    return err(EXIT.usage);
  }
  const entries = (await ExplainLog.open(s.root)).entries();
  const actions: ExplainedAction[] = [];
  let executed = 0;
  let cached = 0;
  for (const node of analysed.value.graph.nodes.values()) {
    const entry = entries[node.id];
    if (entry === undefined) {
      actions.push({ id: node.id, description: describe(node), status: 'not-built' });
      continue;
    }
    if (entry.status === 'executed') executed++;
    else cached++;
    actions.push({
      id: node.id,
      description: entry.description,
      status: entry.status,
      mnemonic: entry.mnemonic,
      reasons: entry.reasons,
    });
  }
  return ok({ actions, executed, cached });
}
