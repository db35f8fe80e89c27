import type { SourceSpan } from '../util';

/** One go.sum line: the `h1:` hash of a module's content or of its go.mod file. */
export interface GoSumEntry {
  readonly hash: string;
  readonly span: SourceSpan;
}

/** A parsed go.sum: `path version` → content hash, `path version/go.mod` → go.mod hash. */
export interface GoSum {
  readonly file: string;
  readonly entries: ReadonlyMap<string, GoSumEntry>;
}

/**
 * Parses a go.sum file. Lines that are not `path version hash` are ignored, as cmd/go ignores
 * them (it reports them only when it rewrites the file).
 */
export function parseGoSum(file: string, text: string): GoSum {
  const entries = new Map<string, GoSumEntry>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 3) continue;
    const [path, version, hash] = fields as [string, string, string];
    const col = line.indexOf(hash) + 1;
    entries.set(`${path} ${version}`, {
      hash,
      span: { file, line: i + 1, col, endCol: col + hash.length },
    });
  }
  return { file, entries };
}

/** The go.sum key of a module's content hash, or (with `goMod`) of its go.mod hash. */
export function goSumKey(path: string, version: string, goMod = false): string {
  return `${path} ${version}${goMod ? '/go.mod' : ''}`;
}
