import { expandPlaceholders } from '../../src/exec';

describe('expandPlaceholders', () => {
  it('expands the exec root, GOROOT and the compile concurrency, and nothing else', () => {
    const values = { execRoot: '/x/exec-1', goroot: '/usr/local/go', compileConcurrency: 2 };
    expect(
      expandPlaceholders(
        '${GOROOT}/pkg/tool -c=${COMPILE_CONCURRENCY} ${EXECROOT}/a ${HOME}',
        values,
      ),
    ).toBe('/usr/local/go/pkg/tool -c=2 /x/exec-1/a ${HOME}');
  });

  it('defaults the compile concurrency to 1', () => {
    expect(expandPlaceholders('-c=${COMPILE_CONCURRENCY}', { execRoot: '/e', goroot: '/g' })).toBe(
      '-c=1',
    );
  });
});
