import type { Diagnostic, SourceSpan } from '../util/diagnostic';

/** Why reading, parsing or evaluating a Starlark file failed. */
export type StarlarkFailure =
  | { reason: 'build-file-syntax'; diagnostic: Diagnostic }
  | {
      reason: 'build-file-eval';
      diagnostic: Diagnostic;
      /**
       * Call stack for errors inside .bzl functions, outermost call first: one diagnostic per
       * call site (`in call to 'my_macro'`). Empty for errors at top level.
       */
      stack: Diagnostic[];
    }
  | {
      reason: 'load-failed';
      /** Points at the label string of the `load` statement. */
      diagnostic: Diagnostic;
      cause: StarlarkFailure | { reason: 'load-not-found'; message: string };
    };

/**
 * The failure for `EvalEnv.load` to return when a label names no readable file. The evaluator
 * replaces the placeholder diagnostic with one at the label string of the `load` statement
 * (`cannot load '//x:defs.bzl': <message>`).
 */
export function loadNotFound(message: string, span: SourceSpan): StarlarkFailure {
  return {
    reason: 'load-failed',
    diagnostic: { severity: 'error', span, message, sourceLine: '' },
    cause: { reason: 'load-not-found', message },
  };
}
