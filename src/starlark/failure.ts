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
 * The failure for `EvalEnv.load` to return when `label` names no readable file; `span` is the
 * span `load` was given. Any `load-failed` failure at that span is reported as is (the evaluator
 * only adds the quoted source line), so a loader may also build its own.
 */
export function loadNotFound(label: string, message: string, span: SourceSpan): StarlarkFailure {
  const text = `cannot load '${label}': ${message}`;
  return {
    reason: 'load-failed',
    diagnostic: { severity: 'error', span, message: text, sourceLine: '' },
    cause: { reason: 'load-not-found', message },
  };
}
