import { err, ok, type Result } from '../util/result';
import type { Stmt } from './ast';
import type { StarlarkFailure } from './failure';
import { tokenize } from './lexer';
import { parseTokens, type Dialect } from './parser';
import { resolve, type Resolution } from './resolver';
import { SourceFile } from './source-file';

/** A parsed and resolved Starlark file, ready to evaluate. Its fields are evaluator internals. */
export interface Module {
  readonly displayPath: string;
  readonly dialect: Dialect;
  /** @internal */
  readonly source: SourceFile;
  /** @internal */
  readonly statements: readonly Stmt[];
  /** @internal */
  readonly resolution: Resolution;
}

/**
 * Lexes, parses and resolves a BUILD (`'build'`) or .bzl (`'bzl'`) file. `displayPath` is how the
 * file is named in diagnostics. A module may be evaluated any number of times.
 */
export function parseFile(
  displayPath: string,
  text: string,
  dialect: Dialect,
): Result<Module, StarlarkFailure> {
  const source = new SourceFile(displayPath, text);
  const tokens = tokenize(source);
  if (!tokens.ok) return err({ reason: 'build-file-syntax', diagnostic: tokens.failure });
  const statements = parseTokens(source, tokens.value, dialect);
  if (!statements.ok) return err({ reason: 'build-file-syntax', diagnostic: statements.failure });
  const resolution = resolve(source, statements.value, dialect);
  if (!resolution.ok) return err({ reason: 'build-file-syntax', diagnostic: resolution.failure });
  return ok({
    displayPath,
    dialect,
    source,
    statements: statements.value,
    resolution: resolution.value,
  });
}
