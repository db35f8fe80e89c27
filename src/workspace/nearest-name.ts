import { editDistance } from '../util/edit-distance';

export { editDistance };

/**
 * The candidate closest to `name`, for "no such target '//a:lbi'; did you mean '//a:lib'?"
 * messages; undefined when nothing is close enough.
 *
 * Comparison ignores case. A candidate qualifies when its edit distance (see
 * {@link editDistance}) is at most a third of the name's length, rounded up for names of two or
 * more characters, capped at 5: one typo in a short name, more in long ones. Ties go to the
 * candidate that sorts first, so the suggestion does not depend on iteration order.
 */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(5, name.length < 2 ? 0 : Math.ceil(name.length / 3));
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const d = editDistance(wanted, candidate.toLowerCase(), limit);
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}
