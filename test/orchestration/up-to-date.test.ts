import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BuildEvent } from '../../src/events';
import {
  type UpToDateInputs,
  asNullBuildEvents,
  changedSince,
  recordUpToDate,
  replayIfUpToDate,
  upToDateRequest,
} from '../../src/orchestration/up-to-date';
import { statSignature } from '../../src/util/stat-signature';

/** What a build that looked into `<root>/lib` just now depended on, with nothing digested. */
function libInputs(root: string): UpToDateInputs {
  return {
    root,
    startedMs: Date.now(),
    digested: new Map(),
    contentDigest: () => undefined,
    files: [],
    packageDirs: ['lib'],
    recursiveRoots: [],
    bzlFiles: [],
    moduleDirs: [],
    diskCache: path.join(root, 'cache'),
  };
}

/**
 * The up-to-date check's rule for files modified within the racy window (src/orchestration/up-to-date.ts):
 * their stat signature alone is not trusted, so the recording keeps the digest the build used
 * and a replay compares the file's contents. The e2e suite cannot make a same-tick write (the
 * kernel changes ctime with it), so these tests give the recording a digest that differs from
 * the file's contents, as such a write would leave it. And the order of the check: after an
 * edit, the edited source is found before the SDK's thousands of files are looked at.
 */
describe('a workspace source in an up-to-date recording', () => {
  const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
  let root: string;
  let source: string;
  let request: ReturnType<typeof upToDateRequest>;
  const events: BuildEvent[] = [
    { type: 'analysis-finished', targets: 1, actions: 1, durationMs: 5 },
    {
      type: 'command-finished',
      exitCode: 0,
      executed: 0,
      cached: 1,
      failed: 0,
      durationMs: 9,
      spawns: 0,
    },
  ];

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-utd-unit-'));
    fs.mkdirSync(path.join(root, 'lib'));
    fs.mkdirSync(path.join(root, 'cache'));
    // As a build leaves it: the recording goes there.
    fs.mkdirSync(path.join(root, 'pgobuild-out', '.pgobuild'), { recursive: true });
    source = path.join(root, 'lib', 'lib.go');
    fs.writeFileSync(source, 'package lib\n');
    request = upToDateRequest({ cwd: root, diskCache: path.join(root, 'cache') }, ['//...']);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** What a build that read lib/lib.go (as `usedDigest`) just now depended on. */
  const inputs = (
    usedDigest: string | undefined,
    more: Partial<UpToDateInputs> = {},
  ): UpToDateInputs => ({
    ...libInputs(root),
    digested: new Map([[source, statSignature(fs.statSync(source, { bigint: true }))]]),
    contentDigest: (file) => (file === source ? usedDigest : undefined),
    ...more,
  });
  const replay = (): boolean => {
    const seen: BuildEvent[] = [];
    const answered = replayIfUpToDate(root, request, 2, { emit: (e) => seen.push(e) }, Date.now());
    expect(seen.length > 0).toBe(answered);
    return answered;
  };

  test('is recorded with the digest the build used and replayed while the contents match', () => {
    expect(recordUpToDate(request, inputs(sha('package lib\n')), events, false)).toBeDefined();
    expect(replay()).toBe(true);
  });

  test('is not replayed when its contents differ from what the build used, whatever its stat says', () => {
    expect(
      recordUpToDate(request, inputs(sha('package lib // older\n')), events, false),
    ).toBeDefined();
    expect(replay()).toBe(false);
  });

  test('makes the build record nothing when the build did not read it', () => {
    expect(recordUpToDate(request, inputs(undefined), events, false)).toBeUndefined();
    expect(replay()).toBe(false);
  });

  test("once edited, stops the check at it without statting the SDK's files", () => {
    const sdk = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-utd-sdk-'));
    try {
      // What the digester read: the SDK's files; lib/lib.go is in the listing of lib/.
      const stdFiles = ['a.go', 'b.go', 'c.go'].map((f) => path.join(sdk, f));
      for (const f of stdFiles) fs.writeFileSync(f, 'package fmt\n');
      const old = new Date(Date.now() - 60_000);
      for (const f of [...stdFiles, source]) fs.utimesSync(f, old, old);
      const digested = new Map(
        stdFiles.map((f) => [f, statSignature(fs.statSync(f, { bigint: true }))]),
      );
      expect(recordUpToDate(request, inputs(undefined, { digested }), events, false)).toBeDefined();
      fs.appendFileSync(source, '// edited\n');
      // The module object up-to-date.ts reads statSync from (its namespace import binds to it).
      const realFs = jest.requireActual<typeof fs>('node:fs');
      const statSync = realFs.statSync;
      const statted: string[] = [];
      const spy = jest.spyOn(realFs, 'statSync').mockImplementation(((
        file: fs.PathLike,
        opts?: fs.StatSyncOptions,
      ) => {
        statted.push(String(file));
        return statSync(file, opts);
      }) as typeof fs.statSync);
      try {
        expect(replay()).toBe(false);
      } finally {
        spy.mockRestore();
      }
      expect(statted.filter((f) => f.startsWith(sdk))).toEqual([]);
    } finally {
      fs.rmSync(sdk, { recursive: true, force: true });
    }
  });
});

