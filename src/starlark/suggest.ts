/**
 * Optimal-string-alignment distance: Levenshtein plus adjacent transpositions (`jion` → `join`
 * is one edit), with an early exit once every path exceeds `limit`.
 */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, (before[j - 2] ?? 0) + 1);
      }
      row.push(v);
      best = Math.min(best, v);
    }
    if (best > limit) return limit + 1;
    before = prev;
    prev = row;
  }
  return prev[b.length] ?? limit + 1;
}

/**
 * The candidate closest to `name` by edit distance, for "did you mean" hints; undefined when
 * nothing is close enough (a third of the name's length, at least 1 and at most 3 edits). Ties
 * go to the first candidate in iteration order.
 */
export function suggestNearest(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    if (c === name) continue;
    const d = editDistance(name, c, limit);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** `" (did you mean 'x'?)"`, or empty when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const s = suggestNearest(name, candidates);
  return s === undefined ? '' : ` (did you mean '${s}'?)`;
}
