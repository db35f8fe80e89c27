import type { SourceSpan } from '../util/diagnostic';
import type { Result } from '../util/result';
import type { StarlarkFailure } from './failure';
import type { Value } from './values';

/** What the evaluation of one file may see and do besides its own code. */
export interface EvalEnv {
  /** Predeclared names (the lead passes go_library, go_binary, go_test, glob, …). */
  readonly predeclared: ReadonlyMap<string, Value>;
  /**
   * Resolve `load(label, …)`: return the loaded file's exported globals (names not starting with
   * `_`), or a failure. `span` is the label string's span. A `load-failed` failure at `span`
   * (e.g. from `loadNotFound`) is reported as is; any other failure (a syntax or evaluation error
   * in the loaded file) is wrapped in a `load-failed` pointing at the label.
   */
  load(label: string, span: SourceSpan): Result<ReadonlyMap<string, Value>, StarlarkFailure>;
  /** Receives `print()` output; without it, output is dropped. */
  print?(message: string, span: SourceSpan): void;
}
