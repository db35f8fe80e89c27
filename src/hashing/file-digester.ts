import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import xxhash from 'xxhash-wasm';
import { writeFileAtomically } from '../util/atomic-write';
import type { Digest } from '../util/digest';
import { RACY_WINDOW_MS, statSignature } from '../util/stat-signature';

/** Version of the on-disk stat cache format; a different version is ignored and rewritten. */
const STAT_CACHE_VERSION = 1;

interface StatCacheEntry {
  /** `size:mtimeNs:ctimeNs:ino` of the file when `digest` was computed. */
  readonly stat: string;
  readonly digest: Digest;
}

type Hasher = Awaited<ReturnType<typeof xxhash>>;

/**
 * Computes SHA-256 digests of files, re-hashing a file only when its stat data changed since the
 * last time (the stat cache). The cache is keyed by an xxhash64 fingerprint of the absolute path:
 * a local, non-shared lookup where nobody can plant a collision, which is where DESIGN.md allows
 * xxhash. Digests themselves are always SHA-256.
 */
export class FileDigester {
  private readonly entries = new Map<string, StatCacheEntry>();
  private readonly inFlight = new Map<string, Promise<Digest>>();
  /** Digests computed by this process: a file is stat'ed at most once per command. */
  private readonly known = new Map<string, Digest>();
  /** Stat signature (`size:mtimeNs:ctimeNs:ino`) of each file when this process digested it. */
  private readonly seen = new Map<string, string>();
  private dirty = false;
  hashedBytes = 0;
  hashedFiles = 0;
  statHits = 0;

  private constructor(
    private readonly hasher: Hasher,
    private readonly storePath: string | undefined,
    private readonly now: () => number,
  ) {}

  /** Opens the stat cache stored at `storePath` (or a purely in-memory one when undefined). */
  static async open(
    storePath: string | undefined,
    now: () => number = Date.now,
  ): Promise<FileDigester> {
    const digester = new FileDigester(await xxhash(), storePath, now);
    if (storePath !== undefined) await digester.load(storePath);
    return digester;
  }

  private async load(storePath: string): Promise<void> {
    let text: string;
    try {
      text = await fsp.readFile(storePath, 'utf8');
    } catch {
      return; // first run, or removed: start empty
    }
    try {
      const parsed = JSON.parse(text) as {
        version?: number;
        entries?: Record<string, StatCacheEntry>;
      };
      if (parsed.version !== STAT_CACHE_VERSION || parsed.entries === undefined) return;
      for (const [k, v] of Object.entries(parsed.entries)) this.entries.set(k, v);
    } catch {
      // A damaged stat cache only costs re-hashing; never trust half of it.
      this.entries.clear();
    }
  }

  /** Writes the stat cache back (atomically) if anything changed. */
  async save(): Promise<void> {
    if (!this.dirty || this.storePath === undefined) return;
    await writeFileAtomically(
      this.storePath,
      JSON.stringify({ version: STAT_CACHE_VERSION, entries: Object.fromEntries(this.entries) }),
    );
    this.dirty = false;
  }

  /** SHA-256 of the file at `absPath` (symlinks followed). Throws on I/O errors: callers check existence first. */
  digest(absPath: string): Promise<Digest> {
    const known = this.known.get(absPath);
    if (known !== undefined) return Promise.resolve(known);
    const pending = this.inFlight.get(absPath);
    if (pending !== undefined) return pending;
    const promise = this.compute(absPath)
      .then((d) => {
        this.known.set(absPath, d);
        return d;
      })
      .finally(() => this.inFlight.delete(absPath));
    this.inFlight.set(absPath, promise);
    return promise;
  }

  /**
   * Every file digested by this process, with its stat signature at that moment: a later run can
   * tell that none of them changed without hashing ({@link statSignature} on each).
   */
  digestedFiles(): ReadonlyMap<string, string> {
    return this.seen;
  }

  /**
   * Drops what this process knows of a file it has just replaced (an output placed again): its
   * digest and signature are those of the old contents.
   */
  forget(absPath: string): void {
    this.known.delete(absPath);
    this.seen.delete(absPath);
  }

  /** The digest this process computed (or took from the stat cache) for a file, if any. */
  knownDigest(absPath: string): Digest | undefined {
    return this.known.get(absPath);
  }

  private async compute(absPath: string): Promise<Digest> {
    // Synchronous stat: thousands of stats per null build, each far cheaper than a promise hop.
    const st = fs.statSync(absPath, { bigint: true });
    const stat = statSignature(st);
    this.seen.set(absPath, stat);
    const key = this.hasher.h64ToString(absPath);
    const cached = this.entries.get(key);
    const racy = this.now() - Number(st.mtimeNs / 1000000n) < RACY_WINDOW_MS;
    if (cached !== undefined && cached.stat === stat && !racy) {
      this.statHits++;
      return cached.digest;
    }
    const digest = await hashFile(absPath, Number(st.size));
    this.hashedFiles++;
    this.hashedBytes += Number(st.size);
    if (!racy) {
      this.entries.set(key, { stat, digest });
      this.dirty = true;
    }
    return digest;
  }
}

/** Files up to this size are read whole (one synchronous read beats a stream's many callbacks). */
const WHOLE_READ_LIMIT = 8 << 20;

/** SHA-256 of a file's contents: read whole when small, streamed when large. */
export function hashFile(absPath: string, size = 0): Promise<Digest> {
  if (size <= WHOLE_READ_LIMIT) {
    try {
      return Promise.resolve(
        createHash('sha256').update(fs.readFileSync(absPath)).digest('hex') as Digest,
      );
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const stream = fs.createReadStream(absPath, { highWaterMark: 1 << 20 });
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve(hash.digest('hex') as Digest));
  });
}
