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
  // Written straight into one growing buffer: a million edges as strings joined at the end held
  // the text twice (UTF-16 parts and the joined string) on top of the bytes.
  let out = Buffer.allocUnsafe(Math.max(256, 48 * edges.length));
  let length = out.write(PREPROFILE_HEADER, 0, 'utf8');
  for (const e of edges) {
    // Safe integers print as plain decimal in JS, like Go's %d.
    const text = `${e.caller}\n${e.callee}\n${e.callSiteOffset} ${e.weight}\n`;
    // A UTF-16 code unit never takes more than 3 bytes in UTF-8.
    if (length + 3 * text.length > out.length) {
      const bigger = Buffer.allocUnsafe(Math.max(2 * out.length, length + 3 * text.length));
      out.copy(bigger, 0, 0, length);
      out = bigger;
    }
    length += out.write(text, length, 'utf8');
  }
  return out.subarray(0, length);
}
