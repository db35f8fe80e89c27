import { err, ok, type Result } from '../util/result';
import { compareUtf8 } from './compare-utf8';
import type { PprofLocation, PprofProfile, PprofSample, PprofValueType } from './profile';
import { profileFailure, type ProfileFailure } from './profile-failure';

/**
 * One call edge of a PGO profile, keyed as the Go compiler keys it: linker symbol names of caller
 * and callee, and the call's line offset from the caller's `func` line.
 */
export interface WeightedEdge {
  readonly caller: string;
  readonly callee: string;
  /** `Line.line − Function.start_line` of the caller frame; negative with `//line` directives. */
  readonly callSiteOffset: number;
  /** Sum of the profile's sample values (sample counts for Go CPU profiles) along this edge. */
  readonly weight: number;
}

/**
 * Computes the named call-edge weights exactly as `go tool preprofile` does
 * (`cmd/internal/pgo.FromPProf` over `internal/profile.NewGraph`), sorted as it serializes them:
 * weight descending, then caller, callee (bytewise) and offset ascending. A profile without
 * samples, or whose edge weights sum to 0, gives no edges.
 */
export function profileEdges(
  p: PprofProfile,
  displayPath: string,
): Result<WeightedEdge[], ProfileFailure> {
  return stackEdges(p.sampleTypes, sampleStacks(p.samples), displayPath);
}

/** Decoded samples seen as {@link SampleStacks}. */
export function sampleStacks(samples: readonly PprofSample[]): SampleStacks {
  return {
    count: samples.length,
    value: (i, valueIndex) => (samples[i] as PprofSample).values[valueIndex] ?? 0,
    depth: (i) => (samples[i] as PprofSample).locations.length,
    location: (i, frame) => (samples[i] as PprofSample).locations[frame] as PprofLocation,
  };
}

/**
 * The samples as {@link stackEdges} reads them, whatever holds them: an array of decoded
 * samples, or typed arrays for a large profile.
 */
export interface SampleStacks {
  readonly count: number;
  /** Sample `sample`'s value at `valueIndex` (0 when it has no such value). */
  value(sample: number, valueIndex: number): number;
  /** How many locations sample `sample`'s stack has. */
  depth(sample: number): number;
  /** Location `frame` of sample `sample`'s stack, leaf first. */
  location(sample: number, frame: number): PprofLocation;
}

/** {@link profileEdges} over samples given as {@link SampleStacks}. */
export function stackEdges(
  sampleTypes: readonly PprofValueType[],
  stacks: SampleStacks,
  displayPath: string,
): Result<WeightedEdge[], ProfileFailure> {
  const p = { sampleTypes };
  if (stacks.count === 0) {
    return ok([]);
  }
  const valueIndex = p.sampleTypes.findIndex(
    (t) =>
      (t.type === 'samples' && t.unit === 'count') ||
      (t.type === 'cpu' && t.unit === 'nanoseconds'),
  );
  if (valueIndex < 0) {
    const types = p.sampleTypes.map((t) => `${t.type}/${t.unit}`).join(' ');
    return err(
      profileFailure(
        'profile-not-cpu',
        displayPath,
        `sample types are [${types}]; expected samples/count or cpu/nanoseconds`,
      ),
    );
  }

  // Every per-node and per-edge sum is a sum of a subset of the sample values, so if the absolute
  // values add up to a safe integer, all the arithmetic below is exact (and Go's int64 cannot
  // have overflowed either).
  let absTotal = 0;
  for (let i = 0; i < stacks.count; i++) {
    absTotal += Math.abs(stacks.value(i, valueIndex));
  }
  if (absTotal > Number.MAX_SAFE_INTEGER) {
    return err(
      profileFailure(
        'profile-unsupported',
        displayPath,
        `the ${p.sampleTypes[valueIndex]?.type} values add up to more than 2^53, which pgobuild cannot weigh exactly`,
      ),
    );
  }

  const graph = buildGraph(stacks, valueIndex);
  return namedEdges(graph, displayPath);
}

/**
 * The subset of `internal/profile.Graph` that PGO reads: nodes identified by
 * (function name, address, start line, line), with cumulative/flat sums and weighted out-edges.
 */
interface Graph {
  readonly name: string[];
  readonly startLine: number[];
  readonly line: number[];
  readonly cum: number[];
  readonly flat: number[];
  /** Per node: destination node → summed weight, in insertion order. */
  readonly out: Map<number, number>[];
}

