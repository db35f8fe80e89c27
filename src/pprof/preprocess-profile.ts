import { ok, type Result } from '../util/result';
import { decodeProfileStacks } from './decode-profile';
import type { ProfileFailure } from './profile-failure';
import { readProfileFile } from './profile-file';
import { stackEdges } from './profile-edges';
import { serializePreprocessed } from './serialize-preprocessed';

/**
 * Turns the bytes of a pprof profile into the bytes `go tool preprofile` writes for it: decode,
 * compute the weighted call edges, serialize. An empty input gives the header alone, as in Go.
 */
export function preprocessProfileBytes(
  bytes: Uint8Array,
  displayPath: string,
): Result<Uint8Array, ProfileFailure> {
  const decoded = decodeProfileStacks(bytes, displayPath);
  if (!decoded.ok) {
    return decoded;
  }
  if (decoded.value === 'empty') {
    return ok(serializePreprocessed([]));
  }
  const edges = stackEdges(decoded.value.sampleTypes, decoded.value.stacks, displayPath);
  if (!edges.ok) {
    return edges;
  }
  return ok(serializePreprocessed(edges.value));
}

/**
 * Reads and preprocesses a profile file. `displayPath` names the file in failures (the path the
 * user wrote, or a workspace-relative one), never the absolute path.
 */
export async function preprocessProfileFile(
  absPath: string,
  displayPath: string,
): Promise<Result<Uint8Array, ProfileFailure>> {
  const bytes = await readProfileFile(absPath, displayPath);
  if (!bytes.ok) {
    return bytes;
  }
  return preprocessProfileBytes(bytes.value, displayPath);
}
