import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeSyntheticProfile } from '../pprof/synthetic-profile';
import { makeWorkspace, pgobuild } from './harness';

const LIB =
  'package lib\n\n// Work works.\nfunc Work(n int) int {\n\treturn n * 2\n}\n\n// Other too.\nfunc Other(n int) int {\n\treturn n + 1\n}\n';
const MAIN =
  'package main\n\nimport "example.com/doc/lib"\n\nfunc main() {\n\tprintln(lib.Work(1))\n\tprintln(lib.Other(2))\n}\n';

/** main.main calls <pkg>.Work (line 6) and <pkg>.Other (line 7), `work`/`other` samples each. */
function profile(pkg: string, work: number, other: number): Buffer {
  return encodeSyntheticProfile({
    functions: [
      { name: 'main.main', startLine: 5 },
      { name: `${pkg}.Work`, startLine: 4 },
      { name: `${pkg}.Other`, startLine: 9 },
    ],
    locations: [
      { lines: [{ fn: `${pkg}.Work`, line: 5 }] },
      { lines: [{ fn: 'main.main', line: 6 }] },
      { lines: [{ fn: `${pkg}.Other`, line: 10 }] },
      { lines: [{ fn: 'main.main', line: 7 }] },
    ],
    samples: [
      { stack: [0, 1], values: [work, work * 10_000_000] },
      { stack: [2, 3], values: [other, other * 10_000_000] },
    ],
  });
}

function binary(name: string, extra = ''): Record<string, string> {
  return {
    [`cmd/${name}/BUILD`]: `go_binary(\n    name = "${name}",\n    srcs = ["main.go"],\n    deps = ["//lib"],\n${extra})\n`,
    [`cmd/${name}/main.go`]: MAIN,
  };
}

interface Report {
  verdict: string;
  rungs: { rung: string; status: string; evidence: string }[];
}

it('pgo doctor gives the expected verdict for each kind of profile problem', () => {
  const ws = makeWorkspace(
    {
      'go.mod': 'module example.com/doc\n\ngo 1.22\n',
      'lib/BUILD': 'go_library(\n    name = "lib",\n    srcs = ["lib.go"],\n)\n',
      'lib/lib.go': LIB,
      ...binary('fresh'),
      ...binary('renamed'),
      ...binary('micro'),
      ...binary('empty'),
      ...binary('off', '    pgo = "off",\n'),
      ...binary('noinline', '    gc_goopts = ["-l"],\n'),
    },
    'pgobuild-doctor-',
  );
  const write = (name: string, bytes: Uint8Array): void =>
    fs.writeFileSync(path.join(ws, 'cmd', name, 'default.pgo'), bytes);
  write('fresh', profile('example.com/doc/lib', 50, 50));
  // A profile taken before lib was moved out of example.com/doc/oldlib.
  write('renamed', profile('example.com/doc/oldlib', 50, 50));
  write('micro', profile('example.com/doc/lib', 95, 5));
  write('empty', new Uint8Array());
  write('noinline', profile('example.com/doc/lib', 50, 50));

  const doctor = (name: string): Report => {
    const run = pgobuild(ws, ['pgo', 'doctor', `//cmd/${name}`]);
    const line = run.stdout.split('\n').find((l) => l.includes('"command":"pgo doctor"'));
    if (run.code !== 0 || line === undefined)
      throw new Error(`doctor //cmd/${name}: exit ${run.code}\n${run.stderr}\n${run.stdout}`);
    return JSON.parse(line) as Report;
  };
  const verdicts = Object.fromEntries(
    ['fresh', 'renamed', 'micro', 'empty', 'off', 'noinline'].map((n) => [n, doctor(n)]),
  );
  expect(Object.fromEntries(Object.entries(verdicts).map(([n, r]) => [n, r.verdict]))).toEqual({
    fresh: 'healthy',
    renamed: 'rotten',
    micro: 'microbenchmark',
    empty: 'empty',
    off: 'pgo-off',
    noinline: 'neutralized',
  });
  const rung = (n: string, r: string) => verdicts[n]?.rungs.find((x) => x.rung === r);
  expect(rung('renamed', 'stale-rate')?.evidence).toContain(
    '2 of 2 hot edges (100.0%) and 2 of 3 hot workspace functions no longer match the source',
  );
  expect(rung('micro', 'shape')?.evidence).toContain('top example.com/doc/lib.Work 95.0%');
  expect(rung('noinline', 'flags')?.evidence).toContain('compiled with -l');

  // The human table ends with the verdict.
  const human = pgobuild(ws, ['pgo', 'doctor', '//cmd/renamed'], { json: false });
  expect(human.stdout).toMatch(/stale-rate\s+fail\s+2 of 2 hot edges/);
  expect(human.stdout).toContain('Verdict for //cmd/renamed: rotten');
}, 300000);
