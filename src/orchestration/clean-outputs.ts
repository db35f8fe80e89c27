import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { type Result, err, ok } from '../util';
import { commandSession } from './command-session';
import type { SessionOptions } from './session';

/** What `pgobuild clean` removed. */
export interface Cleaned {
  /** The workspace's output directory (`pgobuild-out`). */
  readonly outputDir: string;
  /** The disk cache, with `--expunge`. */
  readonly diskCache?: string;
}

/**
 * `pgobuild clean [--expunge]`: removes the workspace's `pgobuild-out` and, with `expunge`, the
 * disk cache. Returns what it removed, or the exit code when there is no workspace.
 */
export async function cleanOutputs(
  opts: SessionOptions,
  expunge: boolean,
): Promise<Result<Cleaned, number>> {
  const s = await commandSession(opts);
  if (typeof s === 'number') return err(s);
  const outputDir = path.join(s.root, 'pgobuild-out');
  await fsp.rm(outputDir, { recursive: true, force: true });
  if (!expunge) return ok({ outputDir });
  await fsp.rm(opts.diskCache, { recursive: true, force: true });
  return ok({ outputDir, diskCache: opts.diskCache });
}
