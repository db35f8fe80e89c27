import type { Diagnostic, SourceSpan } from '../util/diagnostic';
import { err, ok, type Result } from '../util/result';
import { didYouMean } from './suggest';
import { typeName, type CallArgs, type CallContext, type Value } from './values';

/** An argument value with the span of its expression. */
export interface Arg {
  readonly value: Value;
  readonly span: SourceSpan;
}

/** The parameters of a builtin, for {@link bindArgs}. */
export interface BuiltinSignature {
  /** Parameters in positional order; each may also be passed by name. */
  readonly params?: readonly string[];
  /** How many of `params` are required (the first ones). Default: all of them. */
  readonly required?: number;
  /** Optional keyword-only parameters. */
  readonly keywordOnly?: readonly string[];
  /** Collect extra positional arguments instead of rejecting them. */
  readonly varargs?: boolean;
  /** Collect unknown named arguments instead of rejecting them. */
  readonly kwargs?: boolean;
}

/** Arguments matched to a {@link BuiltinSignature}. */
export interface BoundArgs {
  /** By parameter name; absent when an optional parameter was not passed. */
  readonly params: ReadonlyMap<string, Arg>;
  /** Extra positional arguments (`varargs` signatures). */
  readonly rest: readonly Arg[];
  /** Unknown named arguments (`kwargs` signatures), in call order. */
  readonly kwargs: CallArgs['named'];
}

/**
 * Matches call arguments to a builtin's parameters, with Python-style errors: too many
 * positional arguments, unknown or repeated keywords (with a "did you mean" hint), missing
 * required parameters. Errors point at the offending argument, or at the callee.
 */
export function bindArgs(
  fnName: string,
  signature: BuiltinSignature,
  args: CallArgs,
  ctx: CallContext,
): Result<BoundArgs, Diagnostic> {
  const params = signature.params ?? [];
  const keywordOnly = signature.keywordOnly ?? [];
  const bound = new Map<string, Arg>();
  const rest: Arg[] = [];
  const kwargs: CallArgs['named'][number][] = [];
  args.positional.forEach((arg, i) => {
    const name = params[i];
    if (name !== undefined) bound.set(name, arg);
    else rest.push(arg);
  });
  if (rest.length > 0 && signature.varargs !== true) {
    const extra = rest[0] as Arg;
    const max = params.length;
    return err(
      ctx.diagnostic(
        extra.span,
        `${fnName}() accepts no more than ${max} positional argument${max === 1 ? '' : 's'} ` +
          `but got ${args.positional.length}`,
      ),
    );
  }
  for (const named of args.named) {
    if (params.includes(named.name) || keywordOnly.includes(named.name)) {
      if (bound.has(named.name)) {
        return err(
          ctx.diagnostic(
            named.nameSpan,
            `${fnName}() got multiple values for parameter '${named.name}'`,
          ),
        );
      }
      bound.set(named.name, { value: named.value, span: named.span });
    } else if (signature.kwargs === true) {
      kwargs.push(named);
    } else {
      return err(
        ctx.diagnostic(
          named.nameSpan,
          `${fnName}() got unexpected keyword argument '${named.name}'` +
            didYouMean(named.name, [...params, ...keywordOnly]),
        ),
      );
    }
  }
  const missing = params.slice(0, signature.required ?? params.length).filter((p) => !bound.has(p));
  if (missing.length > 0) {
    return err(
      ctx.diagnostic(
        ctx.callSpan,
        `${fnName}() missing ${missing.length} required argument${missing.length === 1 ? '' : 's'}: ` +
          missing.join(', '),
      ),
    );
  }
  return ok({ params: bound, rest, kwargs });
}

/** The diagnostic for an argument of the wrong type. */
export function wrongType(
  fnName: string,
  param: string,
  arg: Arg,
  want: string,
  ctx: CallContext,
): Diagnostic {
  return ctx.diagnostic(
    arg.span,
    `in call to ${fnName}(), parameter '${param}' got value of type '${typeName(arg.value)}', want '${want}'`,
  );
}

/** The string value of a parameter, or a type error. */
export function stringArg(
  fnName: string,
  param: string,
  arg: Arg,
  ctx: CallContext,
): Result<string, Diagnostic> {
  return typeof arg.value === 'string'
    ? ok(arg.value)
    : err(wrongType(fnName, param, arg, 'string', ctx));
}

/** The int value of a parameter, or a type error. */
export function intArg(
  fnName: string,
  param: string,
  arg: Arg,
  ctx: CallContext,
): Result<number, Diagnostic> {
  return typeof arg.value === 'number'
    ? ok(arg.value)
    : err(wrongType(fnName, param, arg, 'int', ctx));
}
