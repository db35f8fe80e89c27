import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { Digest } from '../util';

/**
 * `dirhash.Hash1` (golang.org/x/mod), the `h1:` hash go.sum records for a module: SHA-256 over
 * the lines `<sha256 hex of file>  <prefix>/<slash path>\n` of every file, sorted by name, then
 * base64. `digest` gives a file's SHA-256 (the caller's stat cache makes re-verification cheap).
 */
export async function hashModuleDir(
  dir: string,
  prefix: string,
  digest: (absPath: string) => Promise<Digest>,
): Promise<string> {
  const files = listFiles(dir).sort((a, b) => {
    const x = `${prefix}/${a}`;
    const y = `${prefix}/${b}`;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const digests = await Promise.all(files.map((f) => digest(path.join(dir, f))));
  const summary = createHash('sha256');
  files.forEach((f, i) => summary.update(`${digests[i] as string}  ${prefix}/${f}\n`));
  return `h1:${summary.digest('base64')}`;
}

/** Every regular file below `dir`, as slash-separated relative paths (module zips hold nothing else). */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const entries = fs.readdirSync(rel === '' ? dir : path.join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else if (e.isFile()) out.push(child);
    }
  };
  walk('');
  return out;
}
