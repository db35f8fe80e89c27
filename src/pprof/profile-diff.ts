import { err, ok, type Result } from '../util/result';
import { compareUtf8 } from './compare-utf8';
import type { PprofLine, PprofLocation, PprofProfile, PprofValueType } from './profile';
import { profileFailure, type ProfileFailure } from './profile-failure';

/** pprof's default `-nodefraction`: nodes whose |cum| is below this share are dropped. */
export const DIFF_NODE_FRACTION = 0.005;

/** pprof's default `-edgefraction`: edges whose |weight| is below this share are dropped. */
const DIFF_EDGE_FRACTION = 0.001;

/** One function of the differential view (values are NEW − BASE, in the sample type's unit). */
export interface DiffRow {
  readonly name: string;
  readonly flat: number;
  readonly cum: number;
  /** pprof's marker: `(inline)` when every call into it was inlined, `(partial-inline)`, or ''. */
  readonly inline: '' | '(inline)' | '(partial-inline)';
}

/** One frame of the differential flame graph: a call path, with its cum in each profile. */
export interface DiffFrame {
  readonly name: string;
  base: number;
  new: number;
  readonly children: DiffFrame[];
}

/** `go tool pprof -top -diff_base=BASE NEW`, computed. */
export interface ProfileDiff {
  /** The sample type shown (pprof's default: the last one, or `default_sample_type`). */
  readonly sampleType: PprofValueType;
  /** Sum of |value| over BASE's samples: the denominator of every percentage, as in pprof. */
  readonly total: number;
  readonly baseTotal: number;
  readonly newTotal: number;
  /** Rows kept after the node cutoff, in pprof's order (|flat| desc, name, |cum| desc). */
  readonly rows: readonly DiffRow[];
  /** Nodes below the cutoff (pprof's "Dropped N nodes"). */
  readonly dropped: number;
  /** The cutoff pprof prints: |total × nodefraction|. */
  readonly droppedCutoff: number;
  /** Root of the merged call tree (name ''), base and new cum per call path. */
  readonly tree: DiffFrame;
}

function sampleIndex(p: PprofProfile): number {
  if (p.defaultSampleType !== '') {
    const i = p.sampleTypes.findIndex((t) => t.type === p.defaultSampleType);
    if (i >= 0) return i;
  }
  return p.sampleTypes.length - 1;
}

/** The node name of one frame, as pprof prints it at function granularity. */
function frameName(loc: PprofLocation, line: PprofLine | undefined): string {
  const fn = line?.function;
  if (fn !== undefined && fn.name !== '') return fn.name;
  const file = loc.mapping?.file ?? '';
  return file === '' ? '<unknown>' : `[${file.slice(file.lastIndexOf('/') + 1)}]`;
}

/** The frames of a sample, root first (inline frames expanded outer to inner). */
function rootFirst(locations: readonly PprofLocation[]): { name: string; inline: boolean }[] {
  const out: { name: string; inline: boolean }[] = [];
  for (let i = locations.length - 1; i >= 0; i--) {
    const loc = locations[i] as PprofLocation;
    const lines = loc.lines.length > 0 ? loc.lines : [undefined];
    for (let j = lines.length - 1; j >= 0; j--) {
      out.push({ name: frameName(loc, lines[j]), inline: j !== lines.length - 1 });
    }
  }
  return out;
}

interface Node {
  flat: number;
  cum: number;
}

/**
 * Computes the differential view of `go tool pprof -top -diff_base=BASE NEW` (pprof's driver and
 * report packages): BASE's samples count negated, per function (granularity `functions`, inline
 * frames as their own nodes), flat = value where it is the leaf, cum = value of every sample it
 * appears in (once per sample). Percentages use BASE's total; nodes with |cum| below
 * |(sum of flats) × 0.005| are dropped; rows sort by |flat|, then name, then |cum|.
 */