describe('what changed since a recording (a warm server keeping its analysis)', () => {
  let root: string;
  let request: ReturnType<typeof upToDateRequest>;
  const lib = (name: string): string => path.join(root, 'lib', name);

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-changed-unit-'));
    fs.mkdirSync(path.join(root, 'lib'));
    fs.mkdirSync(path.join(root, 'cache'));
    fs.mkdirSync(path.join(root, 'pgobuild-out', '.pgobuild'), { recursive: true });
    fs.writeFileSync(lib('a.go'), 'package lib\n');
    fs.writeFileSync(lib('b.go'), 'package lib\n\nfunc B() {}\n');
    request = upToDateRequest({ cwd: root, diskCache: path.join(root, 'cache') }, ['//...']);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** Records what a build that read lib/ depended on, its files made old enough to trust. */
  const record = (): NonNullable<ReturnType<typeof recordUpToDate>> => {
    const old = new Date(Date.now() - 60_000);
    for (const f of fs.readdirSync(path.join(root, 'lib'))) fs.utimesSync(lib(f), old, old);
    const recorded = recordUpToDate(request, libInputs(root), [], false);
    if (recorded === undefined) throw new Error('nothing recorded');
    return recorded;
  };

  test('is nothing when nothing changed, and the edited files when only contents changed', () => {
    const recorded = record();
    expect(changedSince(recorded, request)).toEqual(new Set());
    fs.appendFileSync(lib('b.go'), '\nfunc C() {}\n');
    // Same size, same mtime: the ctime still tells.
    const a = fs.statSync(lib('a.go'));
    fs.writeFileSync(lib('a.go'), 'package lit\n');
    fs.utimesSync(lib('a.go'), a.atime, a.mtime);
    expect(changedSince(recorded, request)).toEqual(new Set([lib('a.go'), lib('b.go')]));
  });

  test('is unknown when a file was added, removed or replaced by a directory, or for another request', () => {
    const added = record();
    fs.writeFileSync(lib('c.go'), 'package lib\n');
    expect(changedSince(added, request)).toBeUndefined();
    const removed = record();
    fs.rmSync(lib('c.go'));
    expect(changedSince(removed, request)).toBeUndefined();
    const replaced = record();
    fs.rmSync(lib('b.go'));
    fs.mkdirSync(lib('b.go'));
    expect(changedSince(replaced, request)).toBeUndefined();
    const other = upToDateRequest({ cwd: root, diskCache: path.join(root, 'cache') }, ['//lib']);
    expect(changedSince(record(), other)).toBeUndefined();
  });
});

describe('the events of a null build right after one that executed actions', () => {
  test('say every action was cached and no process ran, without what only running it emits or places', () => {
    const ran: BuildEvent[] = [
      { type: 'module-download', module: 'm', version: 'v1', status: 'finished', durationMs: 3 },
      { type: 'action-started', id: 'a', mnemonic: 'GoCompile', description: 'd' },
      {
        type: 'action-finished',
        id: 'a',
        mnemonic: 'GoCompile',
        description: 'd',
        status: 'executed',
        key: 'k',
        durationMs: 300,
      },
      {
        type: 'action-finished',
        id: 'b',
        mnemonic: 'GoCompile',
        description: 'e',
        status: 'cached',
        key: 'k2',
        durationMs: 1,
      },
      { type: 'action-output', id: 'a', importPath: 'x', output: 'inlining call' },
      { type: 'cache-corruption', what: 'w', id: 'i', path: 'p', detail: 'x' },
      { type: 'output', target: '//x', path: 'pgobuild-out/bin/x' },
      {
        type: 'command-finished',
        exitCode: 0,
        executed: 1,
        cached: 1,
        failed: 0,
        durationMs: 400,
        spawns: 2,
      },
    ];
    expect(asNullBuildEvents(ran)).toEqual([
      {
        type: 'action-finished',
        id: 'a',
        mnemonic: 'GoCompile',
        description: 'd',
        status: 'cached',
        key: 'k',
        durationMs: 0,
      },
      ran[3],
      ran[4],
      { ...ran[7], executed: 0, cached: 2, spawns: 0 },
    ]);
  });
});
