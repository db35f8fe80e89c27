import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Action, Step } from '../../src/actions';
import {
  runInSandbox as runInSandboxWithInputs,
  type MaterializedInput,
  type SandboxOptions,
} from '../../src/exec';

/** The host programs the tests run, declared as inputs (every program must be one). */
const PROGRAMS: MaterializedInput[] = [
  { path: 'bin/sh', absSource: '/bin/sh' },
  { path: 'bin/env', absSource: '/usr/bin/env' },
];

/** runInSandbox with the test programs declared as inputs next to the test's own. */
const runInSandbox = (
  a: Action,
  inputs: readonly MaterializedInput[],
  o: SandboxOptions,
  signal: AbortSignal,
): ReturnType<typeof runInSandboxWithInputs> =>
  runInSandboxWithInputs(a, [...PROGRAMS, ...inputs], o, signal);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let tmp: string;
let opts: SandboxOptions;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'pgobuild-sandbox-test-'));
  opts = { baseDir: path.join(tmp, 'sandboxes'), goroot: '/fake/goroot' };
});

afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

function action(steps: Step[], outputs: string[] = [], env: Record<string, string> = {}): Action {
  return { mnemonic: 'GoCompile', description: 'test', steps, env, inputs: [], outputs };
}

const sh = (script: string, cwd = ''): Step => ({
  kind: 'spawn',
  argv: ['${EXECROOT}/bin/sh', '-c', script],
  cwd,
});

/** Writes a source file under the test's temp dir and returns it as an input at `execPath`. */
async function source(
  execPath: string,
  content: string,
  name = execPath,
): Promise<MaterializedInput> {
  const abs = path.join(tmp, 'src', name);
  await fs.mkdir(path.dirname(abs), { recursive: true });
  await fs.writeFile(abs, content);
  return { path: execPath, absSource: abs };
}

/** The path of a file input (the tests' own inputs are all files). */
function absSourceOf(input: MaterializedInput): string {
  if (!('absSource' in input)) throw new Error('not a file input');
  return input.absSource;
}

async function sandboxesLeft(): Promise<string[]> {
  return fs.readdir(opts.baseDir).catch(() => []);
}

