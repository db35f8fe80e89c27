import * as fs from 'node:fs';
import { type Result, err, ok } from '../util';

/**
 * Reads a user file that must be a regular file of bounded size: a FIFO would block the read
 * forever, a device such as /dev/zero never ends, and a huge file would exhaust memory. The
 * failure is a plain message (without the path, which the caller names).
 *
 * @param maxBytes the largest size accepted
 */
export function readRegularFile(absPath: string, maxBytes: number): Result<Buffer, string> {
  let st: fs.Stats;
  try {
    st = fs.statSync(absPath);
  } catch (e) {
    return err(
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (e as Error).message,
    );
  }
  if (st.isDirectory()) return err('is a directory, not a file');
  if (!st.isFile()) return err('is not a regular file (a FIFO, socket or device)');
  if (st.size > maxBytes) return err(`is ${st.size} bytes, larger than the limit of ${maxBytes}`);
  try {
    return ok(fs.readFileSync(absPath));
  } catch (e) {
    return err((e as Error).message);
  }
}

/** The largest BUILD or .bzl file read. */
export const MAX_BUILD_FILE_BYTES = 16 * 1024 * 1024;

/** The largest source file (Go, assembly, embedded file) read. */
export const MAX_SOURCE_FILE_BYTES = 256 * 1024 * 1024;
