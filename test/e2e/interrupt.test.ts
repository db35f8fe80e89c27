import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { finished, makeWorkspace, parseEvents, pgobuild, pgobuildAsync, tempDir } from './harness';
import { SMALL_WORKSPACE } from './small-workspace';

/** Starts a cold build and resolves once `n` actions have executed, returning the child. */
function startAndWait(
  ws: string,
  cache: string,
  n: number,
  env?: NodeJS.ProcessEnv,
): Promise<ReturnType<typeof pgobuildAsync>> {
  const child = pgobuildAsync(ws, ['build', '//...', '--jobs=2'], cache, env);
  return new Promise((resolve, reject) => {
    let seen = 0;
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const e of parseEvents(lines.join('\n'))) {
        if (e.type === 'action-finished' && e.status === 'executed' && ++seen === n) resolve(child);
      }
    });
    child.on('exit', () => reject(new Error('build finished before it could be interrupted')));
  });
}

function exited(child: ReturnType<typeof pgobuildAsync>): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe('(h) interrupted builds', () => {
  test('killing a build midway (SIGKILL) leaves a cache the next build uses correctly', async () => {
    const ws = makeWorkspace(SMALL_WORKSPACE);
    const cache = tempDir('pgobuild-kill-');
    const child = await startAndWait(ws, cache, 8);
    child.kill('SIGKILL');
    await exited(child);
    const next = pgobuild(ws, ['build', '//...'], { cache });
    const done = finished(next);
    expect(done.exitCode).toBe(0);
    expect(done.cached).toBeGreaterThanOrEqual(8);
    const one = spawnSync(path.join(ws, 'pgobuild-out/bin/cmd/one/one'), { encoding: 'utf8' });
    expect(one.stdout).toBe('hello 42 on linux 42\n');
    expect(fs.readdirSync(path.join(cache, 'v1', 'tmp')).filter((f) => !f.startsWith('.'))).toEqual(
      [],
    );
  });

  test('Ctrl-C stops the build, kills every tool process and exits 130 (128 + SIGINT)', async () => {
    const ws = makeWorkspace(SMALL_WORKSPACE);
    const cache = tempDir('pgobuild-int-');
    const tmp = tempDir('pgobuild-int-tmp-');
    const child = await startAndWait(ws, cache, 4, {
      ...process.env,
      TMPDIR: tmp,
      PGOBUILD_SANDBOX_BASE: tmp,
    });
    child.kill('SIGINT');
    const code = await exited(child);
    expect(code).toBe(130);
    // No compile, asm or link process is left running in this build's sandboxes.
    const left = spawnSync('pgrep', ['-f', tmp], { encoding: 'utf8' }).stdout.trim();
    expect(left).toBe('');
    const next = pgobuild(ws, ['build', '//...'], { cache });
    expect(finished(next).exitCode).toBe(0);
  });
});
