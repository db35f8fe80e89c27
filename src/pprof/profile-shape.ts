import type { PprofProfile } from './profile';
import type { WeightedEdge } from './profile-edges';
import { pgoValueIndex } from './merge-profiles';

/** The compiler's default hot-edge cut: edges up to 99% of the total weight (reference §6.4). */
export const HOT_CDF_THRESHOLD = 99;

/**
 * The hot edges the compiler would pick: the shortest prefix of `edges` (in serialized order)
 * whose cumulative weight is strictly above `threshold`% of the total, the crossing edge included.
 */
export function hotEdges(
  edges: readonly WeightedEdge[],
  threshold = HOT_CDF_THRESHOLD,
): WeightedEdge[] {
  const total = edges.reduce((s, e) => s + e.weight, 0);
  if (total === 0) return [];
  let cum = 0;
  for (let i = 0; i < edges.length; i++) {
    cum += (edges[i] as WeightedEdge).weight;
    if ((cum / total) * 100 > threshold) return edges.slice(0, i + 1);
  }
  return [...edges];
}

/** What a profile looks like, for `pgo doctor`'s shape rung. */
export interface ProfileShape {
  /** Sum of the PGO value (samples/count for Go CPU profiles). */
  readonly total: number;
  readonly durationSeconds: number;
  readonly edges: number;
  readonly hotEdges: number;
  /** The function most samples were taken in (flat), and its share of the total. */
  readonly topFunction: { readonly name: string; readonly share: number } | undefined;
  /** Shares (0..1) of samples with a frame in start-up code, the GC, system calls, cgo. */
  readonly initShare: number;
  readonly gcShare: number;
  readonly syscallShare: number;
  readonly cgoShare: number;
}

const INIT = /(^runtime\.doInit|\.init(\.\d+)?$|^runtime\.main$)/;
const GC =
  /^runtime\.(gcBgMarkWorker|gcDrain|gcAssistAlloc|scanobject|markroot|bgsweep|bgscavenge|gcMarkDone|gcStart|sweepone)/;
const SYSCALL =
  /^(syscall\.(Syscall|RawSyscall|syscall)|internal\/runtime\/syscall\.Syscall6|runtime\.(futex|epollwait|netpoll|usleep|write1|read)$)/;
const CGO = /^runtime\.(cgocall|asmcgocall)$/;

/**
 * Measures a profile's shape: duration, how many edges make up the hot set, the top function's
 * flat share (a microbenchmark profile has one function dominating), and the share of samples
 * in start-up, GC, system calls and cgo (work PGO cannot make faster).
 */
export function profileShape(p: PprofProfile, edges: readonly WeightedEdge[]): ProfileShape {
  const index = pgoValueIndex(p.sampleTypes);
  let total = 0;
  const flat = new Map<string, number>();
  const shares = { init: 0, gc: 0, syscall: 0, cgo: 0 };
  for (const s of p.samples) {
    const v = s.values[index] ?? 0;
    if (v === 0) continue;
    total += v;
    const leaf = s.locations[0]?.lines[0]?.function?.name;
    if (leaf !== undefined) flat.set(leaf, (flat.get(leaf) ?? 0) + v);
    const names = s.locations.flatMap((l) => l.lines.map((ln) => ln.function?.name ?? ''));
    if (names.some((n) => INIT.test(n) && n !== 'runtime.main') && !names.includes('main.main'))
      shares.init += v;
    if (names.some((n) => GC.test(n))) shares.gc += v;
    if (names.some((n) => SYSCALL.test(n))) shares.syscall += v;
    if (names.some((n) => CGO.test(n))) shares.cgo += v;
  }
  let top: { name: string; share: number } | undefined;
  for (const [name, v] of flat) {
    if (top === undefined || v / total > top.share) top = { name, share: v / total };
  }
  const share = (x: number): number => (total > 0 ? x / total : 0);
  return {
    total,
    durationSeconds: Number(p.durationNanos) / 1e9,
    edges: edges.length,
    hotEdges: hotEdges(edges).length,
    topFunction: top,
    initShare: share(shares.init),
    gcShare: share(shares.gc),
    syscallShare: share(shares.syscall),
    cgoShare: share(shares.cgo),
  };
}
