import * as os from 'node:os';
import * as path from 'node:path';
import type { ActionKey } from '../actions/action-key';
import type { Digest } from '../util/digest';
import { isDigest } from '../util/digest';

/**
 * The version directory under the cache root. Bump it whenever the format of any entry changes:
 * a new version starts empty instead of misreading old entries (`pgobuild clean` or garbage
 * collection of the old tree is then the user's call).
 */
export const DISK_LAYOUT_VERSION = 'v1';

/**
 * Where everything of one disk cache lives:
 *
 * ```
 * <root>/v1/cas/<first 2 hex>/<digest>   blobs, read-only
 * <root>/v1/ac/<first 2 hex>/<key>       action records (see action-record.ts)
 * <root>/v1/tmp/                         writes in progress, renamed into place when complete
 * ```
 *
 * `tmp` sits inside the versioned tree so that it is on the same filesystem as the entries and
 * `rename` is atomic.
 */
export class DiskLayout {
  /** `<root>/v1`. */
  readonly base: string;
  /** Directory of CAS shards. */
  readonly casDir: string;
  /** Directory of AC shards. */
  readonly acDir: string;
  /** Directory of in-progress writes. */
  readonly tmpDir: string;

  constructor(root: string) {
    this.base = path.join(path.resolve(root), DISK_LAYOUT_VERSION);
    this.casDir = path.join(this.base, 'cas');
    this.acDir = path.join(this.base, 'ac');
    this.tmpDir = path.join(this.base, 'tmp');
  }

  /** The path of a blob. Throws on a malformed digest (a bug: it would escape the layout). */
  blobPath(digest: Digest): string {
    if (!isDigest(digest)) throw new Error(`not a digest: ${JSON.stringify(digest)}`);
    return path.join(this.casDir, digest.slice(0, 2), digest);
  }

  /** The path of an action record. Throws on a malformed key. */
  actionPath(key: ActionKey): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`not an action key: ${JSON.stringify(key)}`);
    return path.join(this.acDir, key.slice(0, 2), key);
  }
}

/**
 * The default disk cache root: `$XDG_CACHE_HOME/pgobuild` when that is set to an absolute path,
 * else `~/.cache/pgobuild`. `--disk_cache` overrides it.
 */
export function defaultDiskCacheRoot(
  env: Readonly<Record<string, string | undefined>> = process.env,
  home: string = os.homedir(),
): string {
  const xdg = env['XDG_CACHE_HOME'];
  // The XDG spec says relative values are invalid and must be ignored.
  if (xdg !== undefined && path.isAbsolute(xdg)) return path.join(xdg, 'pgobuild');
  return path.join(home, '.cache', 'pgobuild');
}
