import {
  evaluateModule,
  makeBuiltin,
  parseFile,
  repr,
  type Dialect,
  type EvalEnv,
  type StarlarkFailure,
  type Value,
} from '../../src/starlark';
import { formatDiagnostic } from '../../src/util/diagnostic';
import { err, ok, type Result } from '../../src/util/result';

/** Parses and evaluates `text`; `load` fails unless `env.load` is given. */
export function evaluate(
  text: string,
  dialect: Dialect = 'bzl',
  env: Partial<EvalEnv> = {},
  path = dialect === 'build' ? 'pkg/BUILD' : 'pkg/defs.bzl',
): Result<ReadonlyMap<string, Value>, StarlarkFailure> {
  const module = parseFile(path, text, dialect);
  if (!module.ok) return module;
  return evaluateModule(module.value, {
    predeclared: env.predeclared ?? new Map(),
    load: env.load ?? (() => err({ reason: 'build-file-syntax', diagnostic: unexpectedLoad() })),
    ...(env.print === undefined ? {} : { print: env.print }),
  });
}

function unexpectedLoad(): never {
  throw new Error('test did not expect load()');
}

/** Evaluates and returns the globals, failing the test with the diagnostic if evaluation fails. */
export function globals(
  text: string,
  dialect: Dialect = 'bzl',
  env: Partial<EvalEnv> = {},
): ReadonlyMap<string, Value> {
  const r = evaluate(text, dialect, env);
  if (!r.ok) throw new Error(`unexpected failure:\n${formatDiagnostic(r.failure.diagnostic)}`);
  return r.value;
}

/** The repr of a Starlark expression's value. */
export function value(expr: string, prelude = ''): string {
  const g = globals(`${prelude}\nresult__ = ${expr}\n`);
  return repr(g.get('result__') as Value);
}

/** The failure of evaluating `text`, which the test expects to fail. */
export function failure(
  text: string,
  dialect: Dialect = 'bzl',
  env: Partial<EvalEnv> = {},
): StarlarkFailure {
  const r = evaluate(text, dialect, env);
  if (r.ok) throw new Error('expected a failure, but evaluation succeeded');
  return r.failure;
}

/** The formatted diagnostic of an expected failure. */
export function formatted(
  text: string,
  dialect: Dialect = 'bzl',
  env: Partial<EvalEnv> = {},
): string {
  return formatDiagnostic(failure(text, dialect, env).diagnostic);
}

/** Just the message of an expected failure. */
export function message(
  text: string,
  dialect: Dialect = 'bzl',
  env: Partial<EvalEnv> = {},
): string {
  return failure(text, dialect, env).diagnostic.message;
}

/** A fake rule that records each call's keyword arguments as reprs. */
export function recordingRule(name: string, calls: Record<string, string>[]): Value {
  return makeBuiltin(name, (args) => {
    const call: Record<string, string> = { rule: name };
    for (const n of args.named) call[n.name] = repr(n.value);
    calls.push(call);
    return ok(null);
  });
}