export function diffProfiles(
  base: PprofProfile,
  next: PprofProfile,
  files: { readonly base: string; readonly next: string },
): Result<ProfileDiff, ProfileFailure> {
  const sampleType = next.sampleTypes[sampleIndex(next)];
  if (sampleType === undefined)
    return err(profileFailure('profile-empty', files.next, 'the profile has no sample types'));
  const baseIndex = base.sampleTypes.findIndex(
    (t) => t.type === sampleType.type && t.unit === sampleType.unit,
  );
  const same =
    base.sampleTypes.length === next.sampleTypes.length &&
    base.sampleTypes.every(
      (t, i) => t.type === next.sampleTypes[i]?.type && t.unit === next.sampleTypes[i]?.unit,
    );
  if (baseIndex < 0 || !same) {
    const show = (p: PprofProfile): string =>
      p.sampleTypes.map((t) => `${t.type}/${t.unit}`).join(' ');
    return err(
      profileFailure(
        'profiles-incompatible',
        files.base,
        `sample types [${show(base)}] differ from ${files.next}'s [${show(next)}]`,
      ),
    );
  }
  const newIndex = sampleIndex(next);
  const nodes = new Map<string, Node>();
  const tree: DiffFrame = { name: '', base: 0, new: 0, children: [] };
  const childIndex = new Map<DiffFrame, Map<string, DiffFrame>>();
  let baseTotal = 0;
  let newTotal = 0;

  const add = (p: PprofProfile, index: number, sign: 1 | -1): void => {
    for (const s of p.samples) {
      const v = (s.values[index] ?? 0) * sign;
      if (v === 0) continue;
      if (sign < 0) baseTotal += -v;
      else newTotal += v;
      const frames = rootFirst(s.locations);
      const seen = new Set<string>();
      let parent: string | undefined;
      let frame = tree;
      if (sign < 0) tree.base += -v;
      else tree.new += v;
      for (const f of frames) {
        let n = nodes.get(f.name);
        if (n === undefined) {
          n = { flat: 0, cum: 0 };
          nodes.set(f.name, n);
        }
        if (!seen.has(f.name)) {
          seen.add(f.name);
          n.cum += v;
        }
        parent = f.name;
        let kids = childIndex.get(frame);
        if (kids === undefined) {
          kids = new Map();
          childIndex.set(frame, kids);
        }
        let child = kids.get(f.name);
        if (child === undefined) {
          child = { name: f.name, base: 0, new: 0, children: [] };
          kids.set(f.name, child);
          frame.children.push(child);
        }
        if (sign < 0) child.base += -v;
        else child.new += v;
        frame = child;
      }
      if (parent !== undefined) (nodes.get(parent) as Node).flat += v;
    }
  };
  add(next, newIndex, 1);
  add(base, baseIndex, -1);

  // pprof's computeTotal: the base samples' |values| when there are any, else all samples'.
  const total = baseTotal > 0 ? baseTotal : newTotal;
  let flatSum = 0;
  for (const n of nodes.values()) flatSum += n.flat;
  const cutoff = Math.abs(Math.trunc(flatSum * DIFF_NODE_FRACTION));
  const kept = new Set<string>();
  let dropped = 0;
  for (const [name, n] of nodes) {
    // pprof's selectNodesForGraph leaves out nodes whose changes cancel out (cum = flat = 0).
    if (n.cum === 0 && n.flat === 0) continue;
    if (cutoff > 0 && Math.abs(n.cum) < cutoff) dropped++;
    else kept.add(name);
  }
  // Edges between kept nodes (a dropped frame is skipped, as pprof's rebuilt graph does): an
  // edge is inline when every time it was seen its callee was an inlined frame.
  const edges = new Map<string, { inline: boolean; weight: number }>();
  for (const [p, index] of [
    [next, newIndex],
    [base, baseIndex],
  ] as const) {
    const sign = p === next ? 1 : -1;
    for (const s of p.samples) {
      const v = (s.values[index] ?? 0) * sign;
      if (v === 0) continue;
      let parent: string | undefined;
      const seen = new Set<string>();
      for (const f of rootFirst(s.locations)) {
        if (!kept.has(f.name)) continue;
        const key = `${parent}\u0000${f.name}`;
        if (parent !== undefined && parent !== f.name && !seen.has(key)) {
          seen.add(key);
          const e = edges.get(key) ?? { inline: true, weight: 0 };
          e.inline &&= f.inline;
          e.weight += v;
          edges.set(key, e);
        }
        parent = f.name;
      }
    }
  }
  const inlineIn = new Map<string, { inline: boolean; call: boolean }>();
  // pprof's TrimLowFrequencyEdges: edges lighter than |(sum of flats) × 0.001| are gone.
  const edgeCutoff = Math.abs(Math.trunc(flatSum * DIFF_EDGE_FRACTION));
  for (const [key, { inline, weight }] of edges) {
    if (Math.abs(weight) < edgeCutoff) continue;
    const callee = key.slice(key.indexOf('\u0000') + 1);
    const m = inlineIn.get(callee) ?? { inline: false, call: false };
    if (inline) m.inline = true;
    else m.call = true;
    inlineIn.set(callee, m);
  }
  const rows: DiffRow[] = [];
  for (const name of kept) {
    const n = nodes.get(name) as Node;
    const m = inlineIn.get(name);
    const inline = m?.inline === true ? (m.call ? '(partial-inline)' : '(inline)') : '';
    rows.push({ name, flat: n.flat, cum: n.cum, inline });
  }
  rows.sort(
    (a, b) =>
      Math.abs(b.flat) - Math.abs(a.flat) ||
      compareUtf8(a.name, b.name) ||
      Math.abs(b.cum) - Math.abs(a.cum),
  );
  return ok({
    sampleType,
    total,
    baseTotal,
    newTotal,
    rows,
    dropped,
    droppedCutoff: Math.abs(Math.trunc(total * DIFF_NODE_FRACTION)),
    tree,
  });
}

