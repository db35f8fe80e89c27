import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildEvent } from '../../src/events';
import { actions, finished, makeWorkspace, pgobuild, tempDir } from './harness';
import { SMALL_WORKSPACE } from './small-workspace';

// The builder (toolchain/builder) appends assembly objects to package archives. It is built by a
// GoBuilder action once per SDK, cached like any action, and declared by digest by every compile
// with assembly: a corrupt copy in the cache is found and re-made like any corrupt blob.

/** The builder binary's digest, from its action record in the disk cache. */
function builderDigest(cache: string, run: ReturnType<typeof pgobuild>): string {
  const finishedBuilder = run.events.find(
    (e): e is Extract<BuildEvent, { type: 'action-finished' }> =>
      e.type === 'action-finished' && e.mnemonic === 'GoBuilder',
  );
  if (finishedBuilder === undefined) throw new Error('no GoBuilder action');
  const key = finishedBuilder.key;
  const record = fs.readFileSync(path.join(cache, 'v1', 'ac', key.slice(0, 2), key), 'utf8');
  const json = record.split('\n').find((l) => l.startsWith('{')) ?? '{}';
  const outputs = (JSON.parse(json) as { outputs: { path: string; digest: string }[] }).outputs;
  expect(outputs.map((o) => o.path)).toEqual(['_out/builder']);
  return outputs[0]?.digest ?? '';
}

describe('the builder end to end (real Go toolchain)', () => {
  const cache = tempDir('pgobuild-builder-cache-');
  const ws = makeWorkspace(SMALL_WORKSPACE);
  const asmFile = path.join(ws, 'lib/asm/add_amd64.s');
  /** The run in which the builder was a cache hit (its events name the builder's key). */
  let cachedRun: ReturnType<typeof pgobuild> | undefined;

  test('is built once in a cold build, whatever number of assembly packages use it', () => {
    const run = pgobuild(ws, ['build', '//...'], { cache });
    expect(finished(run).exitCode).toBe(0);
    expect(actions(run, 'executed', 'GoBuilder')).toHaveLength(1);
    // runtime, internal/bytealg, … and //lib/asm all ran its pack.
    expect(actions(run, 'executed', 'GoCompile')).toEqual(
      expect.arrayContaining(['//lib/asm', 'runtime', 'internal/bytealg']),
    );
  }, 900_000);

  test('is then a cache hit', () => {
    fs.appendFileSync(asmFile, '// a comment: the package is recompiled\n');
    const run = pgobuild(ws, ['build', '//...'], { cache });
    expect(finished(run).exitCode).toBe(0);
    expect(actions(run, 'executed', 'GoCompile')).toContain('//lib/asm');
    expect(actions(run, 'executed', 'GoBuilder')).toEqual([]);
    expect(actions(run, 'cached', 'GoBuilder')).toHaveLength(1);
    cachedRun = run;
  }, 900_000);

  test('a tampered builder binary in the cache is detected and re-made', () => {
    if (cachedRun === undefined) throw new Error('the cache-hit test did not run');
    const digest = builderDigest(cache, cachedRun);
    const blob = path.join(cache, 'v1', 'cas', digest.slice(0, 2), digest);
    // Same size, one byte different: only the digest check can tell.
    fs.chmodSync(blob, 0o644);
    const bytes = fs.readFileSync(blob);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    fs.writeFileSync(blob, bytes);
    fs.appendFileSync(asmFile, '// another comment\n');
    const run = pgobuild(ws, ['build', '//...'], { cache });
    expect(finished(run).exitCode).toBe(0);
    expect(run.events.some((e) => e.type === 'cache-corruption')).toBe(true);
    expect(actions(run, 'executed', 'GoBuilder')).toHaveLength(1);
    expect(actions(run, 'executed', 'GoCompile')).toContain('//lib/asm');
    // The re-made builder is the same program (go build -trimpath is reproducible).
    expect(builderDigest(cache, run)).toBe(digest);
  }, 900_000);
});