/** True if the process exists and is not a zombie (a zombie is dead, only not yet reaped). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

describe('runInSandbox', () => {
  it('runs steps in order, collects outputs, and disposes of the exec root', async () => {
    const input = await source('in/a.txt', 'hello\n');
    const result = await runInSandbox(
      action(
        [sh('cat in/a.txt gen/b.txt > out/c.txt && echo to-stdout && echo to-stderr >&2')],
        ['out/c.txt'],
      ),
      [input, { path: 'gen/b.txt', content: 'world\n' }],
      opts,
      new AbortController().signal,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.failure));
    const { execRoot, outputs, stdout, stderr } = result.value;
    expect(path.dirname(execRoot)).toBe(path.resolve(opts.baseDir));
    expect([...outputs.keys()]).toEqual(['out/c.txt']);
    expect(outputs.get('out/c.txt')).toBe(path.join(execRoot, 'out/c.txt'));
    expect(await fs.readFile(path.join(execRoot, 'out/c.txt'), 'utf8')).toBe('hello\nworld\n');
    expect(stdout).toBe('to-stdout\n');
    expect(stderr).toBe('to-stderr\n');
    // Inputs are symlinks to their sources.
    expect(await fs.readlink(path.join(execRoot, 'in/a.txt'))).toBe(absSourceOf(input));
    // Content inputs are real files (a tool may rewrite one in place).
    expect((await fs.lstat(path.join(execRoot, 'gen/b.txt'))).isFile()).toBe(true);
    await result.value.dispose();
    expect(existsSync(execRoot)).toBe(false);
    await result.value.dispose();
  });

  it('gives spawns exactly the declared environment, with placeholders expanded', async () => {
    const result = await runInSandbox(
      action([{ kind: 'spawn', argv: ['${EXECROOT}/bin/env'], cwd: '' }], [], {
        FOO: 'bar baz',
        ROOT: '${EXECROOT}/x',
        GOROOT: '${GOROOT}',
        KEEP: '${HOME}',
      }),
      [],
      opts,
      new AbortController().signal,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.failure));
    const lines = result.value.stdout.trim().split('\n').sort();
    expect(lines).toEqual([
      'FOO=bar baz',
      'GOROOT=/fake/goroot',
      'KEEP=${HOME}',
      `ROOT=${result.value.execRoot}/x`,
    ]);
    await result.value.dispose();
  });

  it('expands placeholders in argv, cwd and content inputs', async () => {
    const result = await runInSandbox(
      action(
        [
          {
            kind: 'spawn',
            argv: [
              '${EXECROOT}/bin/sh',
              '-c',
              'pwd > "$1"; echo "$2" >> "$1"',
              'sh',
              '${EXECROOT}/out/o.txt',
              '${GOROOT}/bin/go',
            ],
            cwd: 'sub/dir',
          },
        ],
        ['out/o.txt', 'cfg/paths.txt'],
      ),
      [
        await source('sub/dir/.keep', ''),
        { path: 'cfg/paths.txt', content: 'root=${EXECROOT} goroot=${GOROOT}\n' },
      ],
      opts,
      new AbortController().signal,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.failure));
    const root = result.value.execRoot;
    const realRoot = await fs.realpath(root);
    expect(await fs.readFile(path.join(root, 'out/o.txt'), 'utf8')).toBe(
      `${realRoot}/sub/dir\n/fake/goroot/bin/go\n`,
    );
    expect(await fs.readFile(path.join(root, 'cfg/paths.txt'), 'utf8')).toBe(
      `root=${root} goroot=/fake/goroot\n`,
    );
    await result.value.dispose();
  });

  it('exposes only declared inputs', async () => {
    const declared = await source('data/x.txt', 'declared\n');
    // A sibling of the declared file in the same source directory, not declared.
    await source('data/y.txt', 'secret\n');

    const good = await runInSandbox(
      action([sh('cat data/x.txt')]),
      [declared],
      opts,
      new AbortController().signal,
    );
    if (!good.ok) throw new Error(JSON.stringify(good.failure));
    expect(good.value.stdout).toBe('declared\n');
    await good.value.dispose();

    const bad = await runInSandbox(
      action([sh('cat data/y.txt')]),
      [declared],
      opts,
      new AbortController().signal,
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.failure).toMatchObject({
      reason: 'action-failed',
      step: 0,
      exitCode: 1,
      signal: null,
    });
    if (bad.failure.reason !== 'action-failed') return;
    expect(bad.failure.argv.slice(1)).toEqual(['-c', 'cat data/y.txt']);
    expect(bad.failure.argv[0]).toMatch(/\/exec-[^/]+\/bin\/sh$/);
    expect(bad.failure.output).toMatch(/data\/y\.txt: No such file/);
    // The failed exec root is removed.
    expect(await sandboxesLeft()).toEqual([]);
  });

  it('rewrites exec-root paths in failure output and keeps the root when asked', async () => {
    const result = await runInSandbox(
      action([sh('echo "error in $PWD/pkg/a.go and ${0}"; exit 3', 'pkg/..')]),
      [],
      { ...opts, keepOnFailure: true },
      new AbortController().signal,
    );
    expect(result.ok).toBe(false);
    if (result.ok || result.failure.reason !== 'action-failed')
      throw new Error('expected action-failed');
    expect(result.failure.exitCode).toBe(3);
    expect(result.failure.output).toBe('error in pkg/a.go and bin/sh\n');
    expect(await sandboxesLeft()).toHaveLength(1);
  });

  it('reports a missing declared output', async () => {
    const result = await runInSandbox(
      action([sh('touch out/made')], ['out/made', 'out/forgotten']),
      [],
      opts,
      new AbortController().signal,
    );
    expect(result).toEqual({
      ok: false,
      failure: { reason: 'missing-output', path: 'out/forgotten' },
    });
    expect(await sandboxesLeft()).toEqual([]);
  });

  it('reports a program that cannot be started', async () => {
    const result = await runInSandbox(
      action([{ kind: 'spawn', argv: ['${EXECROOT}/tools/nope'], cwd: '' }]),
      [{ path: 'tools/nope', absSource: path.join(tmp, 'no-such-program') }],
      opts,
      new AbortController().signal,
    );
    expect(result).toMatchObject({
      ok: false,
      failure: { reason: 'action-failed', step: 0, exitCode: null },
    });
    if (result.ok || result.failure.reason !== 'action-failed') return;
    expect(result.failure.argv[0]).toMatch(/\/tools\/nope$/);
  });

  it('refuses, before running anything, a step whose program is not a declared input', async () => {
    const marker = path.join(tmp, 'ran');
    for (const program of ['/bin/sh', '${GOROOT}/pkg/tool/linux_amd64/compile', '${EXECROOT}/x']) {
      const result = await runInSandbox(
        action([sh(`touch ${marker}`), { kind: 'spawn', argv: [program], cwd: '' }]),
        [],
        opts,
        new AbortController().signal,
      );
      expect(result).toMatchObject({ ok: false, failure: { reason: 'sandbox-io' } });
      if (result.ok || result.failure.reason !== 'sandbox-io') return;
      expect(result.failure.message).toContain(
        `step 1: program "${program}" is not a declared input`,
      );
    }
    expect(existsSync(marker)).toBe(false);
    expect(await sandboxesLeft()).toEqual([]);
  });

  it('refuses paths that escape the exec root', async () => {
    const escaping = await runInSandbox(
      action([]),
      [await source('../evil.txt', 'x', 'evil.txt')],
      opts,
      new AbortController().signal,
    );
    expect(escaping).toMatchObject({ ok: false, failure: { reason: 'sandbox-io' } });
    const absOutput = await runInSandbox(
      action([], ['/etc/passwd']),
      [],
      opts,
      new AbortController().signal,
    );
    expect(absOutput).toMatchObject({ ok: false, failure: { reason: 'sandbox-io' } });
  });

  it('copies an input that is also an output, so the source is never modified', async () => {
    const input = await source('lib/_pkg_.a', 'original\n');
    const result = await runInSandbox(
      action([sh('echo appended >> lib/_pkg_.a')], ['lib/_pkg_.a']),
      [input],
      opts,
      new AbortController().signal,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.failure));
    expect(await fs.readFile(path.join(result.value.execRoot, 'lib/_pkg_.a'), 'utf8')).toBe(
      'original\nappended\n',
    );
    expect(await fs.readFile(absSourceOf(input), 'utf8')).toBe('original\n');
    await result.value.dispose();
  });

  it('kills the whole process group on abort', async () => {
    const controller = new AbortController();
    const pidFile = path.join(tmp, 'pids');
    const running = runInSandbox(
      action([
        sh(
          `sleep 100 & echo $! > ${pidFile}.tmp; echo $$ >> ${pidFile}.tmp; mv ${pidFile}.tmp ${pidFile}; sleep 100`,
        ),
      ]),
      [],
      opts,
      controller.signal,
    );
    let pids: number[] = [];
    for (let i = 0; i < 200 && pids.length < 2; i++) {
      await sleep(25);
      pids = existsSync(pidFile)
        ? readFileSync(pidFile, 'utf8').trim().split('\n').map(Number)
        : [];
    }
    expect(pids).toHaveLength(2);
    expect(pids.every(alive)).toBe(true);
    controller.abort();
    expect(await running).toEqual({ ok: false, failure: { reason: 'cancelled' } });
    for (let i = 0; i < 100 && pids.some(alive); i++) {
      await sleep(20);
    }
    expect(pids.filter(alive)).toEqual([]);
    expect(await sandboxesLeft()).toEqual([]);
  });

  it('does not wait for, or leave behind, a background child of a successful step', async () => {
    const pidFile = path.join(tmp, 'bg-pid');
    const started = Date.now();
    const result = await runInSandbox(
      action([sh(`sleep 100 & echo $! > ${pidFile}`)]),
      [],
      opts,
      new AbortController().signal,
    );
    expect(result.ok).toBe(true);
    expect(Date.now() - started).toBeLessThan(20_000);
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    for (let i = 0; i < 100 && alive(pid); i++) {
      await sleep(20);
    }
    expect(alive(pid)).toBe(false);
    if (result.ok) await result.value.dispose();
  });

  it('returns cancelled without running anything when already aborted', async () => {
    const marker = path.join(tmp, 'ran');
    const result = await runInSandbox(
      action([sh(`touch ${marker}`)]),
      [],
      opts,
      AbortSignal.abort(),
    );
    expect(result).toEqual({ ok: false, failure: { reason: 'cancelled' } });
    expect(existsSync(marker)).toBe(false);
  });
});
