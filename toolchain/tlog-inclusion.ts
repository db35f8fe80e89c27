import { createHash } from 'node:crypto';
import { type Result, err, ok } from '../src/util';

/** Tile height of sum.golang.org (`tile/8/…`): each tile holds 256 hashes of one level. */
const TILE_HEIGHT = 8;
const TILE_WIDTH = 1 << TILE_HEIGHT;

/** Fetches a tile by its path below the database URL (`tile/8/0/x241/187`), raw hashes. */
export type TileReader = (tilePath: string) => Promise<Result<Buffer, string>>;

/** RFC 6962 leaf hash of a record: SHA-256(0x00 ‖ record). */
export function recordHash(record: Buffer): Buffer {
  return createHash('sha256')
    .update(Buffer.from([0]))
    .update(record)
    .digest();
}

function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(left)
    .update(right)
    .digest();
}

/**
 * `tlog.Tile.Path` (golang.org/x/mod/sumdb/tlog): `tile/<H>/<L>/<N>` with N in groups of three
 * digits, all but the last prefixed by `x`, and `.p/<W>` for a partial tile of width W.
 */
export function tilePath(level: number, index: number, width: number): string {
  let n = String(index % 1000).padStart(3, '0');
  for (let rest = Math.floor(index / 1000); rest > 0; rest = Math.floor(rest / 1000))
    n = `x${String(rest % 1000).padStart(3, '0')}/${n}`;
  return `tile/${TILE_HEIGHT}/${level}/${n}${width === TILE_WIDTH ? '' : `.p/${width}`}`;
}

/**
 * Checks that record `index`, whose leaf hash is `leaf`, is in the tree of `treeSize` records whose
 * root hash is `root` (from a signed tree head): recomputes the root along the record's audit path
 * (RFC 6962 §2.1.1), reading the hashes of the complete subtrees it needs from the log's tiles as
 * the sumdb client does. A wrong hash anywhere yields another root, so tiles need no other check.
 */
export async function checkInclusion(
  index: number,
  leaf: Buffer,
  treeSize: number,
  root: Buffer,
  readTile: TileReader,
): Promise<Result<void, string>> {
  if (!(index >= 0 && index < treeSize)) return err(`record ${index} outside tree of ${treeSize}`);
  const tiles = new Map<string, Promise<Result<Buffer, string>>>();

  /** The stored hash of the complete subtree of 2^level records starting at k·2^level. */
  const stored = async (level: number, k: number): Promise<Result<Buffer, string>> => {
    const tileLevel = Math.floor(level / TILE_HEIGHT);
    const within = level - tileLevel * TILE_HEIGHT;
    const first = k * 2 ** within; // index of its first hash in the tile level's bottom row
    const tileIndex = Math.floor(first / TILE_WIDTH);
    const rowCount = Math.floor(treeSize / 2 ** (tileLevel * TILE_HEIGHT));
    const width = Math.min(TILE_WIDTH, rowCount - tileIndex * TILE_WIDTH);
    const p = tilePath(tileLevel, tileIndex, width);
    let tile = tiles.get(p);
    if (tile === undefined) {
      tile = readTile(p);
      tiles.set(p, tile);
    }
    const data = await tile;
    if (!data.ok) return data;
    if (data.value.length !== width * 32)
      return err(`${p}: ${data.value.length} bytes, expected ${width * 32}`);
    let row: Buffer[] = [];
    const offset = first - tileIndex * TILE_WIDTH;
    for (let i = 0; i < 2 ** within; i++) {
      const at = (offset + i) * 32;
      row.push(data.value.subarray(at, at + 32));
    }
    while (row.length > 1) {
      const next: Buffer[] = [];
      for (let i = 0; i < row.length; i += 2)
        next.push(nodeHash(row[i] as Buffer, row[i + 1] as Buffer));
      row = next;
    }
    return ok(row[0] as Buffer);
  };

  /** MTH of records [lo, hi): stored when it is a complete aligned subtree, else combined. */
  const subtree = async (lo: number, hi: number): Promise<Result<Buffer, string>> => {
    const size = hi - lo;
    if ((size & (size - 1)) === 0 && lo % size === 0) {
      const level = Math.log2(size);
      return stored(level, lo / size);
    }
    const k = largestPowerOfTwoBelow(size);
    const left = await subtree(lo, lo + k);
    if (!left.ok) return left;
    const right = await subtree(lo + k, hi);
    if (!right.ok) return right;
    return ok(nodeHash(left.value, right.value));
  };

  /** The root of [lo, hi) computed from the leaf upwards along its audit path. */
  const rootOf = async (lo: number, hi: number): Promise<Result<Buffer, string>> => {
    if (hi - lo === 1) return ok(leaf);
    const k = largestPowerOfTwoBelow(hi - lo);
    if (index < lo + k) {
      const left = await rootOf(lo, lo + k);
      if (!left.ok) return left;
      const right = await subtree(lo + k, hi);
      return right.ok ? ok(nodeHash(left.value, right.value)) : right;
    }
    const left = await subtree(lo, lo + k);
    if (!left.ok) return left;
    const right = await rootOf(lo + k, hi);
    return right.ok ? ok(nodeHash(left.value, right.value)) : right;
  };

  const computed = await rootOf(0, treeSize);
  if (!computed.ok) return computed;
  if (!computed.value.equals(root))
    return err(`record ${index} is not in the signed tree of ${treeSize} records`);
  return ok(undefined);
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
