import { editDistance, nearestName } from '../../src/workspace';

describe('editDistance', () => {
  test.each([
    ['lib', 'lib', 0],
    ['lbi', 'lib', 1], // adjacent swap counts once
    ['lib', 'lob', 1],
    ['lib', 'libs', 1],
    ['markdown', 'markdwon', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('%s → %s = %d', (a, b, want) => {
    expect(editDistance(a, b, 10)).toBe(want);
    expect(editDistance(b, a, 10)).toBe(want);
  });

  test('stops at the limit', () => {
    expect(editDistance('abcdefgh', 'zyxwvuts', 2)).toBe(3);
    expect(editDistance('a', 'abcdefgh', 2)).toBe(3);
  });
});

describe('nearestName', () => {
  const targets = ['lib', 'lib_test', 'markdown', 'mdserver', 'api'];

  test('suggests the closest candidate for a typo', () => {
    expect(nearestName('lbi', targets)).toBe('lib');
    expect(nearestName('markdwon', targets)).toBe('markdown');
    expect(nearestName('lib_tset', targets)).toBe('lib_test');
    expect(nearestName('mdsever', targets)).toBe('mdserver');
  });

  test('ignores case', () => {
    expect(nearestName('LIB', targets)).toBe('lib');
    expect(nearestName('MarkDown', targets)).toBe('markdown');
  });

  test('says nothing when no candidate is close', () => {
    expect(nearestName('zzz', targets)).toBeUndefined();
    expect(nearestName('searchd', targets)).toBeUndefined();
    expect(nearestName('x', ['y'])).toBeUndefined();
    expect(nearestName('lib', [])).toBeUndefined();
  });

  test('the threshold grows with the length of the name', () => {
    // Two edits are too many for a 3-letter name but fine for a 9-letter one.
    expect(nearestName('lxx', ['lib'])).toBeUndefined();
    expect(nearestName('mdservxxr', ['mdserver1'])).toBe('mdserver1');
  });

  test('prefers the smaller distance, then the candidate that sorts first', () => {
    expect(nearestName('libb', ['libbb', 'lib'])).toBe('lib');
    expect(nearestName('ab', ['ax', 'ab1', 'ac'])).toBe('ab1');
    expect(nearestName('ab', ['ay', 'ax'])).toBe('ax');
    expect(nearestName('ab', new Set(['ax', 'ay']))).toBe('ax');
  });
});
