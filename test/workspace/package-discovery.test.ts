import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  buildFileOf,
  discoverPackages,
  findWorkspaceRoot,
  isIgnoredPath,
  parseIgnoreFile,
} from '../../src/workspace';
import { TempTree } from './temp-tree';

let tree: TempTree;

beforeAll(() => {
  tree = new TempTree({
    WORKSPACE: '',
    BUILD: '',
    '.pgobuildignore': [
      '# generated trees',
      'ignored',
      '',
      '  ./deep/ignored/  ',
      '   # an indented comment',
      'not/there',
      '../outside',
      '',
    ].join('\n'),
    'a/BUILD': '',
    'a-b/BUILD': '',
    'a/b/BUILD.bazel': '',
    'a/b/c/BUILD': '',
    'a/nobuild/x.go': '',
    'a/nobuild/d/BUILD': '',
    'node_modules/x/BUILD': '',
    'a/node_modules/y/BUILD': '',
    '.hidden/BUILD': '',
    'a/.git/BUILD': '',
    'pgobuild-out/bin/BUILD': '',
    'pgobuild-testlogs/BUILD': '',
    'a/pgobuild-out/BUILD': '',
    'ignored/BUILD': '',
    'ignored/sub/BUILD': '',
    'deep/BUILD': '',
    'deep/ignored/x/BUILD': '',
    'deep/ignored2/BUILD': '',
    'notpkg/BUILD/': '',
    'both/BUILD': '',
    'both/BUILD.bazel': '',
  });
  tree.symlink('a/loop', '..');
  tree.symlink('a/self', '.');
  tree.symlink('link-to-a', 'a');
  tree.symlink('lnk/BUILD', '../a/BUILD');
  tree.symlink('dangling/BUILD', 'nowhere');
});

afterAll(() => tree.remove());

describe('discoverPackages', () => {
  test('finds nested packages, sorted, skipping what must be skipped', async () => {
    expect(await discoverPackages(tree.root, '')).toEqual([
      '',
      'a',
      'a-b',
      'a/b',
      'a/b/c',
      'a/nobuild/d',
      // Only top-level pgobuild-* directories are tool output.
      'a/pgobuild-out',
      'both',
      'deep',
      // 'deep/ignored' must not swallow its sibling 'deep/ignored2'.
      'deep/ignored2',
      'lnk',
    ]);
  });

  test('starts at a package and includes it', async () => {
    expect(await discoverPackages(tree.root, 'a')).toEqual([
      'a',
      'a/b',
      'a/b/c',
      'a/nobuild/d',
      'a/pgobuild-out',
    ]);
    expect(await discoverPackages(tree.root, 'a/b/c')).toEqual(['a/b/c']);
  });

  test('starts at a directory that is not itself a package', async () => {
    expect(await discoverPackages(tree.root, 'a/nobuild')).toEqual(['a/nobuild/d']);
  });

  test('a skipped or missing start directory yields nothing', async () => {
    expect(await discoverPackages(tree.root, 'ignored')).toEqual([]);
    expect(await discoverPackages(tree.root, 'ignored/sub')).toEqual([]);
    expect(await discoverPackages(tree.root, 'deep/ignored')).toEqual([]);
    expect(await discoverPackages(tree.root, 'node_modules')).toEqual([]);
    expect(await discoverPackages(tree.root, '.hidden')).toEqual([]);
    expect(await discoverPackages(tree.root, 'pgobuild-out')).toEqual([]);
    expect(await discoverPackages(tree.root, 'missing')).toEqual([]);
    expect(await discoverPackages(tree.root, 'a/nobuild/x.go')).toEqual([]);
  });

  test('without a .pgobuildignore, listed directories are packages again', async () => {
    const t = new TempTree({ 'ignored/BUILD': '', 'node_modules/m/BUILD': '' });
    try {
      expect(await discoverPackages(t.root, '')).toEqual(['ignored']);
    } finally {
      t.remove();
    }
  });
});

describe('.pgobuildignore', () => {
  test('parseIgnoreFile drops comments and blanks and normalises paths', () => {
    expect(parseIgnoreFile('# c\n\n a/b/ \n./c\r\n/abs\nx/../y\n.//d//e\n')).toEqual([
      'a/b',
      'c',
      'd/e',
    ]);
  });

  test('isIgnoredPath matches whole segments only', () => {
    const ignored = new Set(['a/b']);
    expect(isIgnoredPath('a/b', ignored)).toBe(true);
    expect(isIgnoredPath('a/b/c', ignored)).toBe(true);
    expect(isIgnoredPath('a/bc', ignored)).toBe(false);
    expect(isIgnoredPath('a', ignored)).toBe(false);
    expect(isIgnoredPath('', ignored)).toBe(false);
  });
});

describe('buildFileOf', () => {
  test.each([
    ['', 'BUILD'],
    ['a', 'a/BUILD'],
    ['a/b', 'a/b/BUILD.bazel'],
    ['both', 'both/BUILD.bazel'],
    ['lnk', 'lnk/BUILD'],
  ])('//%s → %s', async (pkg, want) => {
    expect(await buildFileOf(tree.root, pkg)).toBe(want);
    expect(fs.existsSync(path.join(tree.root, want))).toBe(true);
  });

  test.each(['notpkg', 'dangling', 'a/nobuild', 'missing'])('//%s has none', async (pkg) => {
    expect(await buildFileOf(tree.root, pkg)).toBeUndefined();
  });
});

describe('findWorkspaceRoot', () => {
  test('walks up from a nested directory to the WORKSPACE file', async () => {
    expect(await findWorkspaceRoot(tree.path('a/b/c'))).toBe(tree.root);
    expect(await findWorkspaceRoot(tree.root)).toBe(tree.root);
  });

  test.each(['MODULE.bazel', 'WORKSPACE.bazel', 'WORKSPACE'])(
    'recognises %s and stops at the nearest one',
    async (marker) => {
      const t = new TempTree({ WORKSPACE: '', [`inner/${marker}`]: '', 'inner/x/y/': '' });
      try {
        expect(await findWorkspaceRoot(t.path('inner/x/y'))).toBe(t.path('inner'));
      } finally {
        t.remove();
      }
    },
  );

  test('a directory named WORKSPACE is not a marker; no marker means undefined', async () => {
    const t = new TempTree({ 'WORKSPACE/': '', 'x/': '' });
    try {
      const found = await findWorkspaceRoot(t.path('x'));
      // Some ancestor of the temp dir could hold a marker; nothing inside the tree may match.
      expect(found === undefined || !found.startsWith(t.root)).toBe(true);
    } finally {
      t.remove();
    }
  });
});
