import { createHash } from 'node:crypto';
import { type TileReader, checkInclusion, recordHash, tilePath } from '../../toolchain';

/** A transparent log of `n` records with its tiles, built the way sum.golang.org stores them. */
function makeLog(n: number): {
  leaves: Buffer[];
  root: Buffer;
  readTile: TileReader;
  reads: string[];
} {
  const leaves = Array.from({ length: n }, (_, i) => recordHash(Buffer.from(`record ${i}\n`)));
  const node = (a: Buffer, b: Buffer): Buffer =>
    createHash('sha256')
      .update(Buffer.from([1]))
      .update(a)
      .update(b)
      .digest();
  // levels[l][k]: hash of the complete subtree of 2^l records starting at k·2^l.
  const levels: Buffer[][] = [leaves];
  for (let l = 0; (levels[l] as Buffer[]).length > 1; l++) {
    const row = levels[l] as Buffer[];
    const up: Buffer[] = [];
    for (let k = 0; k + 1 < row.length; k += 2)
      up.push(node(row[k] as Buffer, row[k + 1] as Buffer));
    levels.push(up);
  }
  const mth = (lo: number, hi: number): Buffer => {
    if (hi - lo === 1) return leaves[lo] as Buffer;
    let k = 1;
    while (k * 2 < hi - lo) k *= 2;
    return node(mth(lo, lo + k), mth(lo + k, hi));
  };
  const tiles = new Map<string, Buffer>();
  for (let tl = 0; tl * 8 < levels.length; tl++) {
    const row = levels[tl * 8] as Buffer[];
    for (let tn = 0; tn * 256 < row.length; tn++) {
      const hashes = row.slice(tn * 256, tn * 256 + 256);
      tiles.set(tilePath(tl, tn, hashes.length), Buffer.concat(hashes));
    }
  }
  const reads: string[] = [];
  return {
    leaves,
    root: mth(0, n),
    reads,
    readTile: async (p) => {
      reads.push(p);
      const t = tiles.get(p);
      return t === undefined ? { ok: false, failure: `no tile ${p}` } : { ok: true, value: t };
    },
  };
}

describe('tlog inclusion proofs from tiles', () => {
  test('tile paths as golang.org/x/mod/sumdb/tlog writes them', () => {
    expect(tilePath(0, 241187, 256)).toBe('tile/8/0/x241/187');
    expect(tilePath(3, 3, 3)).toBe('tile/8/3/003.p/3');
    expect(tilePath(1, 1234567, 17)).toBe('tile/8/1/x001/x234/567.p/17');
  });

  test.each([1, 2, 255, 256, 257, 70001])(
    'every checked record of a %i-record log is included',
    async (n) => {
      const log = makeLog(n);
      for (const i of new Set(
        [0, 1, 255, 256, 65535, 65536, n - 2, n - 1].filter((i) => i >= 0 && i < n),
      )) {
        expect(await checkInclusion(i, log.leaves[i] as Buffer, n, log.root, log.readTile)).toEqual(
          {
            ok: true,
            value: undefined,
          },
        );
      }
    },
  );

  test('another record, another index, another root or a missing tile fail', async () => {
    const n = 70001;
    const log = makeLog(n);
    const leaf = log.leaves[300] as Buffer;
    expect(
      (await checkInclusion(300, recordHash(Buffer.from('forged\n')), n, log.root, log.readTile))
        .ok,
    ).toBe(false);
    expect((await checkInclusion(301, leaf, n, log.root, log.readTile)).ok).toBe(false);
    expect((await checkInclusion(300, leaf, n, Buffer.alloc(32), log.readTile)).ok).toBe(false);
    expect((await checkInclusion(300, leaf, n + 5, log.root, log.readTile)).ok).toBe(false);
    expect((await checkInclusion(n, leaf, n, log.root, log.readTile)).ok).toBe(false);
  });

  test('each tile is read once per check', async () => {
    const log = makeLog(70001);
    await checkInclusion(12345, log.leaves[12345] as Buffer, 70001, log.root, log.readTile);
    expect(new Set(log.reads).size).toBe(log.reads.length);
  });
});
