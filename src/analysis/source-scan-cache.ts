import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GoFileInfo } from '../go/scan';
import { writeFileAtomically } from '../util/atomic-write';
import { type Digest, isDigest, sha256 } from '../util/digest';
import { RACY_WINDOW_MS, statSignature } from '../util/stat-signature';

/** Version of the on-disk format; files of another version are ignored and rewritten. */
const FORMAT_VERSION = 1;

/** What analysis keeps of one source file whose stat signature has not changed. */
export interface ScannedFile {
  readonly digest: Digest;
  /** The header scan of a .go file (absent for other files, which are only digested). */
  readonly info?: GoFileInfo;
  /** For an assembly or header file: its `#include "…"` names, in order (see {@link quotedIncludes}). */
  readonly includes?: readonly string[];
}

interface StoredEntry extends ScannedFile {
  /** `size:mtimeNs:ctimeNs:ino` taken before the file was read (see {@link statSignature}). */
  readonly stat: string;
}

interface DirectoryEntries {
  readonly entries: Map<string, StoredEntry>;
  dirty: boolean;
}

/** Counts for tests and benchmarks: how many reads the cache answered. */
export interface ScanCacheStats {
  hits: number;
  misses: number;
}

/**
 * The persisted per-package analysis of source files: for every file analysis read, its SHA-256
 * and (for .go files) the header scan (package clause, imports, //go:embed, build constraints,
 * directives), keyed on the file's stat signature. A build after an edit re-reads and re-scans
 * only the files whose signature changed; the others are answered from here without being read.
 *
 * What a scan result depends on: the file's bytes (the signature stands for them, as in the
 * FileDigester's stat cache; a file modified within {@link RACY_WINDOW_MS} of now is neither
 * trusted nor stored, git's racy-clean rule) and the scanner's code (its source text's digest is
 * part of every file's identity, so a pgobuild upgrade never reuses an old scan). Build tags,
 * GOOS/GOARCH, go.mod and the SDK are applied after the scan, by the callers, on every build:
 * they are not part of a scan result and so not of its key.
 *
 * One file per package directory, `<dir>/<sha256 of the directory path>.json`, loaded when the
 * directory is first read, rewritten (temp file + rename) only when one of its entries changed.
 * Each file carries the SHA-256 of its payload: a truncated or damaged file is ignored as a whole
 * (the package is analysed afresh), never half-trusted. Concurrent builds may each rewrite a
 * directory's file; the last rename wins, and every entry of either is correct for its signature.
 */
export class SourceScanCache {
  private readonly dirs = new Map<string, DirectoryEntries>();
  readonly stats: ScanCacheStats = { hits: 0, misses: 0 };

  private constructor(
    private readonly storeDir: string | undefined,
    /** Digest of the scanner's code, part of each stored file's identity. */
    private readonly scannerId: string,
    private readonly now: () => number,
  ) {}

  /**
   * A cache stored under `storeDir` (created on first save); with `storeDir` undefined, a cache
   * that answers nothing and stores nothing (every file is read, as without a cache).
   */
  static open(storeDir: string | undefined, now: () => number = Date.now): SourceScanCache {
    return new SourceScanCache(storeDir, storeDir === undefined ? '' : scannerFingerprint(), now);
  }

  /**
   * The stored analysis of `absPath` if it was stored with signature `stat` (from
   * {@link trustedSignature}, taken now); undefined when the file must be read.
   */
  get(absPath: string, stat: string): ScannedFile | undefined {
    const entry = this.dirFor(absPath).entries.get(absPath);
    if (entry === undefined || entry.stat !== stat) {
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    return entry;
  }

  /**
   * The file's stat signature, to look it up and to store with it: taken before the file is read,
   * so that a write racing with the read leaves a signature that no longer matches (the next build
   * re-reads). Undefined when the file is too recently modified to be trusted (the read is then
   * neither answered nor stored), is not a regular file, or cannot be stat'ed.
   */
  trustedSignature(absPath: string): string | undefined {
    if (this.storeDir === undefined) return undefined;
    let st: fs.BigIntStats;
    try {
      st = fs.statSync(absPath, { bigint: true });
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    if (this.now() - Number(st.mtimeNs / 1000000n) < RACY_WINDOW_MS) return undefined;
    return statSignature(st);
  }

  /** Records what a read of `absPath` found, for a file whose signature before the read was `stat`. */
  store(absPath: string, stat: string, scanned: ScannedFile): void {
    const dir = this.dirFor(absPath);
    const old = dir.entries.get(absPath);
    if (old !== undefined && old.stat === stat && old.digest === scanned.digest) return;
    dir.entries.set(absPath, {
      stat,
      digest: scanned.digest,
      ...(scanned.info !== undefined ? { info: scanned.info } : {}),
      ...(scanned.includes !== undefined ? { includes: scanned.includes } : {}),
    });
    dir.dirty = true;
  }

  /**
   * Writes back the directories whose entries changed. A failure to write (a full disk, a
   * read-only cache) only costs the next build a re-scan, so it is not an error.
   */
  async save(): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const [dir, d] of this.dirs) {
      if (!d.dirty) continue;
      d.dirty = false;
      const payload = JSON.stringify({
        version: FORMAT_VERSION,
        scanner: this.scannerId,
        dir,
        entries: Object.fromEntries(
          [...d.entries].map(([abs, e]) => [path.basename(abs), e] as const),
        ),
      });
      writes.push(
        writeFileAtomically(this.fileFor(dir), `${sha256Hex(payload)}\n${payload}`).catch(
          () => undefined,
        ),
      );
    }
    await Promise.all(writes);
  }

