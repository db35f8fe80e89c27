import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { EXIT } from '../util/exit-code';
import { errorMessage } from './error-message';
import { formatProfileFailure } from './profile-failure';
import { preprocessProfileFile } from './preprocess-profile';

/** The streams and directory {@link runPreprocessCommand} works with (injected for tests). */
export interface PreprocessCommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Relative `input`/`output` paths are resolved against this directory. */
  readonly cwd: string;
}

/**
 * Implements `pgobuild pgo preprocess <in> [-o out]`, the equivalent of
 * `go tool preprofile -i in [-o out]`: writes the preprocessed profile to `out`, or to stdout
 * without it. Returns the exit code: 0, or 2 after printing the formatted failure to stderr.
 */
export async function runPreprocessCommand(
  input: string,
  output: string | undefined,
  io: PreprocessCommandIo,
): Promise<number> {
  const result = await preprocessProfileFile(path.resolve(io.cwd, input), input);
  if (!result.ok) {
    await writeTo(io.stderr, `${formatProfileFailure(result.failure)}\n`);
    return EXIT.usage;
  }
  if (output === undefined) {
    await writeTo(io.stdout, result.value);
    return EXIT.ok;
  }
  try {
    await writeFile(path.resolve(io.cwd, output), result.value);
  } catch (e) {
    const message = errorMessage(e);
    await writeTo(io.stderr, `${output}: cannot write the preprocessed profile: ${message}\n`);
    return EXIT.usage;
  }
  return EXIT.ok;
}

/** Writes and waits until the stream has taken the data, so the exit code follows the output. */
function writeTo(stream: NodeJS.WritableStream, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(data, (e?: Error | null) => (e ? reject(e) : resolve()));
  });
}
