import type { TestRunOptions } from '../analysis/build-graph';
import { type Result, err, ok } from '../util';

/** `--test_output`, as Bazel names its values. */
export type TestOutputMode = 'errors' | 'all' | 'summary';

/** The values `--test_output` accepts. */
export const TEST_OUTPUT_MODES: readonly TestOutputMode[] = ['errors', 'all', 'summary'];

/** The `test` command's own flags as yargs parsed them. */
export interface RawTestFlags {
  /** `--test_arg=ARG`, repeatable (yargs gives a string, an array, or nothing). */
  readonly testArg?: unknown;
  /** `--test_filter=REGEX`. */
  readonly testFilter?: unknown;
  /** `--test_output=MODE`. */
  readonly testOutput?: unknown;
  /** The arguments after `--`. */
  readonly afterDashes: readonly string[];
}

/** What the `test` command runs with. */
export interface TestFlags {
  readonly run: TestRunOptions;
  readonly output: TestOutputMode;
}

/**
 * Validates the test flags and turns them into the test binaries' arguments, in Bazel's order:
 * `--test_filter` becomes `-test.run=REGEX`, then every `--test_arg`, then the arguments after
 * `--` (for `pgobuild test //t -- -test.run=X -test.bench=.`). A bad value is a usage message
 * naming the flag (exit 2).
 */
export function parseTestFlags(raw: RawTestFlags): Result<TestFlags, string> {
  const args: string[] = [];
  if (raw.testFilter !== undefined) {
    if (Array.isArray(raw.testFilter))
      return err(`--test_filter is given more than once (${raw.testFilter.join(', ')})`);
    if (typeof raw.testFilter !== 'string' || raw.testFilter === '')
      return err('--test_filter needs a regular expression, e.g. --test_filter=TestParse');
    args.push(`-test.run=${raw.testFilter}`);
  }
  const testArgs =
    raw.testArg === undefined ? [] : Array.isArray(raw.testArg) ? raw.testArg : [raw.testArg];
  for (const a of testArgs) {
    if (typeof a !== 'string' || a === '')
      return err('--test_arg needs a value, e.g. --test_arg=-test.v (write it with =)');
    args.push(a);
  }
  args.push(...raw.afterDashes);
  let output: TestOutputMode = 'errors';
  if (raw.testOutput !== undefined) {
    const mode = TEST_OUTPUT_MODES.find((m) => m === raw.testOutput);
    if (mode === undefined)
      return err(
        `--test_output must be one of ${TEST_OUTPUT_MODES.join(', ')}, got ${Array.isArray(raw.testOutput) ? raw.testOutput.join(', ') : String(raw.testOutput)}`,
      );
    output = mode;
  }
  return ok({ run: { args }, output });
}
