import type { DefStmt } from './ast';
import type { EvalEnv } from './eval-env';
import type { SourceFile } from './source-file';
import type { Value } from './values';

/** The evaluation state of one module: its text (for diagnostics), globals and environment. */
export interface ModuleRuntime {
  readonly source: SourceFile;
  readonly globals: Map<string, Value>;
  readonly env: EvalEnv;
}

/** What a `def` captures: its syntax, evaluated defaults and defining module. */
export interface UserFunctionInternals {
  readonly def: DefStmt;
  /** Default values by parameter index (undefined for parameters without one). */
  readonly defaults: readonly (Value | undefined)[];
  readonly module: ModuleRuntime;
}
