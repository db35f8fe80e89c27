import type { Diagnostic } from '../util';

/**
 * Why loading or analysing the workspace failed. Each is reported with exit code 2, except
 * `generating-action-failed` (an action failed: exit code 1, as in the build phase).
 */
export type AnalysisReason =
  | 'build-file-syntax'
  | 'build-file-eval'
  | 'load-failed'
  | 'bad-attribute'
  | 'bad-label'
  | 'bad-pattern'
  | 'unknown-package'
  | 'unknown-target'
  | 'wrong-target-kind'
  | 'missing-source'
  | 'missing-dep'
  | 'import-conflict'
  | 'go-source'
  | 'go-mod'
  | 'module-resolution'
  | 'missing-module'
  | 'module-sum-missing'
  | 'module-download'
  | 'module-verify'
  | 'internal-import'
  | 'embed-pattern'
  | 'dependency-cycle'
  | 'import-cycle'
  | 'no-workspace'
  | 'go-sdk-not-found'
  | 'go-sdk-download'
  | 'go-sdk-verify'
  | 'stdlib-list-failed'
  | 'missing-default-pgo'
  | 'profile-error'
  | 'workspace-status'
  /** An action analysis had to run (a genrule making a Go source) failed: exit code 1, not 2. */
  | 'generating-action-failed';

/** One analysis error: a message, and a diagnostic when it is about a place in a user file. */
export interface AnalysisFailure {
  readonly reason: AnalysisReason;
  readonly message: string;
  readonly diagnostic?: Diagnostic;
  /** For errors inside functions of loaded .bzl files: the calls that led there. */
  readonly stack?: readonly Diagnostic[];
}

/** Builds a failure whose message is the diagnostic's. */
export function diagnosticFailure(reason: AnalysisReason, diagnostic: Diagnostic): AnalysisFailure {
  return { reason, message: diagnostic.message, diagnostic };
}
