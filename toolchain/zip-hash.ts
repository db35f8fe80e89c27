import { createHash } from 'node:crypto';
import { type Result, err, ok } from '../src/util';

/** A file of a module zip and the SHA-256 (hex) of its uncompressed content. */
export interface HashedZipFile {
  readonly name: string;
  readonly sha256: string;
}

/**
 * `dirhash.HashZip(zip, dirhash.Hash1)` (golang.org/x/mod): the `h1:` hash go.sum and the checksum
 * database record for a module zip. SHA-256 over the lines `<sha256 hex>  <name>\n` of every entry
 * of the zip, sorted bytewise by name, then base64. Every entry counts, as in x/mod (a directory
 * entry hashes as an empty file); a name holding a newline is refused, as Hash1 refuses it.
 */
export function hashZipFiles(files: readonly HashedZipFile[]): Result<string, string> {
  const sorted = [...files].sort((a, b) =>
    Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)),
  );
  const summary = createHash('sha256');
  for (const f of sorted) {
    if (f.name.includes('\n'))
      return err(`zip entry name contains a newline: ${JSON.stringify(f.name)}`);
    summary.update(`${f.sha256}  ${f.name}\n`);
  }
  return ok(`h1:${summary.digest('base64')}`);
}
