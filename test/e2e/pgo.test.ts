import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { pprofMessageType } from '../../src/pprof';
import {
  REPO,
  actions,
  finished,
  go,
  makeWorkspace,
  pgobuild,
  textSection,
  tempDir,
} from './harness';
import { SMALL_WORKSPACE } from './small-workspace';

const PROFILES = path.join(REPO, 'test', 'fixtures', 'profiles');
const profile = (name: string): string => fs.readFileSync(path.join(PROFILES, name), 'latin1');

/** Compile/link descriptions of the actions a run executed, split by PGO configuration. */
function executedFor(run: ReturnType<typeof pgobuild>, marker: string): string[] {
  return actions(run, 'executed').filter((d) => d.includes(marker));
}

/** A GoCompile description carries `[pgo <digest>…]` when its configuration has a profile. */
function pgoDigests(run: ReturnType<typeof pgobuild>): Set<string> {
  const out = new Set<string>();
  for (const e of run.events)
    if (e.type === 'action-finished')
      for (const m of e.description.matchAll(/\[pgo ([0-9a-f]+)…\]/g)) out.add(m[1] as string);
  return out;
}

function oracle(ws: string, pkg: string, pgo: string): Buffer {
  const out = path.join(tempDir('oracle-pgo-'), 'bin');
  const r = go(ws, ['build', '-trimpath', `-pgo=${pgo}`, '-o', out, pkg]);
  if (r.code !== 0) throw new Error(r.stderr);
  return textSection(out);
}

