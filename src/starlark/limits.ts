/**
 * Bounds on what one BUILD or .bzl file may make the evaluator do, so that a hostile or mistaken
 * file ends in an error at its line instead of exhausting memory, the stack or the user's time
 * (`x = [1] * 100000000` took 22 s and 2.6 GB). starlark-go offers the same kind of limits
 * (`Thread.SetMaxExecutionSteps`, bounded repetition); real BUILD files stay far below them.
 */
export const STARLARK_LIMITS = {
  /** Brackets, parentheses and unary operators nested inside one another (Python stops at 200). */
  maxNesting: 200,
  /** Depth of a parsed expression tree: `1 + 1 + …` with thousands of terms is that deep. */
  maxTreeDepth: 1000,
  /** Elements of one list, tuple or dict built by `*`, `+`, `range` or a builtin. */
  maxElements: 1_000_000,
  /** Characters of one string built by `*`, `+`, `%` or a string method. */
  maxStringLength: 16 * 1024 * 1024,
  /** Expressions evaluated for one file (loops and comprehensions included). */
  maxSteps: 5_000_000,
} as const;

/**
 * Why a value is too large to keep, or undefined. Applied to the result of every operator and
 * builtin call, so that no chain of operations can grow a value step by step without bound.
 */
export function oversized(v: unknown): string | undefined {
  if (typeof v === 'string') {
    return v.length > STARLARK_LIMITS.maxStringLength
      ? `string of ${v.length} characters is too large (limit ${STARLARK_LIMITS.maxStringLength})`
      : undefined;
  }
  if (v !== null && typeof v === 'object') {
    const o = v as { kind?: string; items?: unknown[]; entries?: Map<unknown, unknown> };
    const n =
      o.kind === 'list' || o.kind === 'tuple'
        ? (o.items?.length ?? 0)
        : o.kind === 'dict'
          ? (o.entries?.size ?? 0)
          : 0;
    if (n > STARLARK_LIMITS.maxElements)
      return `${o.kind} of ${n} elements is too large (limit ${STARLARK_LIMITS.maxElements})`;
  }
  return undefined;
}
