import { readFile, stat } from 'node:fs/promises';
import { err, ok, type Result } from '../util/result';
import { decodeProfile } from './decode-profile';
import { profileFailure, type ProfileFailure } from './profile-failure';
import { profileEdges } from './profile-edges';
import { serializePreprocessed } from './serialize-preprocessed';

/**
 * Turns the bytes of a pprof profile into the bytes `go tool preprofile` writes for it: decode,
 * compute the weighted call edges, serialize. An empty input gives the header alone, as in Go.
 */
export function preprocessProfileBytes(
  bytes: Uint8Array,
  displayPath: string,
): Result<Uint8Array, ProfileFailure> {
  const decoded = decodeProfile(bytes, displayPath);
  if (!decoded.ok) {
    return decoded;
  }
  if (decoded.value === 'empty') {
    return ok(serializePreprocessed([]));
  }
  const edges = profileEdges(decoded.value, displayPath);
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

/** Reads a whole profile file, turning a directory or an I/O error into a failure value. */
export async function readProfileFile(
  absPath: string,
  displayPath: string,
): Promise<Result<Uint8Array, ProfileFailure>> {
  try {
    // A default.pgo that is a directory "exists" for cmd/go's auto lookup; say so plainly
    // rather than with EISDIR.
    if ((await stat(absPath)).isDirectory()) {
      return err(
        profileFailure(
          'profile-is-directory',
          displayPath,
          'expected a pprof CPU profile file, found a directory',
        ),
      );
    }
    return ok(await readFile(absPath));
  } catch (e) {
    return err(profileFailure('profile-unreadable', displayPath, ioMessage(e)));
  }
}

/**
 * The OS's description of an I/O error without the absolute path, e.g.
 * `ENOENT: no such file or directory`. Duck-typed: errors from another realm (jest's sandbox)
 * fail `instanceof Error`.
 */
function ioMessage(e: unknown): string {
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  if (typeof message !== 'string') {
    return String(e);
  }
  const withoutPath = message.replace(/, \w+ '.*'$/, '');
  return typeof code === 'string' && !withoutPath.startsWith(`${code}:`)
    ? `${code}: ${withoutPath}`
    : withoutPath;
}
