import type { BuildGraph } from '../analysis';
import type { BuildEvent } from '../events';
import type { Session } from './session';
import type { RecordedInputs } from './up-to-date';

/**
 * A warm server's last analysis: the session and graph of its last successful build, with what
 * that build depended on. The next build of the same request starts from it when the only change
 * is Go sources edited without touching their headers (build-and-run.ts, source-patch.ts),
 * instead of loading and analysing the workspace again. Only the server keeps one: a batch process
 * ends with its command. A build takes it before anything else, so a build whose analysis failed,
 * one that was interrupted, or one that found more changed than this can answer never leaves one
 * behind; a build whose actions failed does (its analysis stands, and the next build is most
 * likely the fix).
 */
export interface RetainedAnalysis {
  readonly session: Session;
  readonly graph: BuildGraph;
  /** How many targets the patterns named. */
  readonly targets: number;
  /** What analysis emitted (profiles preprocessed, …), as a null build emits it. */
  readonly analysisEvents: readonly BuildEvent[];
  /** Profile preprocessing actions analysis ran or found cached (all cached next time). */
  readonly profileActions: number;
  /** What the build depended on, as recorded for the up-to-date check. */
  readonly inputs: RecordedInputs;
}

let retaining = false;
let last: RetainedAnalysis | undefined;

/** Called once by the server: from then on each successful build keeps its analysis. */
export function retainAnalyses(): void {
  retaining = true;
}

/** Whether builds keep their analysis (in the server): what only that needs can be skipped. */
export function retainingAnalyses(): boolean {
  return retaining;
}

/** Keeps a build's analysis for the next build (in the server only). */
export function retainAnalysis(analysis: RetainedAnalysis): void {
  if (retaining) last = analysis;
}

/** The analysis the last build kept, if any; none is kept any longer. */
export function takeRetainedAnalysis(): RetainedAnalysis | undefined {
  const taken = last;
  last = undefined;
  return taken;
}
