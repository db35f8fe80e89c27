import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildEvent } from '../../src/events';
import { finished, makeWorkspace, parseEvents, pgobuild, pgobuildAsync, tempDir } from './harness';

type Diag = Extract<BuildEvent, { type: 'diagnostic' }>;
const diagnostics = (events: readonly BuildEvent[]): Diag[] =>
  events.filter((e): e is Diag => e.type === 'diagnostic' && e.severity === 'error');

const GO_MOD = 'module example.com/h\n\ngo 1.22\n';
const MAIN = 'package main\n\nfunc main() { println(y()) }\n';
const Y = 'package main\n\nfunc y() int { return 1 }\n';

describe('bad command-line input is a usage error (exit 2), never an internal error', () => {
  const ws = makeWorkspace({
    'go.mod': GO_MOD,
    'a/BUILD': 'go_binary(\n    name = "a",\n    srcs = ["main.go", "y.go"],\n)\n',
    'a/main.go': MAIN,
    'a/y.go': Y,
    'bad/BUILD': 'go_library(\n    name = "bad",\n    srcs = [1 + "x"],\n)\n',
  });

  test("query kind('[', ...) names the bad regular expression", () => {
    const run = pgobuild(ws, ['query', "kind('[', //a/...)"]);
    expect(run.code).toBe(2);
    expect(diagnostics(run.events).map((d) => d.message)).toEqual([
      expect.stringContaining("'[' is not a valid regular expression"),
    ]);
  });

  test('query keeps the file:line:col of BUILD errors, in JSON and human output', () => {
    const run = pgobuild(ws, ['query', '//...']);
    expect(run.code).toBe(2);
    const [d] = diagnostics(run.events);
    expect(d).toMatchObject({ file: 'bad/BUILD', line: 3, col: 17 });
    expect(d?.formatted).toContain('bad/BUILD:3:17: error:');
    const human = pgobuild(ws, ['query', 'deps(//bad)'], { json: false });
    expect(human.code).toBe(2);
    expect(human.stderr).toContain('bad/BUILD:3:17: error:');
    expect(human.stderr).toContain('^');
  });

  test.each([
    ['--disk_cache_max_size=abc', '--disk_cache_max_size must be a number'],
    ['--disk_cache_max_size=0', '--disk_cache_max_size must be greater than 0'],
    ['--disk_cache_max_size=-1', '--disk_cache_max_size must be greater than 0'],
    ['--jobs=abc', '--jobs must be a number'],
    ['--jobs=0', '--jobs must be a positive integer'],
  ])('%s is refused, naming the flag', (flag, message) => {
    const run = pgobuild(ws, ['build', '//a', flag], { json: false });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toContain('internal error');
  });

  test.each([
    ['', '--disk_cache is empty'],
    ['/dev/null', '/dev/null is not a directory'],
    ['/proc/x', 'cannot create /proc/x'],
  ])('--disk_cache=%p is refused with a plain message', (dir, message) => {
    const run = pgobuild(ws, ['build', '//a'], { cache: dir, json: false });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toContain('internal error');
    expect(fs.existsSync(path.join(ws, 'v1'))).toBe(false);
  });

  test('--disk_cache naming a regular file is refused', () => {
    const file = path.join(tempDir('pgobuild-cachefile-'), 'file');
    fs.writeFileSync(file, 'x');
    const run = pgobuild(ws, ['build', '//a'], { cache: file, json: false });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file} is not a directory`);
  });
});

describe('srcs, embedsrcs and assembly includes stay inside the package', () => {
  const cases: [string, string, string, number, number][] = [
    [
      'a parent-relative src',
      'srcs = ["main.go", "../../outside.go"]',
      "'../../outside.go' leaves package //a",
      3,
      24,
    ],
    [
      'an absolute src',
      'srcs = ["main.go", "/etc/y.go"]',
      "'/etc/y.go' is an absolute path",
      3,
      24,
    ],
    ['a ./ src', 'srcs = ["main.go", "./y.go"]', "'./y.go' has a '.' segment: write 'y.go'", 3, 24],
    [
      'a duplicate src',
      'srcs = ["main.go", "y.go", "main.go"]',
      "'main.go' is listed twice (first at a/BUILD:3:13)",
      3,
      32,
    ],
    [
      'a parent-relative embedsrc',
      'srcs = ["main.go", "y.go"],\n    embedsrcs = ["../secret.txt"]',
      "embedsrcs: '../secret.txt' leaves package //a",
      4,
      18,
    ],
  ];
  test.each(cases)('%s is an error at the BUILD line (exit 2)', (_, attrs, message, line, col) => {
    const ws = makeWorkspace({
      'go.mod': GO_MOD,
      'outside.go': 'package main\n\nfunc y() int { return 666 }\n',
      'a/BUILD': `go_binary(\n    name = "a",\n    ${attrs},\n)\n`,
      'a/main.go': MAIN,
      'a/y.go': Y,
      'secret.txt': 'secret',
    });
    const run = pgobuild(ws, ['build', '//a']);
    expect(finished(run).exitCode).toBe(2);
    const [d] = diagnostics(run.events);
    expect(d?.message).toContain(message);
    expect(d).toMatchObject({ file: 'a/BUILD', line, col });
  });

  test.each([
    ['an absolute path', '#include "/tmp/pgobuild-absolute.h"', 'is an absolute path'],
    ['a path out of the package', '#include "../h/x.h"', 'is outside the package directory'],
  ])('an assembly #include of %s is an error at the .s line', (_, include, message) => {
    const ws = makeWorkspace({
      'go.mod': GO_MOD,
      'h/x.h': '#define ONE $1\n',
      'lib/BUILD':
        'go_library(\n    name = "lib",\n    srcs = [\n        "one.go",\n        "one_amd64.s",\n    ],\n)\n',
      'lib/one.go': 'package lib\n\n// One returns 1.\nfunc One() int64\n',
      'lib/one_amd64.s': `#include "textflag.h"\n${include}\n\nTEXT ·One(SB), NOSPLIT, $0-8\n\tMOVQ $1, ret+0(FP)\n\tRET\n`,
    });
    const run = pgobuild(ws, ['build', '//lib']);
    expect(finished(run).exitCode).toBe(2);
    const [d] = diagnostics(run.events);
    expect(d).toMatchObject({ file: 'lib/one_amd64.s', line: 2, col: 10 });
    expect(d?.message).toContain(message);
  });
});

