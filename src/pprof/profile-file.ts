import { readFile, stat } from 'node:fs/promises';
import { err, ok, type Result } from '../util/result';
import { profileFailure, type ProfileFailure } from './profile-failure';

// Reading a profile file is kept apart from decoding it: a build whose preprocessed profiles are
// all cached reads and hashes the raw files but never decodes them, and must not pay for loading
// protobufjs and the decoder (test/e2e/startup-modules.test.ts checks that it does not).

/** The largest profile file read (CPU profiles of real services are a few MiB). */
export const MAX_PROFILE_BYTES = 256 * 1024 * 1024;

/**
 * Reads a whole profile file, turning a directory, a file that is not regular (FIFO, device), one
 * larger than {@link MAX_PROFILE_BYTES} or an I/O error into a failure value.
 */
export async function readProfileFile(
  absPath: string,
  displayPath: string,
): Promise<Result<Uint8Array, ProfileFailure>> {
  try {
    // A default.pgo that is a directory "exists" for cmd/go's auto lookup; say so plainly
    // rather than with EISDIR.
    const st = await stat(absPath);
    if (st.isDirectory()) {
      return err(
        profileFailure(
          'profile-is-directory',
          displayPath,
          'expected a pprof CPU profile file, found a directory',
        ),
      );
    }
    // A FIFO would block the read forever and a device (/dev/zero) never ends.
    if (!st.isFile()) {
      return err(
        profileFailure(
          'profile-unreadable',
          displayPath,
          'is not a regular file (a FIFO, socket or device); expected a pprof CPU profile file',
        ),
      );
    }
    if (st.size > MAX_PROFILE_BYTES) {
      return err(
        profileFailure(
          'profile-unsupported',
          displayPath,
          `is ${st.size} bytes; profiles larger than ${MAX_PROFILE_BYTES} bytes are not read`,
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
