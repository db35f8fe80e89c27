import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OUTPUT_CAP_BYTES, runProcess } from '../../src/exec';
import type { ExecRootOp } from '../../src/exec';
import { type JobOutcome, type SpawnerJob, ToolSpawner } from '../../src/exec/tool-spawner';

/**
 * The tool spawner (src/exec/tool-spawner.ts): tools run from a small helper process, with the
 * same outcome as spawning them directly (exit codes, signals, stdout/stderr and their
 * interleaving, the output cap, cancellation killing the whole group), and the helper's death
 * failing what was in flight without leaving tools behind.
 */

const ENV = { PATH: '/usr/bin:/bin' };

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitUntil(cond: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(25);
  }
  return cond();
}

/** The parent pid of a process, from /proc. */
function parentOf(pid: number): number | undefined {
  const r = spawnSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' });
  const n = Number(r.stdout.trim());
  return r.status === 0 && Number.isInteger(n) ? n : undefined;
}

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'pgobuild-spawner-test-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('ToolSpawner', () => {
  test('runs the tool as its own child, not as a child of the build process', async () => {
    const spawner = new ToolSpawner();
    const out = await spawner.run(
      { argv: ['/bin/sh', '-c', 'echo $PPID'], cwd: tmp, env: ENV },
      new AbortController().signal,
    );
    expect(out.kind).toBe('exited');
    if (out.kind !== 'exited') return;
    const ppid = Number(
      Buffer.concat(out.chunks.map(([, b]) => b))
        .toString('utf8')
        .trim(),
    );
    expect(spawner.pid).toBeDefined();
    expect(ppid).toBe(spawner.pid);
    expect(ppid).not.toBe(process.pid);
    // The helper is a child of this process.
    expect(parentOf(spawner.pid as number)).toBe(process.pid);
  });

  test('gives exit codes, signals and both streams in arrival order, with exactly the env given', async () => {
    const spawner = new ToolSpawner();
    const signal = new AbortController().signal;
    const out = await spawner.run(
      {
        argv: ['/bin/sh', '-c', 'echo one; echo two >&2; echo "$ONLY:$HOME"; exit 3'],
        cwd: tmp,
        env: { ...ENV, ONLY: 'x' },
      },
      signal,
    );
    expect(out).toMatchObject({ kind: 'exited', exitCode: 3, signal: null, truncated: false });
    if (out.kind !== 'exited') return;
    expect(out.chunks.map(([s, b]) => [s, b.toString('utf8')])).toEqual(
      expect.arrayContaining([
        [0, expect.stringContaining('one')],
        [1, 'two\n'],
      ]),
    );
    expect(Buffer.concat(out.chunks.filter(([s]) => s === 0).map(([, b]) => b)).toString()).toBe(
      'one\nx:\n',
    );
    const killed = await spawner.run(
      { argv: ['/bin/sh', '-c', 'kill -TERM $$'], cwd: tmp, env: ENV },
      signal,
    );
    expect(killed).toMatchObject({ kind: 'exited', exitCode: null, signal: 'SIGTERM' });
    const missing = await spawner.run(
      { argv: [path.join(tmp, 'no-such-tool')], cwd: tmp, env: ENV },
      signal,
    );
    expect(missing).toMatchObject({ kind: 'spawn-error' });
    if (missing.kind === 'spawn-error') expect(missing.message).toMatch(/ENOENT/);
  });

  test('caps each stream and says so, as a direct spawn does', async () => {
    const big = OUTPUT_CAP_BYTES + 1000;
    const out = await runProcess(
      { argv: ['/bin/sh', '-c', `head -c ${big} /dev/zero; echo done >&2`], cwd: tmp, env: ENV },
      new AbortController().signal,
    );
    expect(out.kind).toBe('exited');
    if (out.kind !== 'exited') return;
    expect(out.stdout.length).toBe(OUTPUT_CAP_BYTES);
    expect(out.stderr).toBe('done\n');
    expect(out.combined).toMatch(/\[output truncated at \d+ bytes per stream\]\n$/);
  });

  test('cancelling kills the whole process group, background children included', async () => {
    const spawner = new ToolSpawner();
    const pidFile = path.join(tmp, 'bg.pid');
    const controller = new AbortController();
    const running = spawner.run(
      {
        argv: ['/bin/sh', '-c', `sleep 60 & echo $! > ${pidFile}; wait`],
        cwd: tmp,
        env: ENV,
      },
      controller.signal,
    );
    expect(await waitUntil(() => spawnSync('test', ['-s', pidFile]).status === 0)).toBe(true);
    const bg = Number((await fs.readFile(pidFile, 'utf8')).trim());
    expect(alive(bg)).toBe(true);
    controller.abort();
    expect(await running).toEqual({ kind: 'cancelled' });
    expect(await waitUntil(() => !alive(bg))).toBe(true);
  });

  test('a helper that dies fails the runs in flight, kills their tools, and is replaced', async () => {
    const spawner = new ToolSpawner();
    const pidFile = path.join(tmp, 'tool.pid');
    const running = spawner.run(
      { argv: ['/bin/sh', '-c', `echo $$ > ${pidFile}; exec sleep 60`], cwd: tmp, env: ENV },
      new AbortController().signal,
    );
    expect(await waitUntil(() => spawnSync('test', ['-s', pidFile]).status === 0)).toBe(true);
    const tool = Number((await fs.readFile(pidFile, 'utf8')).trim());
    const first = spawner.pid as number;
    process.kill(first, 'SIGKILL');
    const out = await running;
    expect(out).toMatchObject({ kind: 'spawn-error' });
    if (out.kind === 'spawn-error') expect(out.message).toMatch(/tool spawner exited/);
    expect(await waitUntil(() => !alive(tool))).toBe(true);
    const again = await spawner.run(
      { argv: ['/bin/sh', '-c', 'exit 0'], cwd: tmp, env: ENV },
      new AbortController().signal,
    );
    expect(again).toMatchObject({ kind: 'exited', exitCode: 0 });
    expect(spawner.pid).not.toBe(first);
  });

  test('the helper kills its tools and exits when the process that started it dies', async () => {
    // A separate Node process plays the build: it starts a tool through its spawner, prints the
    // pids, and is then SIGKILLed (no handler of its own can run).
    const script = `
      const { ToolSpawner } = require(${JSON.stringify(path.resolve(__dirname, '../../dist/src/exec/tool-spawner.js'))});
      const s = new ToolSpawner();
      s.run({ argv: ['/bin/sh', '-c', 'echo $$; exec sleep 60'], cwd: '/', env: {} }, new AbortController().signal);
      setInterval(() => {}, 1000);
      const t = setInterval(() => { if (s.pid !== undefined) { console.log(s.pid); clearInterval(t); } }, 10);
    `;
    const { spawn } = await import('node:child_process');
    const build = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let printed = '';
    build.stdout.on('data', (c: Buffer) => (printed += c.toString()));
    expect(await waitUntil(() => printed.trim() !== '')).toBe(true);
    const helper = Number(printed.trim());
    // The tool is the helper's child.
    let tool: number | undefined;
    expect(
      await waitUntil(() => {
        const r = spawnSync('pgrep', ['-P', String(helper)], { encoding: 'utf8' });
        tool = Number(r.stdout.trim().split('\n')[0]);
        return r.status === 0 && Number.isInteger(tool) && tool > 0;
      }),
    ).toBe(true);
    build.kill('SIGKILL');
    expect(await waitUntil(() => !alive(helper))).toBe(true);
    expect(await waitUntil(() => !alive(tool as number))).toBe(true);
  });

  test('makes and fills an exec root in the helper; an existing root is refused', async () => {
    const spawner = new ToolSpawner();
    const base = path.join(tmp, 'base');
    const root = path.join(base, 'exec-1');
    const src = path.join(tmp, 'src.txt');
    await fs.writeFile(src, 'source');
    const signal = new AbortController().signal;
    const prepare = (r: string, ops: ExecRootOp[]): Promise<JobOutcome> =>
      spawner.runJob({ prepare: { base, root: r, ops }, steps: [], env: ENV }, signal);
    expect(
      await prepare(root, [
        { op: 'mkdir', path: path.join(root, 'a', 'b') },
        { op: 'symlink', target: src, path: path.join(root, 'a', 'b', 'link') },
        { op: 'write', path: path.join(root, 'a', 'cfg'), content: 'written' },
        { op: 'copy', from: src, path: path.join(root, 'copy') },
      ]),
    ).toEqual({ kind: 'ran', outcomes: [] });
    expect(await fs.readlink(path.join(root, 'a', 'b', 'link'))).toBe(src);
    expect(await fs.readFile(path.join(root, 'a', 'cfg'), 'utf8')).toBe('written');
    const copy = await fs.lstat(path.join(root, 'copy'));
    expect(copy.isFile() && !copy.isSymbolicLink()).toBe(true);
    expect(await fs.readFile(path.join(root, 'copy'), 'utf8')).toBe('source');
    expect(await prepare(root, [])).toMatchObject({
      kind: 'prepare-failed',
      message: expect.stringMatching(/EEXIST/),
    });
    const other = path.join(base, 'exec-2');
    expect(
      await prepare(other, [
        { op: 'symlink', target: src, path: path.join(other, 'missing-dir', 'x') },
      ]),
    ).toMatchObject({ kind: 'prepare-failed', message: expect.stringMatching(/ENOENT/) });
  });

  test('runs at most `slots` jobs at once: the others wait in the helper with their exec roots made', async () => {
    const spawner = new ToolSpawner();
    const base = path.join(tmp, 'base');
    const log = path.join(tmp, 'log');
    // Each job appends "start N", sleeps, appends "end N": with one slot the lines never interleave.
    const job = (n: number): SpawnerJob => ({
      prepare: {
        base,
        root: path.join(base, `exec-${n}`),
        ops: [{ op: 'write', path: path.join(base, `exec-${n}`, 'marker'), content: `${n}` }],
      },
      steps: [
        {
          argv: ['/bin/sh', '-c', `echo start ${n} >> ${log}; sleep 0.2; echo end ${n} >> ${log}`],
          cwd: path.join(base, `exec-${n}`),
        },
      ],
      env: ENV,
      slots: 1,
    });
    const started: number[] = [];
    const signal = new AbortController().signal;
    const first = spawner.runJob(job(1), signal, () => started.push(1));
    const second = spawner.runJob(job(2), signal, () => started.push(2));
    // The second job's exec root is made while it waits for the slot.
    const marker = path.join(base, 'exec-2', 'marker');
    expect(
      await waitUntil(() => started.length > 0 && spawnSync('test', ['-s', marker]).status === 0),
    ).toBe(true);
    expect(started).toEqual([1]);
    expect(await first).toMatchObject({ kind: 'ran', outcomes: [{ kind: 'exited', exitCode: 0 }] });
    expect(await second).toMatchObject({
      kind: 'ran',
      outcomes: [{ kind: 'exited', exitCode: 0 }],
    });
    expect(started).toEqual([1, 2]);
    expect((await fs.readFile(log, 'utf8')).split('\n')).toEqual([
      'start 1',
      'end 1',
      'start 2',
      'end 2',
      '',
    ]);

    // With two slots the next two overlap.
    await fs.rm(log);
    const both = [3, 4].map((n) => spawner.runJob({ ...job(n), slots: 2 }, signal));
    await Promise.all(both);
    expect((await fs.readFile(log, 'utf8')).split('\n').slice(0, 2).sort()).toEqual([
      'start 3',
      'start 4',
    ]);
  });

  test('a job runs its steps in order and stops at the first that fails', async () => {
    const spawner = new ToolSpawner();
    const out = await spawner.runJob(
      {
        steps: [
          { argv: ['/bin/sh', '-c', 'echo one'], cwd: tmp },
          { argv: ['/bin/sh', '-c', 'echo two >&2; exit 4'], cwd: tmp },
          { argv: ['/bin/sh', '-c', `touch ${path.join(tmp, 'third')}`], cwd: tmp },
        ],
        env: ENV,
      },
      new AbortController().signal,
    );
    expect(out.kind).toBe('ran');
    if (out.kind !== 'ran') return;
    expect(out.outcomes.map((o) => (o.kind === 'exited' ? o.exitCode : o.kind))).toEqual([0, 4]);
    await expect(fs.stat(path.join(tmp, 'third'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('a waiting job that is cancelled never starts; the running one is unaffected', async () => {
    const spawner = new ToolSpawner();
    const signal = new AbortController().signal;
    const marker = path.join(tmp, 'ran');
    const running = spawner.runJob(
      { steps: [{ argv: ['/bin/sh', '-c', 'sleep 0.3'], cwd: tmp }], env: ENV, slots: 1 },
      signal,
    );
    const controller = new AbortController();
    let started = false;
    const waiting = spawner.runJob(
      { steps: [{ argv: ['/bin/sh', '-c', `touch ${marker}`], cwd: tmp }], env: ENV, slots: 1 },
      controller.signal,
      () => (started = true),
    );
    controller.abort();
    expect(await waiting).toEqual({ kind: 'cancelled' });
    expect(await running).toMatchObject({
      kind: 'ran',
      outcomes: [{ kind: 'exited', exitCode: 0 }],
    });
    await sleep(100);
    expect(started).toBe(false);
    await expect(fs.stat(marker)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('removes a directory tree in the helper', async () => {
    const spawner = new ToolSpawner();
    const dir = path.join(tmp, 'root');
    await fs.mkdir(path.join(dir, 'a', 'b'), { recursive: true });
    await fs.writeFile(path.join(dir, 'a', 'b', 'f'), 'x');
    await fs.symlink('/etc/hostname', path.join(dir, 'link'));
    await spawner.removeTree(dir);
    await expect(fs.stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    // Again: nothing to remove is not an error.
    await spawner.removeTree(dir);
    expect((await fs.stat('/etc/hostname')).isFile()).toBe(true);
  });
});
