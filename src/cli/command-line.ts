import type { RemoteCacheOptions } from '../cache/remote/remote-cache-options';
import type { Result } from '../util/result';
import { err, ok } from '../util/result';
import { findWorkspaceRoot } from '../workspace/workspace-root';
import { type SourcedArg, rcArgsFor, readRcFile } from './rc-file';
import { extractRemoteFlags, remoteCacheOptions } from './remote-flags';

/** The commands whose name selects `.pgobuildrc` lines. */
const COMMANDS = new Set(['build', 'test', 'run', 'query', 'explain', 'generate', 'clean', 'pgo']);

/** The arguments yargs parses, and the validated remote cache set-up. */
export interface PreparedCommandLine {
  readonly argv: readonly string[];
  readonly remoteCache: RemoteCacheOptions | undefined;
}

/**
 * Expands the command line with the workspace's `.pgobuildrc` (its lines for the command go
 * right after the command name, so flags on the command line win), then takes out and validates
 * the remote cache flags. A failure is a usage error message naming the flag and its origin.
 */
export async function prepareCommandLine(
  argv: readonly string[],
  cwd: string,
): Promise<Result<PreparedCommandLine, string>> {
  const fromCli = (arg: string): SourcedArg => ({ arg, origin: 'command line', baseDir: cwd });
  const end = argv.indexOf('--');
  const commandAt = argv.findIndex((a, i) => COMMANDS.has(a) && (end === -1 || i < end));
  let args: SourcedArg[] = argv.map(fromCli);
  if (commandAt !== -1) {
    const root = await findWorkspaceRoot(cwd);
    if (root !== undefined) {
      const rc = await readRcFile(root);
      if (!rc.ok) return err(rc.failure.message);
      const command = argv[commandAt] as string;
      args = [
        ...args.slice(0, commandAt + 1),
        ...rcArgsFor(command, rc.value, root),
        ...args.slice(commandAt + 1),
      ];
    }
  }
  const extracted = extractRemoteFlags(args);
  if (!extracted.ok) return extracted;
  const remoteCache = await remoteCacheOptions(extracted.value.uses);
  if (!remoteCache.ok) return remoteCache;
  return ok({ argv: extracted.value.rest.map((a) => a.arg), remoteCache: remoteCache.value });
}
