import { editDistance } from '../util/edit-distance';

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
