import * as path from 'node:path';
import { generateBuildFiles } from '../generate';
import { formatDiagnostic } from '../util/diagnostic';
import { type Diagnostic, EXIT } from '../util';
import { findWorkspaceRoot } from '../workspace/workspace-root';
import type { CommonArgs } from './commands';

/**
 * `pgobuild generate [PATTERN…]`: writes or updates BUILD.bazel files from the Go sources (see
 * src/generate). Events: `command-started`, a `diagnostic` per warning or error, an `output`
 * event per BUILD file written (`target` is `created` or `updated`), and `command-finished` whose
 * `executed` counts the files written and `cached` those already up to date. Exit code 2 when a
 * pattern, a BUILD file or a go.mod could not be read (those directories are left alone), else 0.
 */
export async function generateCommand(
  args: CommonArgs,
  patterns: readonly string[],
): Promise<number> {
  const started = Date.now();
  args.events.emit({ type: 'command-started', command: 'generate', patterns, jobs: args.jobs });
  const finish = (exitCode: number, executed: number, cached: number, failed: number): number => {
    args.events.emit({
      type: 'command-finished',
      exitCode,
      executed,
      cached,
      failed,
      durationMs: Date.now() - started,
      spawns: 0,
    });
    return exitCode;
  };
  const root = await findWorkspaceRoot(args.cwd);
  if (root === undefined) {
    emitMessage(args, 'no WORKSPACE or WORKSPACE.bazel file here or in any parent directory');
    return finish(EXIT.usage, 0, 0, 1);
  }
  const rel = path.relative(root, args.cwd).split(path.sep).join('/');
  const report = generateBuildFiles(root, patterns, rel.startsWith('..') ? '' : rel);
  if (!report.ok) {
    emitMessage(args, report.failure);
    return finish(EXIT.usage, 0, 0, 1);
  }
  const { changed, unchanged, warnings, errors } = report.value;
  for (const d of [...errors, ...warnings]) emitDiagnostic(args, d);
  for (const c of changed) {
    args.events.emit({ type: 'output', target: c.change, path: c.path });
    if (args.output === 'human') process.stderr.write(`${c.change} ${c.path}\n`);
  }
  return finish(errors.length > 0 ? EXIT.usage : EXIT.ok, changed.length, unchanged, errors.length);
}

function emitDiagnostic(args: CommonArgs, d: Diagnostic): void {
  args.events.emit({
    type: 'diagnostic',
    severity: d.severity,
    file: d.span.file,
    line: d.span.line,
    col: d.span.col,
    message: d.message,
    formatted:
      d.sourceLine === '' ? `${d.span.file}: ${d.severity}: ${d.message}` : formatDiagnostic(d),
  });
}

function emitMessage(args: CommonArgs, message: string): void {
  args.events.emit({
    type: 'diagnostic',
    severity: 'error',
    message,
    formatted: `error: ${message}`,
  });
}
