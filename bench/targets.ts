/**
 * The targets issue 10 sets for each benchmark (ratio = ours / go on the same work). bench/README.md
 * prints each figure against its target, met or missed.
 */
export interface Target {
  /** The highest ratio that meets the target. */
  readonly maxRatio: number;
}

const RULES: readonly [RegExp, number][] = [
  [/^examples-cold$/, 1.05],
  [/^scale-\d+-cold$/, 1.15],
  [/-null(-|$)/, 1.0],
  [/-(incremental|edit)-/, 1.0],
  [/^preprocess-/, 1.0],
];

/** The target for a benchmark name, if issue 10 sets one. */
export function targetFor(name: string): Target | undefined {
  const rule = RULES.find(([re]) => re.test(name));
  return rule === undefined ? undefined : { maxRatio: rule[1] };
}

/** `≤ 1.05×: met` / `≤ 1.00×: missed`, or '' without a target. */
export function verdict(name: string, ratio: number): string {
  const t = targetFor(name);
  if (t === undefined) return '';
  return `≤ ${t.maxRatio.toFixed(2)}×: ${ratio <= t.maxRatio ? 'met' : '**missed**'}`;
}
