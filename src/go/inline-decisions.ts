/**
 * The optimization decisions `compile -m` prints that a PGO profile can change: inlined calls
 * (`inline/inl.go`: `<pos>: inlining call to <callee>`, with ` with score N` under the new
 * inliner) and PGO devirtualization (`devirtualize/pgo.go`: `<pos>: PGO devirtualizing interface
 * call <call> to <callee>`, `… function call …`). Both print at any `-m` level.
 */
export interface InlineDecision {
  readonly kind: 'inlined' | 'devirtualized';
  /** Where the call is, as the compiler prints it (`-trimpath`ed: `example.com/m/x.go:12:3`). */
  readonly pos: string;
  /** The inlined function, or the concrete callee a devirtualized call now goes to. */
  readonly callee: string;
}

const INLINED = /^(.+?): inlining call to (.+?)(?: with score -?\d+)?$/;
const DEVIRTUALIZED = /^(.+?): PGO devirtualizing (?:interface|function) call .+ to (.+)$/;

/** The decisions in one compile's `-m` output, in the order printed. */
export function parseInlineDecisions(output: string): InlineDecision[] {
  const decisions: InlineDecision[] = [];
  for (const line of output.split('\n')) {
    const inlined = INLINED.exec(line);
    if (inlined !== null) {
      decisions.push({ kind: 'inlined', pos: inlined[1] ?? '', callee: inlined[2] ?? '' });
      continue;
    }
    const devirtualized = DEVIRTUALIZED.exec(line);
    if (devirtualized !== null)
      decisions.push({
        kind: 'devirtualized',
        pos: devirtualized[1] ?? '',
        callee: devirtualized[2] ?? '',
      });
  }
  return decisions;
}

/** What a profile changed: decisions only the profiled compile made, and those it dropped. */
export interface DecisionDiff {
  readonly gained: readonly InlineDecision[];
  readonly lost: readonly InlineDecision[];
}

/**
 * The multiset difference of two compiles' decisions (a call site inlined into two callers is
 * printed twice and counts twice), each side sorted by position.
 */
export function diffDecisions(
  withProfile: readonly InlineDecision[],
  without: readonly InlineDecision[],
): DecisionDiff {
  const key = (d: InlineDecision): string => `${d.kind}\0${d.pos}\0${d.callee}`;
  const minus = (a: readonly InlineDecision[], b: readonly InlineDecision[]): InlineDecision[] => {
    const left = new Map<string, number>();
    for (const d of b) left.set(key(d), (left.get(key(d)) ?? 0) + 1);
    const out: InlineDecision[] = [];
    for (const d of a) {
      const n = left.get(key(d)) ?? 0;
      if (n > 0) left.set(key(d), n - 1);
      else out.push(d);
    }
    return out.sort((x, y) => comparePositions(x.pos, y.pos) || x.callee.localeCompare(y.callee));
  };
  return { gained: minus(withProfile, without), lost: minus(without, withProfile) };
}

/** Orders `file:line:col` positions by file, then numerically by line and column. */
function comparePositions(a: string, b: string): number {
  const split = (p: string): [string, number, number] => {
    const m = /^(.*):(\d+):(\d+)$/.exec(p);
    return m === null ? [p, 0, 0] : [m[1] ?? '', Number(m[2]), Number(m[3])];
  };
  const [fa, la, ca] = split(a);
  const [fb, lb, cb] = split(b);
  return fa.localeCompare(fb) || la - lb || ca - cb;
}