  private fileFor(dir: string): string {
    return path.join(this.storeDir ?? '', `${sha256Hex(dir)}.json`);
  }

  private dirFor(absPath: string): DirectoryEntries {
    const dir = path.dirname(absPath);
    let d = this.dirs.get(dir);
    if (d === undefined) {
      d = { entries: this.loadDir(dir), dirty: false };
      this.dirs.set(dir, d);
    }
    return d;
  }

  /** The stored entries of `dir`; empty when there are none or the file is not intact. */
  private loadDir(dir: string): Map<string, StoredEntry> {
    const entries = new Map<string, StoredEntry>();
    let text: string;
    try {
      text = fs.readFileSync(this.fileFor(dir), 'utf8');
    } catch {
      return entries;
    }
    const parsed = parseStoredDirectory(text, dir, this.scannerId);
    if (parsed === undefined) return entries;
    for (const [name, e] of Object.entries(parsed)) entries.set(path.join(dir, name), e);
    return entries;
  }
}

/**
 * The entries of a stored directory file, or undefined unless it is intact (its checksum matches),
 * of this format and scanner, for `dir`, and every entry has the expected shape.
 */
export function parseStoredDirectory(
  text: string,
  dir: string,
  scannerId: string,
): Record<string, StoredEntry> | undefined {
  const newline = text.indexOf('\n');
  if (newline < 0) return undefined;
  const payload = text.slice(newline + 1);
  if (text.slice(0, newline) !== sha256Hex(payload)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  if (parsed['version'] !== FORMAT_VERSION || parsed['scanner'] !== scannerId) return undefined;
  if (parsed['dir'] !== dir) return undefined;
  const entries = parsed['entries'];
  if (!isRecord(entries)) return undefined;
  for (const e of Object.values(entries)) if (!isStoredEntry(e)) return undefined;
  return entries as Record<string, StoredEntry>;
}

function isStoredEntry(e: unknown): e is StoredEntry {
  if (!isRecord(e)) return false;
  if (typeof e['stat'] !== 'string' || typeof e['digest'] !== 'string') return false;
  if (!isDigest(e['digest'])) return false;
  const includes = e['includes'];
  if (
    includes !== undefined &&
    !(Array.isArray(includes) && includes.every((i) => typeof i === 'string'))
  )
    return false;
  const info = e['info'];
  if (info === undefined) return true;
  return (
    isRecord(info) &&
    typeof info['packageName'] === 'string' &&
    isRecord(info['packageSpan']) &&
    Array.isArray(info['imports']) &&
    Array.isArray(info['embedPatterns']) &&
    Array.isArray(info['directives']) &&
    Array.isArray(info['goDebug']) &&
    Array.isArray(info['goDebugErrors']) &&
    typeof info['importsC'] === 'boolean' &&
    typeof info['binaryOnly'] === 'boolean'
  );
}

/**
 * The `#include "…"` names of an assembly or header file, in order: from the cache when the file
 * is unchanged, else read (and stored). Undefined when the file cannot be read.
 */
export function quotedIncludes(
  absPath: string,
  cache: SourceScanCache | undefined,
): readonly string[] | undefined {
  const stat = cache?.trustedSignature(absPath);
  if (cache !== undefined && stat !== undefined) {
    const hit = cache.get(absPath, stat);
    if (hit?.includes !== undefined) return hit.includes;
  }
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(absPath);
  } catch {
    return undefined;
  }
  const includes = [...bytes.toString('utf8').matchAll(/^\s*#include\s+"([^"]+)"/gm)].map(
    (m) => m[1] as string,
  );
  if (cache !== undefined && stat !== undefined)
    cache.store(absPath, stat, { digest: sha256(bytes) as Digest, includes });
  return includes;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

let fingerprint: string | undefined;

/**
 * The digest of the Go scanner's code (this module's sibling `go/scan` directory, compiled or
 * not, and this file): a changed scanner never reads results an older one stored.
 */
function scannerFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const hash = createHash('sha256');
  const scanDir = path.join(__dirname, '..', 'go', 'scan');
  const files = [
    ...fs
      .readdirSync(scanDir)
      .filter((n) => /\.(js|ts)$/.test(n))
      .sort()
      .map((n) => path.join(scanDir, n)),
    __filename,
  ];
  for (const f of files) hash.update(`${path.basename(f)}\0`).update(fs.readFileSync(f));
  fingerprint = hash.digest('hex');
  return fingerprint;
}