/** Go's `measurement.Percentage` (`%5.2f%%`, `%5.2g%%` under 1%, `  100%`), for pprof tables. */
export function pprofPercentage(value: number, total: number): string {
  const ratio = total !== 0 ? Math.abs(value / total) * 100 : 0;
  if (ratio >= 99.95 && ratio <= 100.05) return '  100%';
  if (ratio >= 1) return `${ratio.toFixed(2).padStart(5)}%`;
  return `${goG2(ratio).padStart(5)}%`;
}

/** Go's `%.2g`: two significant digits, exponent form below 1e-4, trailing zeros trimmed. */
function goG2(x: number): string {
  if (x === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(2)))));
  if (exp < -4) {
    const [m, e] = x.toExponential(1).split('e');
    const mant = (m as string).replace(/\.0$/, '');
    const n = Number(e);
    return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  return String(Number(x.toPrecision(2)));
}

const TIME_UNITS: readonly [string, number][] = [
  ['ns', 1],
  ['us', 1e3],
  ['ms', 1e6],
  ['s', 1e9],
];

function timeFactor(unit: string): number | undefined {
  switch (unit) {
    case 'nanoseconds':
    case 'ns':
      return 1;
    case 'microseconds':
    case 'us':
      return 1e3;
    case 'milliseconds':
    case 'ms':
      return 1e6;
    case 'seconds':
    case 's':
      return 1e9;
    default:
      return undefined;
  }
}

/**
 * A value formatter as pprof's `-top` picks it: for time units, the unit of the smallest non-zero
 * |flat| (or |cum|) row, scaled by 100 when the total needs a larger unit; counts are plain.
 */
export function pprofValueFormatter(diff: ProfileDiff): (v: number) => string {
  const factor = timeFactor(diff.sampleType.unit);
  if (factor === undefined) return (v) => String(v);
  const unitOf = (v: number): [string, number] => {
    let best = TIME_UNITS[0] as [string, number];
    for (const u of TIME_UNITS) if (Math.abs(v) * factor >= u[1]) best = u;
    return best;
  };
  let min = 0;
  for (const r of diff.rows) {
    const m = Math.abs(r.flat) || Math.abs(r.cum);
    if (m > 0 && (min === 0 || m < min)) min = m;
  }
  const max = diff.total;
  if (min === 0) min = max;
  let unit = unitOf(min);
  if (unit !== unitOf(max) && min * 100 < max) unit = unitOf(100 * min);
  return (v) => {
    const sv = ((v * factor) / unit[1]).toFixed(2).replace(/\.00$/, '');
    return sv === '0' || sv === '-0' ? '0' : `${sv}${unit[0]}`;
  };
}
