// Only light modules are imported eagerly: a null build answered by the up-to-date check must not
// pay for loading analysis, the executor or the cache (build-and-run.ts loads on first use).
import { findWorkspaceRoot } from '../workspace/workspace-root';
import { EXIT } from '../util/exit-code';
import type { SessionOptions } from './session';
import { replayIfUpToDate, upToDateRequest } from './up-to-date';

/**
 * `pgobuild build <patterns>`: answered at once by the up-to-date check when the last build was
 * the same null build and nothing it read changed; otherwise analyses and runs the actions. Emits
 * `command-started` … `command-finished` on `opts.events`; returns the exit code.
 */
export async function runBuild(opts: SessionOptions, patterns: readonly string[]): Promise<number> {
  const started = Date.now();
  const root = await findWorkspaceRoot(opts.cwd);
  // With --stamp the status command's output may have changed: never answer from a recording.
  if (
    root !== undefined &&
    opts.stamp !== true &&
    replayIfUpToDate(root, upToDateRequest(opts, patterns), opts.jobs, opts.events, started)
  )
    return EXIT.ok;
  return (await import('./build-and-run')).buildTargets(opts, patterns);
}
