import { planLruEviction } from '../../src/cache';

const e = (path: string, size: number, lastUsedMs: number) => ({ path, size, lastUsedMs });

describe('planLruEviction', () => {
  test('nothing to do within the bound', () => {
    expect(planLruEviction([e('a', 10, 1), e('b', 10, 2)], 20)).toEqual([]);
  });

  test('evicts oldest first until the total fits', () => {
    const entries = [e('new', 10, 300), e('old', 10, 100), e('mid', 50, 200)];
    expect(planLruEviction(entries, 20).map((x) => x.path)).toEqual(['old', 'mid']);
    expect(planLruEviction(entries, 60).map((x) => x.path)).toEqual(['old']);
    expect(planLruEviction(entries, 0).map((x) => x.path)).toEqual(['old', 'mid', 'new']);
  });

  test('ties are broken by path', () => {
    expect(planLruEviction([e('b', 1, 5), e('a', 1, 5)], 1).map((x) => x.path)).toEqual(['a']);
  });
});
