import { glob } from '../../src/workspace';
import { TempTree } from './temp-tree';

let tree: TempTree;

beforeAll(() => {
  tree = new TempTree({
    WORKSPACE: '',
    BUILD: '',
    'top.txt': '',
    'nested/n.txt': '',
    'pgobuild-out/bin/out.txt': '',
    '.pgobuildignore': 'p/ignored\n',
    'p/BUILD': '',
    'p/a.go': '',
    'p/b.go': '',
    'p/a_test.go': '',
    'p/.hidden.go': '',
    'p/.env': '',
    'p/README.md': '',
    'p/B.txt': '',
    'p/z.txt': '',
    'p/sub/x.txt': '',
    'p/sub/deeper/y.txt': '',
    'p/sub/deeper/z.go': '',
    'p/subpkg/BUILD.bazel': '',
    'p/subpkg/inner.txt': '',
    'p/subpkg/more/w.txt': '',
    'p/.dot/h.txt': '',
    'p/data/': '',
    'p/data2/f.bin': '',
    'p/ignored/i.txt': '',
    'p/BUILD-like/BUILD/': '',
    'p/BUILD-like/k.txt': '',
  });
  tree.symlink('p/link.txt', 'sub/x.txt');
  tree.symlink('p/linkdir', 'sub');
  tree.symlink('p/loop', '.');
  tree.symlink('p/dangling.txt', 'nowhere');
});

afterAll(() => tree.remove());

function files(include: string[], exclude: string[] = [], pkg = 'p'): string[] {
  const r = glob(tree.root, pkg, include, exclude);
  if (!r.ok) throw new Error(r.failure.message);
  return r.value;
}

describe('glob matching', () => {
  test('*.go matches in the package directory only, not dotfiles', () => {
    expect(files(['*.go'])).toEqual(['a.go', 'a_test.go', 'b.go']);
  });

  test('exclude removes matches', () => {
    expect(files(['*.go'], ['*_test.go'])).toEqual(['a.go', 'b.go']);
    expect(files(['*.go'], ['*'])).toEqual([]);
  });

  test('a lone * matches dotfiles too (as in Bazel); files only, sorted by code unit', () => {
    expect(files(['*'])).toEqual([
      '.env',
      '.hidden.go',
      'B.txt',
      'BUILD',
      'README.md',
      'a.go',
      'a_test.go',
      'b.go',
      'link.txt',
      'z.txt',
    ]);
  });

  test('a pattern starting with . matches dotfiles', () => {
    expect(files(['.*'])).toEqual(['.env', '.hidden.go']);
    expect(files(['.*.go'])).toEqual(['.hidden.go']);
  });

  test('**/*.txt matches at any depth, never inside a subpackage or an ignored directory', () => {
    expect(files(['**/*.txt'])).toEqual([
      '.dot/h.txt',
      'B.txt',
      'BUILD-like/k.txt',
      'link.txt',
      'sub/deeper/y.txt',
      'sub/x.txt',
      'z.txt',
    ]);
  });

  test('** under a directory, ** in the middle, * as a directory', () => {
    expect(files(['sub/**'])).toEqual(['sub/deeper/y.txt', 'sub/deeper/z.go', 'sub/x.txt']);
    expect(files(['**/deeper/*'])).toEqual(['sub/deeper/y.txt', 'sub/deeper/z.go']);
    expect(files(['sub/*/y.txt'])).toEqual(['sub/deeper/y.txt']);
    expect(files(['*/h.txt'])).toEqual(['.dot/h.txt']);
    expect(files(['sub/**/**/*.go'])).toEqual(['sub/deeper/z.go']);
  });

  test('exclude patterns use the same segment rules', () => {
    expect(files(['**/*.txt'], ['sub/**', '.dot/**'])).toEqual([
      'B.txt',
      'BUILD-like/k.txt',
      'link.txt',
      'z.txt',
    ]);
    // `*.txt` in an exclude does not reach into subdirectories.
    expect(files(['**/*.txt'], ['*.txt'])).toEqual([
      '.dot/h.txt',
      'BUILD-like/k.txt',
      'sub/deeper/y.txt',
      'sub/x.txt',
    ]);
    expect(files(['**'], ['**/*.go', '**/*.txt', '**/.*', '**/*.md', '**/*.bin'])).toEqual([
      'BUILD',
    ]);
  });

  test('literal paths work and never cross into a subpackage', () => {
    expect(files(['sub/x.txt', 'README.md'])).toEqual(['README.md', 'sub/x.txt']);
    expect(files(['subpkg/inner.txt'])).toEqual([]);
    expect(files(['subpkg/**'])).toEqual([]);
    expect(files(['ignored/i.txt'])).toEqual([]);
    expect(files(['nothing.go'])).toEqual([]);
  });

  test('directories are never returned, even when named', () => {
    expect(files(['sub', 'data', 'data/**'])).toEqual([]);
  });

  test('a directory named BUILD does not make a subpackage', () => {
    expect(files(['BUILD-like/*'])).toEqual(['BUILD-like/k.txt']);
  });

  test('symlinked files are files; symlinked directories and dangling links are not entered', () => {
    expect(files(['link*'])).toEqual(['link.txt']);
    expect(files(['linkdir/**', 'loop/**'])).toEqual([]);
    expect(files(['dangling.txt'])).toEqual([]);
  });

  test('overlapping patterns give each file once', () => {
    expect(files(['*.go', 'a*', 'a.go'])).toEqual(['a.go', 'a_test.go', 'b.go']);
  });

  test('the root package does not glob into pgobuild-* output or subpackages', () => {
    expect(files(['**/*.txt'], [], '')).toEqual(['nested/n.txt', 'top.txt']);
  });

  test('an ignored or missing package directory globs to nothing', () => {
    expect(files(['**'], [], 'p/ignored')).toEqual([]);
    expect(files(['**'], [], 'missing')).toEqual([]);
  });

  test('empty include gives nothing', () => {
    expect(files([])).toEqual([]);
  });
});

describe('invalid patterns', () => {
  test.each([
    ['', /pattern cannot be empty/],
    ['/etc/*', /pattern cannot be absolute/],
    ['../x', /segment '\.\.' not permitted/],
    ['a/../b', /segment '\.\.' not permitted/],
    ['./a', /segment '\.' not permitted/],
    ['a//b', /empty segment not permitted/],
    ['a/', /empty segment not permitted/],
    ['a/**b', /recursive wildcard '\*\*' must be its own segment/],
    ['**.go', /must be its own segment/],
    ['?.go', /wildcard '\?' is not supported/],
  ])('%j', (pattern, want) => {
    for (const [include, exclude] of [
      [[pattern], []],
      [['*.go'], [pattern]],
    ] as const) {
      const r = glob(tree.root, 'p', include, exclude);
      if (r.ok) throw new Error(`expected '${pattern}' to be rejected`);
      expect(r.failure.reason).toBe('bad-glob');
      expect(r.failure.pattern).toBe(pattern);
      expect(r.failure.message).toMatch(want);
      expect(r.failure.message).toContain(`invalid glob pattern '${pattern}'`);
    }
  });
});
