import * as fs from 'node:fs';
import * as path from 'node:path';

/** A temp name beside `file`, unique per process and call, on the same filesystem. */
function tempNameFor(file: string): string {
  return `${file}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`;
}

/**
 * Writes `file` so that a reader sees the old content or the new one, never a part: the data goes
 * to a temp file beside it, then a rename replaces it. Parent directories are created.
 */
export async function writeFileAtomically(file: string, data: string | Uint8Array): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = tempNameFor(file);
  await fs.promises.writeFile(tmp, data);
  await fs.promises.rename(tmp, file);
}

/** Synchronous {@link writeFileAtomically}, for start-up paths that are synchronous anyway. */
export function writeFileAtomicallySync(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempNameFor(file);
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}
