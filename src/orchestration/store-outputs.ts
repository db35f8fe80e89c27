import type { ActionKey } from '../actions';
import type { ActionCache, ActionResult, OutputFile } from '../cache';
import { type Result, err, ok } from '../util';

/** Why storing an action's outputs failed: the cache's file system refused the write. */
export interface CacheWriteFailure {
  readonly reason: 'cache-write';
  readonly message: string;
  readonly output: string;
}

/** What an action left in its sandbox, to be stored. */
export interface ProducedOutputs {
  /** Declared output path → absolute path of the file in the sandbox (moved into the CAS). */
  readonly files: readonly {
    readonly path: string;
    readonly absPath: string;
    readonly executable: boolean;
  }[];
  /**
   * What the action printed (stdout + stderr), stored as the result's stdout: a test run's log,
   * or a compile's diagnostics (`-m`, vet-like warnings), which cmd/go also keeps and replays.
   */
  readonly log?: Uint8Array;
  readonly durationMs: number;
}

/** File-system errors that are the environment's (full disk, read-only mount), not bugs. */
const ENVIRONMENT_ERRNOS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EFBIG: 'file too large',
};

/**
 * Stores an action's outputs and then its result in the cache (the result last, so an action
 * record never names a blob that is not there). A full disk or a read-only cache is a failure
 * value naming the path and saying what to do; what was stored before it stays valid, so the next
 * build keeps every result that fit. Other exceptions are bugs and propagate.
 *
 * @param cacheDir the disk cache root, named in the message
 */
export async function storeOutputs(
  cache: ActionCache,
  key: ActionKey,
  produced: ProducedOutputs,
  cacheDir: string,
): Promise<Result<ActionResult, CacheWriteFailure>> {
  try {
    const outputs: OutputFile[] = [];
    for (const f of produced.files) {
      const stored = await cache.putFile(f.absPath, { move: true });
      outputs.push({
        path: f.path,
        digest: stored.digest,
        size: stored.size,
        executable: f.executable,
      });
    }
    let stdout: ActionResult['stdout'];
    if (produced.log !== undefined) {
      stdout = { digest: await cache.putBlob(produced.log), size: produced.log.length };
    }
    const result: ActionResult = {
      outputs,
      exitCode: 0,
      stdout,
      metadata: { durationMs: String(produced.durationMs) },
    };
    await cache.putAction(key, result);
    return ok(result);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    const what = code === undefined ? undefined : ENVIRONMENT_ERRNOS[code];
    if (what === undefined) throw e;
    const where = (e as NodeJS.ErrnoException).path ?? cacheDir;
    const advice =
      code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG'
        ? `free space on that disk, lower --disk_cache_max_size or point --disk_cache at a larger disk, then build again (the results stored so far are kept)`
        : `make ${cacheDir} writable or point --disk_cache at a writable directory, then build again`;
    return err({
      reason: 'cache-write',
      message: `cannot write to the disk cache ${cacheDir}: ${what} (${where}); ${advice}`,
      output: '',
    });
  }
}
