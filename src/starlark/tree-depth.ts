import type { SourceSpan } from '../util/diagnostic';
import type { Stmt } from './ast';

/**
 * The span of the first syntax-tree node found deeper than `limit` (counting nodes that have a
 * `kind`), or undefined. Walks with an explicit stack, so it cannot itself overflow; it looks at
 * every field of every node, so it needs no update when the AST gains a node type.
 */
export function tooDeepNode(statements: readonly Stmt[], limit: number): SourceSpan | undefined {
  const stack: { value: unknown; depth: number }[] = statements.map((s) => ({
    value: s,
    depth: 1,
  }));
  const seen = new Set<object>();
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) stack.push({ value: item, depth });
      continue;
    }
    const node = value as { kind?: unknown; span?: SourceSpan };
    const isNode = typeof node.kind === 'string';
    if (isNode && depth > limit && node.span !== undefined) return node.span;
    for (const [key, field] of Object.entries(value)) {
      if (key === 'span' || field === null || typeof field !== 'object') continue;
      stack.push({ value: field, depth: isNode ? depth + 1 : depth });
    }
  }
  return undefined;
}
