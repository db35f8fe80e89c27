import {
  labelOf,
  labelParts,
  parseLabel,
  shortLabel,
  validateTargetName,
  type LabelParts,
} from '../../src/workspace';

function parsed(text: string, currentPkg = 'cur/pkg'): LabelParts {
  const r = parseLabel(text, currentPkg);
  if (!r.ok) throw new Error(`expected '${text}' to parse: ${r.failure.message}`);
  return r.value;
}

function failure(text: string, currentPkg = 'cur/pkg'): string {
  const r = parseLabel(text, currentPkg);
  if (r.ok) throw new Error(`expected '${text}' to be rejected, got ${JSON.stringify(r.value)}`);
  expect(r.failure.reason).toBe('bad-label');
  return r.failure.message;
}

describe('parseLabel: valid forms', () => {
  test.each([
    ['//examples/lib/markdown:markdown', { pkg: 'examples/lib/markdown', name: 'markdown' }],
    ['//examples/lib/markdown', { pkg: 'examples/lib/markdown', name: 'markdown' }],
    ['//a/b:c', { pkg: 'a/b', name: 'c' }],
    ['//a', { pkg: 'a', name: 'a' }],
    ['//:c', { pkg: '', name: 'c' }],
    [':c', { pkg: 'cur/pkg', name: 'c' }],
    ['c', { pkg: 'cur/pkg', name: 'c' }],
    ['testdata/in.md', { pkg: 'cur/pkg', name: 'testdata/in.md' }],
    ['//a:testdata/in.md', { pkg: 'a', name: 'testdata/in.md' }],
    ['//a-b/c_d/v1.2:x+y~z@w', { pkg: 'a-b/c_d/v1.2', name: 'x+y~z@w' }],
    ['//a:.hidden', { pkg: 'a', name: '.hidden' }],
    ['@org_golang_x_sys//unix', { repo: 'org_golang_x_sys', pkg: 'unix', name: 'unix' }],
    [
      '@com_gitlab_golang_commonmark_markdown//:markdown',
      { repo: 'com_gitlab_golang_commonmark_markdown', pkg: '', name: 'markdown' },
    ],
    ['@com_github_x_y', { repo: 'com_github_x_y', pkg: '', name: 'com_github_x_y' }],
  ])('%s', (text, want) => {
    expect(parsed(text)).toEqual(want);
  });

  test('relative labels in the root package', () => {
    expect(parsed(':c', '')).toEqual({ pkg: '', name: 'c' });
    expect(parsed('c', '')).toEqual({ pkg: '', name: 'c' });
  });
});

describe('parseLabel: rejected forms', () => {
  test('every message quotes the text and the expected forms', () => {
    const m = failure('//a/../b:c');
    expect(m).toContain("'//a/../b:c'");
    expect(m).toContain(
      'expected //pkg/path:name, //pkg/path, :name, name or @repo//pkg/path:name',
    );
  });

  test.each([
    ['', /empty label/],
    ['@//a:b', /names the main repository/],
    ['@re po//a:b', /invalid repository name/],
    ['@repo//a/../b:c', /invalid package name/],
    ['//', /'\/\/' names no target/],
    ['//a/../b:c', /invalid package name 'a\/..\/b'.*up-level references/],
    ['//a:../c', /invalid target name '..\/c'.*up-level references/],
    ['../c', /up-level references/],
    ['//a/./b', /'\.' segment/],
    ['//a//b:c', /empty segments/],
    ['//a/b/', /may not end with '\/'/],
    ['//a:b/', /target names may not end with '\/'/],
    ['///a:b', /may not start with '\/'/],
    ['//a:', /empty target name/],
    [':', /empty target name/],
    ['//a b:c', /package names may contain only .* not character U\+0020/],
    ['//a:b c', /target names may not contain character U\+0020/],
    ['//a:b\\c', /target names may not contain character '\\'/],
    ['//a:b:c', /target names may not contain character ':'/],
    ['//a$b:c', /not character '\$'/],
    ['a:b', /relative label may not name a package; write '\/\/a:b'.*or ':b'/],
  ])('%j', (text, want) => {
    expect(failure(text)).toMatch(want);
  });
});

describe('printing', () => {
  test('labelOf is canonical: always //pkg:name', () => {
    expect(labelOf({ pkg: 'examples/lib/markdown', name: 'markdown' })).toBe(
      '//examples/lib/markdown:markdown',
    );
    expect(labelOf({ pkg: '', name: 'c' })).toBe('//:c');
    expect(labelOf(parsed('//a/b'))).toBe('//a/b:b');
    expect(labelOf(parsed(':x', 'p/q'))).toBe('//p/q:x');
  });

  test('labelParts inverts labelOf, including names that contain a colon-free path', () => {
    for (const parts of [
      { pkg: 'a/b', name: 'c' },
      { pkg: '', name: 'root' },
      { pkg: 'a', name: 'testdata/x.txt' },
    ]) {
      expect(labelParts(labelOf(parts))).toEqual(parts);
    }
  });

  test('shortLabel drops the name when it repeats the last package segment', () => {
    expect(shortLabel({ pkg: 'a/b', name: 'b' })).toBe('//a/b');
    expect(shortLabel({ pkg: 'a/b', name: 'c' })).toBe('//a/b:c');
    expect(shortLabel({ pkg: 'b', name: 'b' })).toBe('//b');
    expect(shortLabel({ pkg: '', name: 'c' })).toBe('//:c');
    // A name equal to an earlier segment is not the shorthand.
    expect(shortLabel({ pkg: 'a/b', name: 'a' })).toBe('//a/b:a');
  });

  test('short and canonical forms parse back to the same parts', () => {
    for (const text of ['//a/b:b', '//a/b:c', '//:c', '//x']) {
      const parts = parsed(text);
      expect(parsed(shortLabel(parts))).toEqual(parts);
      expect(parsed(labelOf(parts))).toEqual(parts);
    }
  });
});

test('validateTargetName is usable for a rule name attribute', () => {
  expect(validateTargetName('go_default_library').ok).toBe(true);
  const r = validateTargetName('a b');
  expect(r.ok).toBe(false);
});
