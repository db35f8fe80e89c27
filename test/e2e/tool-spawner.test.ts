import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { finished, makeWorkspace, parseEvents, pgobuild, pgobuildAsync, tempDir } from './harness';

/**
 * Tools run from the tool spawner (src/exec/tool-spawner.ts), a small helper process, not from
 * the build process: what the tools print and how they exit still reaches the user, and a build
 * killed with SIGKILL leaves neither the helper nor its tools running.
 */

const GO_MOD = 'module example.com/spawn\n\ngo 1.22\n';

const WHO = {
  'go.mod': GO_MOD,
  // The command's shell writes its parent's command line: the process that started the tool.
  'who/BUILD': `genrule(
    name = "parent",
    outs = ["parent.txt"],
    cmd = "cat /proc/$$PPID/cmdline > $@",
)
`,
};

function parentCommandLine(env?: NodeJS.ProcessEnv): string {
  const ws = makeWorkspace(WHO);
  const run = pgobuild(ws, ['build', '//who:parent'], {
    cache: tempDir('pgobuild-spawner-cache-'),
    env,
  });
  expect(finished(run).exitCode).toBe(0);
  return fs.readFileSync(path.join(ws, 'pgobuild-out', 'bin', 'who', 'parent.txt'), 'utf8');
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('the tool spawner', () => {
  test('starts the tools; the build process does not fork itself', () => {
    const parent = parentCommandLine();
    expect(parent).toContain('pgobuild-tool-spawner');
    expect(parent).not.toContain('pgobuild.js');
    // PGOBUILD_DIRECT_SPAWN=1 is the old way: the build process is the parent.
    const direct = parentCommandLine({ ...process.env, PGOBUILD_DIRECT_SPAWN: '1' });
    expect(direct).toContain('pgobuild.js');
  });

  test('runs at most --jobs actions at once, through the spawner and spawning directly', () => {
    // Four genrules that write when they start and end: their intervals must not overlap more
    // than --jobs deep. The build hands twice --jobs actions to the executor; only --jobs run.
    const files: Record<string, string> = { 'go.mod': GO_MOD };
    const names = ['a', 'b', 'c', 'd'];
    for (const n of names)
      files[`${n}/BUILD`] = `genrule(
    name = "${n}",
    outs = ["span.txt"],
    cmd = "date +%s%N > $@; sleep 0.4; date +%s%N >> $@",
)
`;
    const deepest = (env: NodeJS.ProcessEnv | undefined, jobs: number): number => {
      const ws = makeWorkspace(files);
      const run = pgobuild(ws, ['build', '//...', `--jobs=${jobs}`], {
        cache: tempDir('pgobuild-spawner-cache-'),
        env,
      });
      expect(finished(run).exitCode).toBe(0);
      const edges: [number, number][] = [];
      for (const n of names) {
        const [start, end] = fs
          .readFileSync(path.join(ws, 'pgobuild-out', 'bin', n, 'span.txt'), 'utf8')
          .trim()
          .split('\n')
          .map(Number);
        edges.push([start as number, 1], [end as number, -1]);
      }
      edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      let depth = 0;
      let most = 0;
      for (const [, d] of edges) most = Math.max(most, (depth += d));
      return most;
    };
    const trace = path.join(tempDir('pgobuild-spawner-trace-'), 'trace.jsonl');
    expect(deepest({ ...process.env, PGOBUILD_TOOL_TRACE: trace }, 1)).toBe(1);
    expect(deepest(undefined, 2)).toBe(2);
    // The trace has each tool's run, then (as the spawner exits, after the build) its own CPU.
    const lines = (): Record<string, unknown>[] =>
      fs
        .readFileSync(trace, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (let i = 0; i < 40 && !lines().some((l) => 'process' in l); i++)
      spawnSync('sleep', ['0.05']);
    expect(lines().filter((l) => 'tool' in l)).toHaveLength(4);
    expect(lines().find((l) => 'process' in l)).toEqual({
      process: 'tool spawner',
      userMs: expect.any(Number),
      systemMs: expect.any(Number),
    });
    expect(deepest({ ...process.env, PGOBUILD_DIRECT_SPAWN: '1' }, 1)).toBe(1);
  });

  test("a tool's stderr and exit status reach the user", () => {
    const ws = makeWorkspace({
      'go.mod': GO_MOD,
      'bad/BUILD': 'go_library(\n    name = "bad",\n    srcs = ["bad.go"],\n)\n',
      'bad/bad.go': 'package bad\n\nfunc F() int { return "text" }\n',
      'fail/BUILD': `genrule(
    name = "fail",
    outs = ["never.txt"],
    cmd = "echo to-stdout; echo to-stderr >&2; exit 7",
)
`,
    });
    const cache = tempDir('pgobuild-spawner-cache-');
    const compile = pgobuild(ws, ['build', '//bad'], { cache });
    expect(finished(compile).exitCode).not.toBe(0);
    const compileFailure = compile.events.find((e) => e.type === 'action-failed');
    expect(compileFailure).toMatchObject({
      message: 'compile exited with status 2',
      output: expect.stringMatching(/bad\/bad\.go:3:\d+: cannot use "text"/),
    });
    const genrule = pgobuild(ws, ['build', '//fail'], { cache });
    expect(finished(genrule).exitCode).not.toBe(0);
    expect(genrule.events.find((e) => e.type === 'action-failed')).toMatchObject({
      message: 'command of //fail exited with status 7',
      output: 'to-stdout\nto-stderr\n',
    });
  });

  test('SIGKILL of the build ends the spawner and its tools; the next build uses the cache', async () => {
    const ws = makeWorkspace({
      'go.mod': GO_MOD,
      's/BUILD': 'go_test(\n    name = "sleepy_test",\n    srcs = ["sleepy_test.go"],\n)\n',
      's/sleepy_test.go':
        'package s\n\nimport (\n\t"testing"\n\t"time"\n)\n\nfunc TestSleep(t *testing.T) { time.Sleep(120 * time.Second) }\n',
    });
    const cache = tempDir('pgobuild-spawner-cache-');
    const tmp = tempDir('pgobuild-spawner-tmp-');
    const child = pgobuildAsync(ws, ['test', '//s:sleepy_test'], cache, {
      ...process.env,
      TMPDIR: tmp,
      PGOBUILD_SANDBOX_BASE: tmp,
    });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const e of parseEvents(lines.join('\n')))
          if (e.type === 'action-started' && e.mnemonic === 'GoTestRun')
            setTimeout(() => resolve(), 1500);
      });
      child.on('exit', () => reject(new Error('pgobuild test ended before the test ran')));
    });
    // The test binary runs in this build's sandbox under tmp; its parent is the spawner.
    const binary = Number(
      spawnSync('pgrep', ['-f', `${tmp}.*\\.test -test\\.`], { encoding: 'utf8' }).stdout.trim(),
    );
    expect(binary).toBeGreaterThan(1);
    const spawner = Number(
      spawnSync('ps', ['-o', 'ppid=', '-p', String(binary)], { encoding: 'utf8' }).stdout.trim(),
    );
    expect(spawner).not.toBe(child.pid);
    const spawnerCmd = fs.readFileSync(`/proc/${spawner}/cmdline`, 'utf8');
    expect(spawnerCmd).toContain('pgobuild-tool-spawner');
    child.kill('SIGKILL');
    await exited;
    for (let i = 0; i < 40 && (alive(spawner) || alive(binary)); i++) await settle(100);
    expect(alive(binary)).toBe(false);
    expect(alive(spawner)).toBe(false);
    // What was compiled before the kill is used; nothing half-written is.
    const next = pgobuild(ws, ['build', '//s:sleepy_test'], { cache });
    expect(finished(next).exitCode).toBe(0);
    expect(finished(next).cached).toBeGreaterThan(0);
  });
});
