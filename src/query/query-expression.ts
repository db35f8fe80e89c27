import { type Result, err, ok } from '../util';

/**
 * A parsed `pgobuild query` expression (the subset of `bazel query` pgobuild implements):
 *
 * ```
 * expr := PATTERN                      //pkg/..., //pkg:name, :name, @repo//dir:name
 *       | deps(expr)                   the targets and everything they reach through deps and embed
 *       | rdeps(expr, expr)            the targets of the universe that reach any of the second's
 *       | kind('REGEX', expr)          the targets whose rule name REGEX matches
 * ```
 */
export type QueryExpression =
  | { readonly op: 'pattern'; readonly pattern: string }
  | { readonly op: 'deps'; readonly of: QueryExpression }
  | { readonly op: 'rdeps'; readonly universe: QueryExpression; readonly of: QueryExpression }
  | { readonly op: 'kind'; readonly rule: RegExp; readonly of: QueryExpression };

/** The query functions and how many arguments each takes. */
const FUNCTIONS = { deps: 1, rdeps: 2, kind: 2 } as const;
type QueryFunction = keyof typeof FUNCTIONS;
const SIGNATURE: Record<QueryFunction, string> = {
  deps: 'deps(expr)',
  rdeps: 'rdeps(universe, expr)',
  kind: "kind('pattern', expr)",
};

/**
 * Parses a query expression. A malformed one (unbalanced parentheses or quotes, an unknown
 * function, a wrong number of arguments, an invalid `kind` regular expression) is the user's
 * usage error: the message names the expression and, where it applies, the column (1-based).
 */
export function parseQuery(text: string): Result<QueryExpression, string> {
  return parseAt(text, 0);
}

/** Parses `text`, which starts at column `offset` of the whole expression (for messages). */
function parseAt(text: string, offset: number): Result<QueryExpression, string> {
  const lead = text.length - text.trimStart().length;
  const expr = text.trim();
  const at = offset + lead;
  if (expr === '') return err(`query: expected an expression at column ${at + 1}`);
  const call = /^([A-Za-z_]\w*)\s*\(/.exec(expr);
  if (call === null) {
    // A quoted word is a pattern too, as in bazel query: deps('//a:b').
    const quoted = /^(['"])([^'"]*)\1$/.exec(expr)?.[2];
    if (quoted !== undefined && quoted.trim() !== '') return ok({ op: 'pattern', pattern: quoted });
    const paren = firstOf(expr, '(),\'"');
    if (paren >= 0)
      return err(
        `query: unexpected '${expr[paren] ?? ''}' at column ${at + paren + 1} in '${expr}': expected a target pattern or deps(), rdeps(), kind()`,
      );
    return ok({ op: 'pattern', pattern: expr });
  }
  const name = call[1] as string;
  const open = call[0].length - 1;
  const args = splitArgs(expr, open, at);
  if (!args.ok) return args;
  if (!isFunction(name))
    return err(
      `query: unknown function '${name}' at column ${at + 1}: expected deps, rdeps or kind`,
    );
  const want = FUNCTIONS[name];
  if (args.value.length !== want)
    return err(
      `query: ${SIGNATURE[name]} takes ${want === 1 ? 'one argument' : `${want} arguments`}, got ${args.value.length} at column ${at + 1}`,
    );
  const parsed: QueryExpression[] = [];
  const [first, second] = args.value as [Argument, Argument | undefined];
  if (name === 'kind') {
    const rule = kindPattern(first, at);
    if (!rule.ok) return rule;
    const of = parseAt(second?.text ?? '', at + (second?.start ?? 0));
    if (!of.ok) return of;
    return ok({ op: 'kind', rule: rule.value, of: of.value });
  }
  for (const a of args.value) {
    const p = parseAt(a.text, at + a.start);
    if (!p.ok) return p;
    parsed.push(p.value);
  }
  if (name === 'deps') return ok({ op: 'deps', of: parsed[0] as QueryExpression });
  return ok({
    op: 'rdeps',
    universe: parsed[0] as QueryExpression,
    of: parsed[1] as QueryExpression,
  });
}

function isFunction(name: string): name is QueryFunction {
  return Object.prototype.hasOwnProperty.call(FUNCTIONS, name);
}

/** An argument's text and where it starts in the expression it was split from. */
interface Argument {
  readonly text: string;
  readonly start: number;
}

/**
 * Splits the arguments of the call whose `(` is at `open`: commas at depth 1 outside quotes
 * separate them, and the matching `)` must end the expression.
 */
function splitArgs(expr: string, open: number, at: number): Result<Argument[], string> {
  const out: Argument[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = open + 1;
  for (let i = open; i < expr.length; i++) {
    const c = expr[i] as string;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) {
        if (i !== expr.length - 1)
          return err(
            `query: unexpected '${expr.slice(i + 1).trim()}' after ')' at column ${at + i + 2} in '${expr}'`,
          );
        const last = expr.slice(start, i);
        if (last.trim() !== '' || out.length > 0) out.push({ text: last, start });
        if (out.some((a) => a.text.trim() === ''))
          return err(`query: empty argument in '${expr}' at column ${at + 1}`);
        return ok(out);
      }
    } else if (c === ',' && depth === 1) {
      out.push({ text: expr.slice(start, i), start });
      start = i + 1;
    }
  }
  if (quote !== undefined) return err(`query: unterminated ${quote} quote in '${expr}'`);
  return err(`query: missing ')' at the end of '${expr}' (the '(' at column ${at + open + 1})`);
}

/**
 * The rule-kind pattern of `kind('pattern', expr)`, a regular expression as in `bazel query`
 * (quotes optional); a malformed one is the user's usage error, naming it.
 */
function kindPattern(arg: Argument, at: number): Result<RegExp, string> {
  const text = arg.text.trim();
  const source = /^(['"])([\s\S]*)\1$/.exec(text)?.[2] ?? text;
  if (source === '')
    return err(`query: kind() needs a rule pattern at column ${at + arg.start + 1}`);
  try {
    return ok(new RegExp(source));
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : '';
    return err(`query: kind(): '${source}' is not a valid regular expression: ${why}`);
  }
}

/** The index of the first character of `expr` that is in `chars`, or -1. */
function firstOf(expr: string, chars: string): number {
  for (let i = 0; i < expr.length; i++) if (chars.includes(expr[i] as string)) return i;
  return -1;
}