describe('PGO end to end (real Go toolchain, real profiles)', () => {
  let ws: string;
  beforeAll(() => {
    ws = makeWorkspace(SMALL_WORKSPACE);
    fs.writeFileSync(
      path.join(ws, 'cmd/one/default.pgo'),
      profile('markdown-server.cpu.pprof'),
      'latin1',
    );
  });

  test('(f)(g) a binary with default.pgo equals go build -trimpath -pgo and differs from -pgo=off', () => {
    const run = pgobuild(ws, ['build', '//cmd/one', '//cmd/two']);
    expect(finished(run).exitCode).toBe(0);
    const ours = textSection(path.join(ws, 'pgobuild-out/bin/cmd/one/one'));
    expect(ours.equals(oracle(ws, './cmd/one', path.join(ws, 'cmd/one/default.pgo')))).toBe(true);
    expect(ours.equals(oracle(ws, './cmd/one', 'off'))).toBe(false);
    const info = go(ws, ['version', '-m', path.join(ws, 'pgobuild-out/bin/cmd/one/one')]).stdout;
    expect(info).toContain('\tbuild\t-pgo=default.pgo\n');
    // cmd/two has no profile: no -pgo setting, and the same code as go build.
    expect(
      go(ws, ['version', '-m', path.join(ws, 'pgobuild-out/bin/cmd/two/two')]).stdout,
    ).not.toContain('-pgo=');
    expect(
      textSection(path.join(ws, 'pgobuild-out/bin/cmd/two/two')).equals(
        oracle(ws, './cmd/two', 'auto'),
      ),
    ).toBe(true);
  });

  test('(a) unchanged profiles: a rebuild spawns no compile', () => {
    pgobuild(ws, ['build', '//cmd/one', '//cmd/two']);
    const again = pgobuild(ws, ['build', '//cmd/one', '//cmd/two']);
    expect(finished(again).executed).toBe(0);
    expect(finished(again).spawns).toBe(0);
  });

  test('(c) a profile that differs only in time and duration fields compiles nothing', () => {
    pgobuild(ws, ['build', '//cmd/one', '//cmd/two']);
    const file = path.join(ws, 'cmd/one/default.pgo');
    const type = pprofMessageType('Profile');
    const message = type.decode(gunzipSync(fs.readFileSync(file))) as unknown as Record<
      string,
      unknown
    >;
    message['time_nanos'] = 1_700_000_000_000_000_000;
    message['duration_nanos'] = 45_000_000_000;
    fs.writeFileSync(file, gzipSync(type.encode(message).finish()));
    const run = pgobuild(ws, ['build', '//cmd/one', '//cmd/two']);
    expect(finished(run).exitCode).toBe(0);
    expect(actions(run, 'executed', 'GoCompile')).toEqual([]);
    expect(actions(run, 'executed', 'GoLink')).toEqual([]);
    // The new raw profile is preprocessed once (a new raw digest), to the same bytes.
    expect(actions(run, 'executed', 'GoPreprofile')).toHaveLength(1);
  });

  test('(b) a different profile re-runs every compile of that binary (std included) and nothing of the others', () => {
    const before = pgobuild(ws, ['build', '//cmd/one', '//cmd/two']);
    const oneConfig = [...pgoDigests(before)];
    expect(oneConfig).toHaveLength(1);
    const compilesOfOne = actions(before, 'cached', 'GoCompile').filter((d) => d.includes('[pgo'));
    expect(compilesOfOne).toEqual(
      expect.arrayContaining([
        'runtime [pgo ' + oneConfig[0] + '…]',
        'fmt [pgo ' + oneConfig[0] + '…]',
        '//cmd/one [pgo ' + oneConfig[0] + '…]',
        '//lib/mid [pgo ' + oneConfig[0] + '…]',
      ]),
    );
    fs.writeFileSync(
      path.join(ws, 'cmd/one/default.pgo'),
      profile('p2pool-observer-api.cpu.pprof'),
      'latin1',
    );
    const after = pgobuild(ws, ['build', '//cmd/one', '//cmd/two']);
    expect(finished(after).exitCode).toBe(0);
    const newDigest = [...pgoDigests(after)][0] as string;
    expect(newDigest).not.toBe(oneConfig[0]);
    const rerun = executedFor(after, `[pgo ${newDigest}`).filter(
      (d) => !d.startsWith('cmd/one/default.pgo'),
    );
    // Every compile of cmd/one's graph ran again with the new profile…
    expect(rerun.sort()).toEqual(
      [
        ...compilesOfOne.map((d) => d.replace(oneConfig[0] as string, newDigest)),
        `//cmd/one [pgo ${newDigest}…]`,
      ].sort(),
    );
    // …and nothing without a profile (cmd/two and its std packages) ran.
    expect(
      actions(after, 'executed').filter((d) => !d.includes('[pgo') && !d.includes('default.pgo')),
    ).toEqual([]);
  });

  test('(d) binaries with byte-identical profiles share their compile actions', () => {
    const shared = makeWorkspace(SMALL_WORKSPACE);
    fs.writeFileSync(
      path.join(shared, 'cmd/one/default.pgo'),
      profile('masterdnsvpn-client.cpu.pprof'),
      'latin1',
    );
    fs.writeFileSync(
      path.join(shared, 'cmd/two/default.pgo'),
      profile('masterdnsvpn-client.cpu.pprof'),
      'latin1',
    );
    const cache = tempDir('pgobuild-shared-');
    const run = pgobuild(shared, ['build', '//cmd/one', '//cmd/two'], { cache });
    expect(finished(run).exitCode).toBe(0);
    // runtime is compiled once for both binaries: one executed, the other answered from it.
    const runtime = run.events.filter(
      (e) =>
        e.type === 'action-finished' &&
        e.mnemonic === 'GoCompile' &&
        e.description.startsWith('runtime '),
    );
    expect(runtime.map((e) => (e.type === 'action-finished' ? e.status : '')).sort()).toEqual([
      'cached',
      'executed',
    ]);
    const keys = new Set(runtime.map((e) => (e.type === 'action-finished' ? e.key : '')));
    expect(keys.size).toBe(1);
  });

  test('(i) --pgo=off equals go build -trimpath -pgo=off', () => {
    const run = pgobuild(ws, ['build', '//cmd/one', '--pgo=off']);
    expect(finished(run).exitCode).toBe(0);
    expect(
      textSection(path.join(ws, 'pgobuild-out/bin/cmd/one/one')).equals(
        oracle(ws, './cmd/one', 'off'),
      ),
    ).toBe(true);
    expect(
      go(ws, ['version', '-m', path.join(ws, 'pgobuild-out/bin/cmd/one/one')]).stdout,
    ).not.toContain('-pgo=');
  });

  test('(h) a heap profile, a truncated profile and random bytes fail with clear errors, exit 2', () => {
    const cases: [string, Buffer, RegExp][] = [
      [
        'heap',
        fs.readFileSync(path.join(PROFILES, 'markdown-server.heap.pprof')),
        /cmd\/one\/default\.pgo: not a CPU profile: sample types are \[.*\]; expected samples\/count or cpu\/nanoseconds/,
      ],
      [
        'truncated',
        fs.readFileSync(path.join(PROFILES, 'markdown-server.cpu.pprof')).subarray(0, 5000),
        /cmd\/one\/default\.pgo: .*truncated/,
      ],
      [
        'random',
        Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251)),
        /cmd\/one\/default\.pgo: .*not a pprof/,
      ],
    ];
    for (const [, bytes, expected] of cases) {
      const bad = makeWorkspace(SMALL_WORKSPACE);
      fs.writeFileSync(path.join(bad, 'cmd/one/default.pgo'), bytes);
      const run = pgobuild(bad, ['build', '//cmd/one'], { json: false });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(expected);
    }
  });

  test("the test of a command laid out as Gazelle writes it (go_test embeds the <name>_lib) uses the binary's profile, as go test does", () => {
    const ws = makeWorkspace({
      'go.mod': 'module example.com/g\n\ngo 1.22\n',
      'cmd/srv/main.go':
        'package main\n\nimport "fmt"\n\nfunc greet(n int) string { return fmt.Sprint("hi ", n) }\n\nfunc main() { fmt.Println(greet(1)) }\n',
      'cmd/srv/main_test.go':
        'package main\n\nimport "testing"\n\nfunc TestGreet(t *testing.T) {\n\tif greet(2) != "hi 2" {\n\t\tt.Fatal(greet(2))\n\t}\n}\n',
      'cmd/srv/BUILD.bazel':
        'load("@io_bazel_rules_go//go:def.bzl", "go_binary", "go_library", "go_test")\n\n' +
        'go_library(\n    name = "srv_lib",\n    srcs = ["main.go"],\n    importpath = "example.com/g/cmd/srv",\n    visibility = ["//visibility:private"],\n)\n\n' +
        'go_binary(\n    name = "srv",\n    embed = [":srv_lib"],\n    visibility = ["//visibility:public"],\n)\n\n' +
        'go_test(\n    name = "srv_test",\n    srcs = ["main_test.go"],\n    embed = [":srv_lib"],\n)\n',
    });
    fs.writeFileSync(
      path.join(ws, 'cmd/srv/default.pgo'),
      fs.readFileSync(path.join(PROFILES, 'markdown-server.cpu.pprof')),
    );
    const run = pgobuild(ws, ['test', '//cmd/srv:srv_test']);
    expect(finished(run).exitCode).toBe(0);
    const compiles = actions(run, 'executed', 'GoCompile').concat(
      actions(run, 'cached', 'GoCompile'),
    );
    expect(
      compiles.some((d) =>
        /^\/\/cmd\/srv:srv_lib \[\/\/cmd\/srv:srv_test\] \[pgo [0-9a-f]+…\]$/.test(d),
      ),
    ).toBe(true);
  });
});
