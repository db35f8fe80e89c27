// The commands as the CLI sees them: each calls its orchestration function (src/orchestration)
// and prints the answer; flags are parsed in main.ts. Loaded on first use (see main.ts).
import {
  type SessionOptions,
  cleanOutputs,
  explainTarget,
  queryTargets,
  runBinary,
  runTests,
} from '../orchestration';
import { EXIT } from '../util';
import type { TestFlags } from './test-flags';
import { TestOutputFilter } from './test-output-filter';

/** What every command receives from the CLI layer. */
export interface CommonArgs extends SessionOptions {
  readonly output: 'human' | 'json';
  /** `--verbose`: longer human output (explain lists cached actions too). */
  readonly verbose?: boolean;
}

/**
 * `pgobuild test <patterns>`: builds and runs go_test targets; passing results are cached, keyed
 * also on the test arguments (`--test_filter`, `--test_arg`, after `--`). `--test_output` decides
 * which tests' output the human log prints.
 */
export async function testCommand(
  args: CommonArgs,
  patterns: readonly string[],
  flags: TestFlags = { run: { args: [] }, output: 'errors' },
): Promise<number> {
  const events = new TestOutputFilter(args.events, flags.output);
  return runTests({ ...args, events }, patterns, flags.run);
}

/** `pgobuild run <target> -- args`: builds one go_binary and runs it with the terminal attached. */
export function runCommand(
  args: CommonArgs,
  target: string,
  programArgs: readonly string[],
): Promise<number> {
  return runBinary(args, target, programArgs);
}

/** `pgobuild clean [--expunge]`: says what it removed. */
export async function cleanCommand(args: CommonArgs, expunge: boolean): Promise<number> {
  const cleaned = await cleanOutputs(args, expunge);
  if (!cleaned.ok) return cleaned.failure;
  const { outputDir, diskCache } = cleaned.value;
  if (args.output === 'human')
    process.stderr.write(
      `Removed ${outputDir}${diskCache !== undefined ? ` and the disk cache ${diskCache}` : ` (the disk cache ${args.diskCache} is kept; --expunge removes it)`}\n`,
    );
  return EXIT.ok;
}

/**
 * `pgobuild query <expr>`: `//pattern`, `deps(expr)`, `rdeps(universe, expr)`, `kind('go_binary', expr)`.
 * Prints labels, one per line, sorted (as `bazel query` does).
 */
export async function queryCommand(args: CommonArgs, expression: string): Promise<number> {
  const labels = await queryTargets(args, expression);
  if (!labels.ok) return labels.failure;
  if (args.output === 'json')
    process.stdout.write(`${JSON.stringify({ type: 'query-result', labels: labels.value })}\n`);
  else process.stdout.write(labels.value.map((l) => `${l}\n`).join(''));
  return EXIT.ok;
}

/**
 * `pgobuild explain <target>`: for every action of the target's graph, whether the last build
 * ran it or took it from the cache and, if it ran, which key component changed.
 */
export async function explainCommand(args: CommonArgs, target: string): Promise<number> {
  const explained = await explainTarget(args, target);
  if (!explained.ok) return explained.failure;
  const { actions, executed, cached } = explained.value;
  if (args.output === 'json') {
    for (const a of actions) process.stdout.write(`${JSON.stringify({ type: 'explain', ...a })}\n`);
    return EXIT.ok;
  }
  const line = (a: (typeof actions)[number]): string =>
    a.status === 'not-built'
      ? `  not built  ${a.description}`
      : a.status === 'cached'
        ? `  cached     ${a.mnemonic} ${a.description}`
        : `  executed   ${a.mnemonic} ${a.description}\n${a.reasons.map((r) => `               because ${r}`).join('\n')}`;
  // Executed actions first, each group in graph order.
  const lines = [
    ...actions.filter((a) => a.status === 'executed'),
    ...actions.filter((a) => a.status !== 'executed'),
  ].map(line);
  // A null build's answer is one line; --verbose lists every cached action.
  const listed = executed === 0 && args.verbose !== true ? [] : lines;
  process.stdout.write(
    executed === 0 && cached > 0
      ? `Last build of ${target}: all ${cached} actions cached, nothing ran\n${listed.map((l) => `${l}\n`).join('')}`
      : `Last build of ${target}: ${executed} executed, ${cached} cached\n${listed.join('\n')}\n`,
  );
  return EXIT.ok;
}
