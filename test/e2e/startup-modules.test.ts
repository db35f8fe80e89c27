import * as fs from 'node:fs';
import * as path from 'node:path';
import { type CliRun, REPO, finished, makeWorkspace, pgobuild, tempDir } from './harness';
import { SMALL_WORKSPACE } from './small-workspace';

/**
 * What a one-shot command pays to load. Every `pgobuild` call is a fresh Node process, so each
 * module a command loads without needing it is start-up time on every call. A null build must
 * not load protobufjs or the pprof decoder: it reads and hashes the raw profiles, but their
 * preprocessed forms come from the cache (src/orchestration/pgo-resolution.ts).
 */

const HOOK = path.join(REPO, 'test', 'e2e', 'module-list-hook.js');
const PROFILES = path.join(REPO, 'test', 'fixtures', 'profiles');

/** Runs the CLI with the module-list hook; returns the run and the modules it loaded. */
function withModuleList(
  cwd: string,
  args: readonly string[],
  opts: { cache?: string; json?: boolean } = {},
): { run: CliRun; modules: string[] } {
  const list = path.join(tempDir('pgobuild-modules-'), 'modules.txt');
  const run = pgobuild(cwd, args, {
    ...opts,
    nodeArgs: ['--require', HOOK],
    env: { ...process.env, PGOBUILD_TEST_MODULE_LIST: list },
  });
  const modules = fs
    .readFileSync(list, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  return { run, modules };
}

/** The loaded modules that decode profiles: protobufjs, its helpers, and our decoder. */
function profileDecoding(modules: readonly string[]): string[] {
  return modules.filter(
    (m) =>
      m.includes(`${path.sep}node_modules${path.sep}protobufjs${path.sep}`) ||
      m.includes(`${path.sep}node_modules${path.sep}@protobufjs${path.sep}`) ||
      m.endsWith(`${path.sep}pprof${path.sep}decode-profile.js`),
  );
}

/** Sets every file's and directory's modification time an hour back: out of the racy window. */
function backdate(dir: string): void {
  const past = new Date(Date.now() - 3600_000);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    fs.utimesSync(path.join(entry.parentPath, entry.name), past, past);
  }
}

describe('modules a one-shot command loads', () => {
  test('--help loads neither protobufjs, the decoder nor the remote cache client', () => {
    const { run, modules } = withModuleList(tempDir('pgobuild-help-'), ['--help'], {
      json: false,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('pgobuild <command>');
    expect(profileDecoding(modules)).toEqual([]);
    expect(modules.filter((m) => m.includes(`${path.sep}@grpc${path.sep}`))).toEqual([]);
  });

  test('pgo preprocess does load the decoder (the hook sees what a command loads)', () => {
    const out = path.join(tempDir('pgobuild-prep-'), 'out');
    const { run, modules } = withModuleList(
      REPO,
      ['pgo', 'preprocess', path.join(PROFILES, 'p2pool-observer-web.cpu.pprof'), '-o', out],
      { json: false },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(profileDecoding(modules).length).toBeGreaterThan(1);
  });

  describe('a null build of a workspace with a default.pgo', () => {
    const cache = tempDir('pgobuild-modules-cache-');
    const ws = makeWorkspace(SMALL_WORKSPACE);
    fs.copyFileSync(
      path.join(PROFILES, 'markdown-server.cpu.pprof'),
      path.join(ws, 'cmd/one/default.pgo'),
    );

    beforeAll(() => {
      const cold = pgobuild(ws, ['build', '//...'], { cache });
      if (finished(cold).exitCode !== 0) throw new Error(`cold build failed:\n${cold.stderr}`);
    });

    test('with full analysis (every action cached) loads no profile decoder', () => {
      // Touching the profile makes the up-to-date check answer "changed": analysis runs, reads
      // and hashes the profile, and finds its preprocessed form in the cache.
      const now = new Date();
      fs.utimesSync(path.join(ws, 'cmd/one/default.pgo'), now, now);
      const { run, modules } = withModuleList(ws, ['build', '//...'], { cache });
      const done = finished(run);
      expect(done.exitCode).toBe(0);
      expect(done.executed).toBe(0);
      expect(done.replayed).not.toBe(true);
      expect(done.spawns).toBe(0);
      expect(
        run.events.some(
          (e) =>
            e.type === 'action-finished' && e.mnemonic === 'GoPreprofile' && e.status === 'cached',
        ),
      ).toBe(true);
      expect(profileDecoding(modules)).toEqual([]);
    });

    test('answered by the up-to-date check loads no profile decoder', () => {
      backdate(ws);
      const recording = pgobuild(ws, ['build', '//...'], { cache });
      expect(finished(recording).executed).toBe(0);
      const { run, modules } = withModuleList(ws, ['build', '//...'], { cache });
      const done = finished(run);
      expect(done.exitCode).toBe(0);
      expect(done.replayed).toBe(true);
      expect(done.spawns).toBe(0);
      expect(profileDecoding(modules)).toEqual([]);
    });
  });
});
