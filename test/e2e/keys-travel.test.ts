import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildEvent } from '../../src/events';
import { type CliRun, REPO, finished, go, parseEvents, tempDir } from './harness';
import { SMALL_WORKSPACE } from './small-workspace';

/**
 * Issue 8, item 2: two machines with the same SDK and sources compute the same key for every
 * action. Two builds of one workspace (with a PGO profile and a test) in environments that differ
 * in everything a machine may differ in: workspace path, HOME, TMPDIR (so the sandbox path), CC,
 * GOPATH, --jobs, the core count (taskset: one CPU, so the compiler's -c differs), the GOROOT's
 * location (a copy of the SDK at another path, selected by go_sdk(path = …), with no go on PATH),
 * and each its own empty disk cache, so each compiles everything itself.
 */
function writeWorkspace(dir: string, workspaceFile: string): void {
  for (const [rel, content] of Object.entries({ ...SMALL_WORKSPACE, WORKSPACE: workspaceFile })) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  fs.copyFileSync(
    path.join(REPO, 'test/fixtures/profiles/markdown-server.cpu.pprof'),
    path.join(dir, 'cmd/one/default.pgo'),
  );
}

interface Machine {
  readonly ws: string;
  readonly cache: string;
  readonly env: NodeJS.ProcessEnv;
  readonly jobs: number;
  /** A command prefix that limits the CPUs the build sees. */
  readonly prefix: readonly string[];
}

function runOn(m: Machine, args: readonly string[]): CliRun {
  const argv = [
    ...m.prefix,
    process.execPath,
    path.join(REPO, 'bin', 'pgobuild.js'),
    ...args,
    `--jobs=${m.jobs}`,
    `--disk_cache=${m.cache}`,
    '--output=json',
  ];
  const r = spawnSync(argv[0] as string, argv.slice(1), {
    cwd: m.ws,
    env: m.env,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  return { code: r.status, events: parseEvents(r.stdout), stdout: r.stdout, stderr: r.stderr };
}

/** `<mnemonic> <description> <key>` of every finished action, sorted. */
function keys(runs: readonly CliRun[]): string[] {
  return runs
    .flatMap((r) => r.events)
    .filter(
      (e): e is Extract<BuildEvent, { type: 'action-finished' }> => e.type === 'action-finished',
    )
    .map((e) => `${e.mnemonic} ${e.description} ${e.key}`)
    .sort();
}

test('every action key is equal on two differently configured machines', () => {
  const hostGoroot = go(REPO, ['env', 'GOROOT']).stdout.trim();
  const base = process.env['PATH'] ?? '';
  const a = tempDir('pgobuild-keys-a-');
  const b = tempDir('pgobuild-keys-b-');
  for (const dir of ['home', 'tmp', 'gopath']) {
    fs.mkdirSync(path.join(a, dir));
    fs.mkdirSync(path.join(b, dir));
  }
  // Machine B's SDK: the same release at another path (a copy), and no go on PATH.
  const sdkCopy = path.join(b, 'opt', 'sdk', 'go');
  fs.mkdirSync(path.dirname(sdkCopy), { recursive: true });
  expect(spawnSync('cp', ['-a', hostGoroot, sdkCopy]).status).toBe(0);
  const noGo = base
    .split(path.delimiter)
    .filter((d) => d !== '' && !fs.existsSync(path.join(d, 'go')))
    .join(path.delimiter);
  const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

  const machineA: Machine = {
    ws: path.join(a, 'ws'),
    cache: path.join(a, 'cache'),
    jobs: 2,
    prefix: [],
    env: {
      PATH: base,
      HOME: path.join(a, 'home'),
      TMPDIR: path.join(a, 'tmp'),
      GOPATH: path.join(a, 'gopath'),
      CC: 'gcc',
      NO_COLOR: '1',
    },
  };
  const machineB: Machine = {
    ws: path.join(b, 'src', 'deeper', 'checkout'),
    cache: path.join(b, 'cache'),
    jobs: 1,
    prefix: hasTaskset ? ['taskset', '-c', '0'] : [],
    env: {
      PATH: noGo,
      HOME: path.join(b, 'home'),
      TMPDIR: path.join(b, 'tmp'),
      GOPATH: path.join(b, 'gopath'),
      CC: '/opt/cross/bin/x86_64-linux-musl-gcc -static',
      LANG: 'C',
      NO_COLOR: '1',
    },
  };
  writeWorkspace(machineA.ws, 'go_sdk()\n');
  writeWorkspace(machineB.ws, `go_sdk(path = "${sdkCopy}")\n`);

  const onA = [runOn(machineA, ['build', '//...']), runOn(machineA, ['test', '//...'])];
  const onB = [runOn(machineB, ['build', '//...']), runOn(machineB, ['test', '//...'])];
  for (const r of [...onA, ...onB]) {
    expect(r.stderr).toBe('');
    expect(finished(r).exitCode).toBe(0);
  }
  // Each machine compiled everything itself (nothing was shared through a cache).
  expect(finished(onB[0] as CliRun).cached).toBe(0);
  const keysA = keys(onA);
  expect(keysA.some((k) => k.startsWith('GoCompile '))).toBe(true);
  expect(keysA.some((k) => k.startsWith('GoLink '))).toBe(true);
  expect(keysA.some((k) => k.startsWith('GoPreprofile '))).toBe(true);
  expect(keysA.some((k) => k.startsWith('GoTestRun '))).toBe(true);
  expect(keys(onB)).toEqual(keysA);
  // And so the outputs are the same bytes.
  for (const bin of ['one', 'two']) {
    const rel = `pgobuild-out/bin/cmd/${bin}/${bin}`;
    expect(
      fs
        .readFileSync(path.join(machineB.ws, rel))
        .equals(fs.readFileSync(path.join(machineA.ws, rel))),
    ).toBe(true);
  }
});
