import { checkNumericFlag } from '../../src/cli/numeric-flag';

describe('checkNumericFlag', () => {
  it.each([
    [NaN, 'positive', '--disk_cache_max_size must be a number'],
    [0, 'positive', '--disk_cache_max_size must be greater than 0, got 0'],
    [-1, 'positive', '--disk_cache_max_size must be greater than 0, got -1'],
    [Infinity, 'positive', '--disk_cache_max_size must be a number'],
    [[1, 2], 'positive', '--disk_cache_max_size is given more than once (1, 2)'],
  ] as const)('rejects %p as a %s number, naming the flag', (value, kind, message) => {
    const r = checkNumericFlag('disk_cache_max_size', value, kind);
    expect(r).toEqual({ ok: false, failure: message });
  });

  it('accepts fractions of a GiB and whole job counts', () => {
    expect(checkNumericFlag('disk_cache_max_size', 0.5, 'positive')).toEqual({
      ok: true,
      value: 0.5,
    });
    expect(checkNumericFlag('jobs', 4, 'integer')).toEqual({ ok: true, value: 4 });
    expect(checkNumericFlag('jobs', 1.5, 'integer').ok).toBe(false);
    expect(checkNumericFlag('jobs', 0, 'integer').ok).toBe(false);
  });
});
