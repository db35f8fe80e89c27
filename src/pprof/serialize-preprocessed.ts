import type { WeightedEdge } from './profile-edges';

/** The first line of every preprocessed profile (`cmd/internal/pgo/serialize.go`), 17 bytes. */
export const PREPROFILE_HEADER = 'GO PREPROFILE V1\n';

/**
 * Writes edges in the Go compiler's serialized profile format, the output of
 * `go tool preprofile`: the header, then per edge the caller, the callee and
 * `<offset> <weight>`, each on its own line. The edges are written in the order given, which
 * must be {@link profileEdges}' order for the bytes to match Go's.
 */
export function serializePreprocessed(edges: readonly WeightedEdge[]): Uint8Array {
  const parts: string[] = [PREPROFILE_HEADER];
  for (const e of edges) {
    // Safe integers print as plain decimal in JS, like Go's %d.
    parts.push(`${e.caller}\n${e.callee}\n${e.callSiteOffset} ${e.weight}\n`);
  }
  return Buffer.from(parts.join(''), 'utf8');
}