describe('signals', () => {
  test('run exits with 128 + the signal that killed the program (SIGTERM: 143)', () => {
    const ws = makeWorkspace({
      'go.mod': GO_MOD,
      'k/BUILD': 'go_binary(\n    name = "k",\n    srcs = ["main.go"],\n)\n',
      'k/main.go':
        'package main\n\nimport "syscall"\n\nfunc main() {\n\t_ = syscall.Kill(syscall.Getpid(), syscall.SIGTERM)\n\tselect {}\n}\n',
    });
    const run = pgobuild(ws, ['run', '//k']);
    expect(run.code).toBe(143);
  });

  const SLEEPY = {
    'go.mod': GO_MOD,
    's/BUILD': 'go_test(\n    name = "sleepy_test",\n    srcs = ["sleepy_test.go"],\n)\n',
    's/sleepy_test.go':
      'package s\n\nimport (\n\t"testing"\n\t"time"\n)\n\nfunc TestSleep(t *testing.T) { time.Sleep(120 * time.Second) }\n',
  };

  /** Starts `pgobuild test //s:sleepy_test`; resolves once the test binary runs. */
  function startSleepyTest(tmp: string): Promise<ReturnType<typeof pgobuildAsync>> {
    const ws = makeWorkspace(SLEEPY);
    const cache = tempDir('pgobuild-sleepy-cache-');
    const child = pgobuildAsync(ws, ['test', '//s:sleepy_test'], cache, {
      ...process.env,
      TMPDIR: tmp,
      PGOBUILD_SANDBOX_BASE: tmp,
    });
    return new Promise((resolve, reject) => {
      let buffer = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const e of parseEvents(lines.join('\n')))
          if (e.type === 'action-started' && e.mnemonic === 'GoTestRun')
            // Give the sandbox a moment to start the binary.
            setTimeout(() => resolve(child), 1500);
      });
      child.on('exit', () => reject(new Error('pgobuild test ended before the test ran')));
    });
  }

  const survivors = (tmp: string): string =>
    spawnSync('pgrep', ['-af', tmp], { encoding: 'utf8' }).stdout.trim();
  const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  test('SIGKILL of pgobuild during a test leaves no test binary running', async () => {
    const tmp = tempDir('pgobuild-sigkill-tmp-');
    const child = await startSleepyTest(tmp);
    expect(survivors(tmp)).toMatch(/\.test -test\./);
    child.kill('SIGKILL');
    await settle(2000);
    expect(survivors(tmp)).toBe('');
  });

  test.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
    ['SIGINT', 130],
  ] as const)('%s stops the build: exit %d, "interrupted", no child left', async (sig, code) => {
    const tmp = tempDir('pgobuild-sig-tmp-');
    const child = await startSleepyTest(tmp);
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    child.kill(sig);
    expect(await exited).toBe(code);
    const done = parseEvents(out).find((e) => e.type === 'command-finished');
    expect(done).toMatchObject({ exitCode: code, interrupted: sig });
    await settle(500);
    expect(survivors(tmp)).toBe('');
  });
});
