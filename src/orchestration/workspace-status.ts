import { spawnSync } from 'node:child_process';
import { type Result, err, ok } from '../util';

/**
 * Runs `--workspace_status_command` as Bazel does: in the workspace root (through `/bin/sh -c`,
 * so a relative script path and arguments work), reading `KEY value` lines from its standard
 * output (the value is the rest of the line; a line without a value gives an empty one). A
 * command that fails or cannot start is an error naming the flag. Without a command there are no
 * values. Every value is part of the link keys of binaries whose `x_defs` use it (Bazel's
 * volatile keys, which do not cause relinks, are not distinguished).
 */
export function workspaceStatus(
  command: string | undefined,
  root: string,
): Result<Map<string, string>, string> {
  const values = new Map<string, string>();
  if (command === undefined) return ok(values);
  const r = spawnSync('/bin/sh', ['-c', command], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 16 << 20,
    timeout: 60_000,
  });
  if (r.error !== undefined)
    return err(`--workspace_status_command ${command}: ${r.error.message}`);
  if (r.status !== 0) {
    const why = r.status === null ? `killed by ${r.signal ?? 'a signal'}` : `exit ${r.status}`;
    const detail = r.stderr.trim() === '' ? '' : `: ${r.stderr.trim()}`;
    return err(`--workspace_status_command ${command} failed (${why})${detail}`);
  }
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S+)(?:[ \t]+(.*))?$/.exec(line.replace(/\r$/, ''));
    if (m !== null) values.set(m[1] as string, m[2] ?? '');
  }
  return ok(values);
}
