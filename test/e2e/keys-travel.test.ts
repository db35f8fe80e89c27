import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildEvent } from '../../src/events';
import { type CliRun, REPO, finished, go, parseEvents, tempDir } from './harness';
import { SMALL_WORKSPACE } from './small-workspace';

/**
 * Issue 8, item 2: two machines with the same SDK and sources compute the same key for every
 * action. Two builds of one workspace (with a PGO profile and a test) in environments that differ
 * in everything a machine may differ in: workspace path, HOME, TMPDIR, the sandbox (memory or disk), CC,
 * GOPATH (so the module cache holding the external module), --jobs, the core count (taskset: one
 * CPU, so the compiler's -c differs), the GOROOT's location (a copy of the SDK at another path,
 * selected by go_sdk(path = …), with no go on PATH), and each its own empty disk cache, so each
 * compiles everything itself.
 */
const MDURL = 'gitlab.com/golang-commonmark/mdurl v0.0.0-20191124015652-932350d1cb84';
const MODULE_FILES: Readonly<Record<string, string>> = {
  'go.mod': `module example.com/small\n\ngo 1.22\n\nrequire ${MDURL}\n`,
  'go.sum': `${MDURL} h1:qqjvoVXdWIcZCLPMlzgA7P9FZWdPGPvP/l3ef8GzV6o=\n${MDURL}/go.mod h1:IJZ+fdMvbW2qW6htJx7sLJ04FEs4Ldl/MDsJtMKywfw=\n`,
  'lib/link/BUILD':
    'go_library(\n    name = "link",\n    srcs = ["link.go"],\n    deps = ["@com_gitlab_golang_commonmark_mdurl//:mdurl"],\n)\n',
  'lib/link/link.go':
    'package link\n\nimport "gitlab.com/golang-commonmark/mdurl"\n\n// Host is the host of u, or "".\nfunc Host(u string) string {\n\tp, err := mdurl.Parse(u)\n\tif err != nil {\n\t\treturn ""\n\t}\n\treturn p.Host\n}\n',
  'cmd/two/BUILD':
    'go_binary(\n    name = "two",\n    srcs = ["main.go"],\n    deps = [\n        "//lib/link",\n        "//lib/other",\n    ],\n)\n',
  'cmd/two/main.go':
    'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/small/lib/link"\n\t"example.com/small/lib/other"\n)\n\nfunc main() { fmt.Println(other.Shout("two"), link.Host("https://go.dev/x")) }\n',
};

function writeWorkspace(dir: string, workspaceFile: string): void {
  const files = { ...SMALL_WORKSPACE, ...MODULE_FILES, WORKSPACE: workspaceFile };
  for (const [rel, content] of Object.entries(files)) {
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
      GOFLAGS: '-modcacherw',
      CC: 'gcc',
      NO_COLOR: '1',
      PGOBUILD_BATCH: '1',
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
      // A has its exec roots in memory (/dev/shm, the default where it exists), B on disk.
      PGOBUILD_SANDBOX_BASE: path.join(b, 'tmp'),
      GOPATH: path.join(b, 'gopath'),
      GOFLAGS: '-modcacherw',
      CC: '/opt/cross/bin/x86_64-linux-musl-gcc -static',
      LANG: 'C',
      NO_COLOR: '1',
      PGOBUILD_BATCH: '1',
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
  expect(keysA.some((k) => k.includes('@com_gitlab_golang_commonmark_mdurl'))).toBe(true);
  // Each machine read the module from its own module cache.
  for (const m of [a, b])
    expect(
      fs.existsSync(path.join(m, 'gopath', 'pkg', 'mod', 'gitlab.com', 'golang-commonmark')),
    ).toBe(true);
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
