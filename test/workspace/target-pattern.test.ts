import { parseTargetPattern, type TargetPattern } from '../../src/workspace';

function parsed(text: string, cwdPkg = ''): TargetPattern {
  const r = parseTargetPattern(text, cwdPkg);
  if (!r.ok) throw new Error(`expected '${text}' to parse: ${r.failure.message}`);
  return r.value;
}

function failure(text: string, cwdPkg = ''): string {
  const r = parseTargetPattern(text, cwdPkg);
  if (r.ok) throw new Error(`expected '${text}' to be rejected, got ${JSON.stringify(r.value)}`);
  expect(r.failure.reason).toBe('bad-label');
  return r.failure.message;
}

describe('absolute patterns', () => {
  test.each<[string, TargetPattern]>([
    ['//a/b:c', { kind: 'target', label: { pkg: 'a/b', name: 'c' } }],
    ['//a/b', { kind: 'target', label: { pkg: 'a/b', name: 'b' } }],
    ['//:c', { kind: 'target', label: { pkg: '', name: 'c' } }],
    ['//a/b:all', { kind: 'package', pkg: 'a/b' }],
    ['//a/b:*', { kind: 'package', pkg: 'a/b' }],
    ['//a/b:all-targets', { kind: 'package', pkg: 'a/b' }],
    ['//:all', { kind: 'package', pkg: '' }],
    ['//...', { kind: 'recursive', pkg: '' }],
    ['//...:all', { kind: 'recursive', pkg: '' }],
    ['//a/...', { kind: 'recursive', pkg: 'a' }],
    ['//a/b/...:*', { kind: 'recursive', pkg: 'a/b' }],
    ['//a/b/...:all-targets', { kind: 'recursive', pkg: 'a/b' }],
    [
      '@org_golang_x_sys//unix',
      { kind: 'target', label: { repo: 'org_golang_x_sys', pkg: 'unix', name: 'unix' } },
    ],
  ])('%s', (text, want) => {
    // The working directory does not change an absolute pattern.
    expect(parsed(text, 'some/where')).toEqual(want);
  });
});

describe('relative patterns resolve against the working directory package', () => {
  test.each<[string, string, TargetPattern]>([
    ['...', 'x/y', { kind: 'recursive', pkg: 'x/y' }],
    ['...', '', { kind: 'recursive', pkg: '' }],
    ['a/...', 'x', { kind: 'recursive', pkg: 'x/a' }],
    ['a/...', '', { kind: 'recursive', pkg: 'a' }],
    [':all', 'x', { kind: 'package', pkg: 'x' }],
    [':*', '', { kind: 'package', pkg: '' }],
    ['a:all', 'x', { kind: 'package', pkg: 'x/a' }],
    [':c', 'x', { kind: 'target', label: { pkg: 'x', name: 'c' } }],
    ['a/b:c', 'x', { kind: 'target', label: { pkg: 'x/a/b', name: 'c' } }],
    ['a/b', 'x', { kind: 'target', label: { pkg: 'x/a/b', name: 'b' } }],
    ['cmd', '', { kind: 'target', label: { pkg: 'cmd', name: 'cmd' } }],
  ])('%s in //%s', (text, cwd, want) => {
    expect(parsed(text, cwd)).toEqual(want);
  });
});

describe('rejected patterns', () => {
  test.each([
    ['', /empty pattern/],
    ['-//a/...', /negative patterns .* are not supported/],
    ['@repo//...', /module repositories are implicit: name one package/],
    ['@repo//a:all', /module repositories are implicit/],
    ['@//a:b', /names the main repository/],
    ['//', /names no target/],
    ['//a/...:c', /'\.\.\.' selects whole packages; use ':all' or ':\*' after it, not ':c'/],
    ['//a/../b', /invalid package name 'a\/..\/b'/],
    ['../a/...', /up-level references/],
    ['//a//...', /invalid package name 'a\/': package names may not end with/],
    ['//.../a', /'\.\.\.' segment/],
    ['//a:b c', /target names may not contain/],
    ['//a:', /empty target name/],
  ])('%j', (text, want) => {
    const m = failure(text, 'x');
    expect(m).toMatch(want);
    expect(m).toContain(`invalid target pattern '${text}'`);
    expect(m).toContain('expected //pkg/path:name');
  });
});
