import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';

/** Size of a Unix `ar` member header. */
export const AR_HEADER_SIZE = 60;

/**
 * Formats the 60-byte `ar` member header exactly as cmd/go's in-process pack
 * (`packInternal` in cmd/go/internal/work/gc.go, Go 1.26) writes it:
 * `%s%-12d%-6d%-6d%-8o%-10d` + "`\n" with name, mtime 0, uid 0, gid 0, mode 0644 and the size.
 *
 * The name is the basename measured in bytes: cut to 16 bytes when longer (even mid-rune, as Go
 * slices bytes), space-padded when shorter. Go 1.26's `packInternal` has no `.syso` special case,
 * although go-toolchain.md §7.8 describes one; we follow the source that produces the archives.
 */
export function formatArHeader(name: string, size: number): Buffer {
  if (!Number.isSafeInteger(size) || size < 0 || size >= 1e10) {
    // A 10-digit decimal field cannot hold it; cmd/go would write a corrupt header.
    throw new Error(`ar member size out of range: ${size}`);
  }
  const nameBytes = Buffer.from(name, 'utf8');
  const nameField = Buffer.alloc(16, 0x20);
  nameBytes.copy(nameField, 0, 0, Math.min(16, nameBytes.length));
  const rest =
    '0'.padEnd(12) +
    '0'.padEnd(6) +
    '0'.padEnd(6) +
    (0o644).toString(8).padEnd(8) +
    String(size).padEnd(10) +
    '`\n';
  const header = Buffer.concat([nameField, Buffer.from(rest, 'latin1')]);
  if (header.length !== AR_HEADER_SIZE) {
    throw new Error(`bug: ar header is ${header.length} bytes`);
  }
  return header;
}

/**
 * Appends object files to an existing Go archive (written by `compile -pack`), byte for byte as
 * cmd/go does: for each member in order, a header (see {@link formatArHeader}), its bytes, and one
 * `\0` pad byte when its size is odd. The archive must already exist (cmd/go opens it without
 * O_CREATE); the archive's own magic is not checked, like cmd/go.
 *
 * Rejects with the underlying I/O error (missing member, missing archive); the sandbox turns that
 * into a failure of the action.
 */
export async function appendToArchive(
  archivePath: string,
  memberPaths: readonly string[],
): Promise<void> {
  // Read everything first so that a missing member leaves the archive untouched.
  const chunks: Buffer[] = [];
  for (const member of memberPaths) {
    const bytes = await fs.readFile(member);
    chunks.push(formatArHeader(path.basename(member), bytes.length), bytes);
    if (bytes.length % 2 !== 0) {
      chunks.push(Buffer.of(0));
    }
  }
  const handle = await fs.open(archivePath, fsConstants.O_WRONLY | fsConstants.O_APPEND);
  try {
    await handle.writeFile(Buffer.concat(chunks));
  } finally {
    await handle.close();
  }
}