/** `internal/profile.NewGraph` restricted to what `createNamedEdgeMap` uses. */
function buildGraph(stacks: SampleStacks, valueIndex: number): Graph {
  const g: Graph = { name: [], startLine: [], line: [], cum: [], flat: [], out: [] };
  const nodeByKey = new Map<string, number>();
  const nodesOfLocation = new Map<PprofLocation, number[]>();

  /** `address` is the location's address in decimal, made once per location. */
  const nodeFor = (name: string, address: string, startLine: number, line: number): number => {
    // The name goes last so that the numeric prefix can never make two keys collide.
    const key = `${address}:${startLine}:${line}:${name}`;
    let n = nodeByKey.get(key);
    if (n === undefined) {
      n = g.name.length;
      nodeByKey.set(key, n);
      g.name.push(name);
      g.startLine.push(startLine);
      g.line.push(line);
      g.cum.push(0);
      g.flat.push(0);
      g.out.push(new Map());
    }
    return n;
  };

  /** Go's CreateNodes: one node per Line (innermost first), or one address-only node. */
  const nodesOf = (l: PprofLocation): number[] => {
    let nodes = nodesOfLocation.get(l);
    if (nodes === undefined) {
      const address = l.address.toString();
      nodes =
        l.lines.length === 0
          ? [nodeFor('', address, 0, 0)]
          : l.lines.map((ln) =>
              ln.function === undefined
                ? nodeFor('', address, 0, 0)
                : nodeFor(ln.function.name, address, ln.function.startLine, ln.line),
            );
      nodesOfLocation.set(l, nodes);
    }
    return nodes;
  };

  // Per-sample dedup sets; samples touch only a handful of nodes, so arrays beat Sets.
  const seenNodes: number[] = [];
  const seenEdges: number[] = [];
  for (let si = 0; si < stacks.count; si++) {
    const w = stacks.value(si, valueIndex);
    if (w === 0) {
      continue;
    }
    seenNodes.length = 0;
    seenEdges.length = 0;
    let parent = -1;
    // Only the two leaf-most frames form call edges (see NewGraph's comment): walk from
    // locations[1] to locations[0], each one's inline chain from outermost to innermost.
    for (let i = Math.min(1, stacks.depth(si) - 1); i >= 0; i--) {
      const nodes = nodesOf(stacks.location(si, i));
      for (let ni = nodes.length - 1; ni >= 0; ni--) {
        const n = nodes[ni] as number;
        const sawNode = seenNodes.includes(n);
        if (!sawNode) {
          seenNodes.push(n);
          g.cum[n] = (g.cum[n] as number) + w;
        }
        if (parent !== -1 && n !== parent && (!sawNode || !hasPair(seenEdges, n, parent))) {
          seenEdges.push(n, parent);
          const out = g.out[parent] as Map<number, number>;
          out.set(n, (out.get(n) ?? 0) + w);
        }
        parent = n;
      }
    }
    if (parent !== -1) {
      g.flat[parent] = (g.flat[parent] as number) + w;
    }
  }
  return g;
}

/** Whether the flat pair list holds (a, b). */
function hasPair(pairs: readonly number[], a: number, b: number): boolean {
  for (let i = 0; i < pairs.length; i += 2) {
    if (pairs[i] === a && pairs[i + 1] === b) {
      return true;
    }
  }
  return false;
}

/** `cmd/internal/pgo.createNamedEdgeMap` and `postProcessNamedEdgeMap`. */
function namedEdges(g: Graph, displayPath: string): Result<WeightedEdge[], ProfileFailure> {
  // caller → callee → offset → weight; nested maps keep arbitrary names from colliding.
  const weights = new Map<string, Map<string, Map<number, number>>>();
  let totalWeight = 0;
  let seenStartLine = false;
  for (let n = 0; n < g.name.length; n++) {
    // selectNodesForGraph drops nodes with no weight at all; only the rest count below.
    if (g.cum[n] === 0 && g.flat[n] === 0) {
      continue;
    }
    const startLine = g.startLine[n] as number;
    seenStartLine ||= startLine !== 0;
    const caller = g.name[n] as string;
    const offset = (g.line[n] as number) - startLine;
    for (const [dest, w] of g.out[n] as Map<number, number>) {
      if (!Number.isSafeInteger(offset)) {
        return err(
          profileFailure(
            'profile-unsupported',
            displayPath,
            `a call site in ${caller} has a line offset beyond 2^53`,
          ),
        );
      }
      totalWeight += w;
      const callee = g.name[dest] as string;
      let byCallee = weights.get(caller);
      if (byCallee === undefined) {
        byCallee = new Map();
        weights.set(caller, byCallee);
      }
      let byOffset = byCallee.get(callee);
      if (byOffset === undefined) {
        byOffset = new Map();
        byCallee.set(callee, byOffset);
      }
      byOffset.set(offset, (byOffset.get(offset) ?? 0) + w);
    }
  }

  if (!seenStartLine) {
    return err(
      profileFailure(
        'profile-missing-start-line',
        displayPath,
        'no sampled function has a start line; expected a CPU profile from a program built ' +
          'with Go 1.20 or newer (which records Function.start_line)',
      ),
    );
  }
  if (totalWeight === 0) {
    return ok([]);
  }

  const edges: WeightedEdge[] = [];
  for (const [caller, byCallee] of weights) {
    for (const [callee, byOffset] of byCallee) {
      for (const [callSiteOffset, weight] of byOffset) {
        edges.push({ caller, callee, callSiteOffset, weight });
      }
    }
  }
  edges.sort(compareEdges);
  return ok(edges);
}

/**
 * The order of `cmd/internal/pgo.sortByWeight`: weight descending, then caller name, callee name
 * (both bytewise) and call-site offset ascending. The (caller, callee, offset) keys are unique,
 * so the order is total and the unstable sort in Go gives the same result.
 */
export function compareEdges(a: WeightedEdge, b: WeightedEdge): number {
  if (a.weight !== b.weight) {
    return a.weight > b.weight ? -1 : 1;
  }
  if (a.caller !== b.caller) {
    return compareUtf8(a.caller, b.caller);
  }
  if (a.callee !== b.callee) {
    return compareUtf8(a.callee, b.callee);
  }
  return a.callSiteOffset - b.callSiteOffset;
}
