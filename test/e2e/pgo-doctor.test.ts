import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeSyntheticProfile } from '../pprof/synthetic-profile';
import { makeWorkspace, pgobuild } from './harness';

/** A function over the inlining budget (cost 144 > 80) that PGO inlines at a hot call site. */
function bigFunction(name: string, init: number): string {
  const cases = Array.from(
    { length: 9 },
    (_, j) => `\t\tcase ${j}:\n\t\t\ts = s*${j + 3} + i<<${j % 5} ^ ${j * 7 + 1}\n`,
  ).join('');
  return `// ${name} works.\nfunc ${name}(n int) int {\n\ts := ${init}\n\tfor i := 0; i < n; i++ {\n\t\tswitch i % 10 {\n${cases}\t\tdefault:\n\t\t\ts += 11\n\t\t}\n\t}\n\treturn s\n}\n`;
}
/** Work starts at line 4, Other at line 34; Tiny (cost 4) is inlined with or without a profile. */
const LIB = `package lib\n\n${bigFunction('Work', 0)}\n${bigFunction('Other', 1)}\n// Tiny is tiny.\nfunc Tiny(n int) int {\n\treturn n * 2\n}\n`;
const MAIN =
  'package main\n\nimport "example.com/doc/lib"\n\nfunc main() {\n\tprintln(lib.Work(1))\n\tprintln(lib.Other(2))\n}\n';

/**
 * main.main calls <pkg>.<callee> (line 6) and <pkg>.Other (line 7), `work` and `other` samples
 * each.
 */
function profile(pkg: string, work: number, other: number, callee = 'Work'): Buffer {
  const start = callee === 'Tiny' ? 64 : 4;
  return encodeSyntheticProfile({
    functions: [
      { name: 'main.main', startLine: 5 },
      { name: `${pkg}.${callee}`, startLine: start },
      { name: `${pkg}.Other`, startLine: 34 },
    ],
    locations: [
      { lines: [{ fn: `${pkg}.${callee}`, line: start + 1 }] },
      { lines: [{ fn: 'main.main', line: 6 }] },
      { lines: [{ fn: `${pkg}.Other`, line: 35 }] },
      { lines: [{ fn: 'main.main', line: 7 }] },
    ],
    samples: [
      { stack: [0, 1], values: [work, work * 10_000_000] },
      { stack: [2, 3], values: [other, other * 10_000_000] },
    ],
  });
}

function binary(name: string, extra = '', main = MAIN): Record<string, string> {
  return {
    [`cmd/${name}/BUILD`]: `go_binary(\n    name = "${name}",\n    srcs = ["main.go"],\n    deps = ["//lib"],\n${extra})\n`,
    [`cmd/${name}/main.go`]: main,
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
      ...binary('nochange', '', MAIN.replace(/Work|Other/g, 'Tiny')),
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
  // Fresh, but its hot calls are to a function the compiler inlines anyway (main now calls Tiny
  // where the profile saw Other): the profile changes nothing.
  write('nochange', profile('example.com/doc/lib', 50, 50, 'Tiny'));

  const doctor = (name: string): Report => {
    const run = pgobuild(ws, ['pgo', 'doctor', `//cmd/${name}`, '--inline_diff=workspace']);
    const line = run.stdout.split('\n').find((l) => l.includes('"command":"pgo doctor"'));
    if (run.code !== 0 || line === undefined)
      throw new Error(`doctor //cmd/${name}: exit ${run.code}\n${run.stderr}\n${run.stdout}`);
    return JSON.parse(line) as Report;
  };
  const verdicts = Object.fromEntries(
    ['fresh', 'renamed', 'micro', 'empty', 'off', 'noinline', 'nochange'].map((n) => [
      n,
      doctor(n),
    ]),
  );
  expect(Object.fromEntries(Object.entries(verdicts).map(([n, r]) => [n, r.verdict]))).toEqual({
    fresh: 'healthy',
    renamed: 'rotten',
    micro: 'microbenchmark',
    empty: 'empty',
    off: 'pgo-off',
    noinline: 'neutralized',
    nochange: 'no-effect',
  });
  const rung = (n: string, r: string) => verdicts[n]?.rungs.find((x) => x.rung === r);
  expect(rung('renamed', 'stale-rate')?.evidence).toContain(
    '2 of 2 hot edges (100.0%) and 2 of 3 hot workspace functions no longer match the source',
  );
  expect(rung('micro', 'shape')?.evidence).toContain('top example.com/doc/lib.Work 95.0%');
  expect(rung('noinline', 'flags')?.evidence).toContain('compiled with -l');
  // The inline diff: the hot call to Work (over the normal budget) is inlined only with the
  // profile; with -l, or on a call inlined anyway, the profile changes nothing.
  expect(rung('fresh', 'inline-diff')).toMatchObject({ status: 'ok' });
  expect(rung('fresh', 'inline-diff')?.evidence).toMatch(
    /^2 call sites newly inlined, 0 devirtualized, 0 no longer inlined, in the 2 packages .*: example\.com\/doc\/cmd\/fresh\/main\.go:6:\d+ inlines lib\.Work; example\.com\/doc\/cmd\/fresh\/main\.go:7:\d+ inlines lib\.Other$/,
  );
  expect(rung('micro', 'inline-diff')?.status).toBe('ok');
  for (const n of ['noinline', 'nochange'])
    expect(rung(n, 'inline-diff')).toMatchObject({ status: 'warn', verdict: 'no-effect' });
  expect(rung('nochange', 'inline-diff')?.evidence).toMatch(
    /^empty: the profile changed no inlining or devirtualization decision/,
  );
  expect(rung('fresh', 'size-growth')).toMatchObject({ status: 'ok' });
  expect(rung('fresh', 'size-growth')?.evidence).toMatch(
    /^\d+ bytes with the profile, \d+ with -pgo=off: [+-]\d+\.\d%$/,
  );
  for (const n of ['off', 'empty']) expect(rung(n, 'inline-diff')?.status).toBe('skipped');

  // The default scope compiles the standard library too, as cached actions: a second run
  // executes nothing, and neither run replaces pgobuild-out/bin's binary.
  const all = (): { report: Report; executed: number } => {
    const run = pgobuild(ws, ['pgo', 'doctor', '//cmd/fresh']);
    const lines = run.stdout.split('\n').filter((l) => l.startsWith('{'));
    const report = lines.find((l) => l.includes('"command":"pgo doctor"'));
    if (run.code !== 0 || report === undefined)
      throw new Error(`doctor //cmd/fresh: exit ${run.code}\n${run.stderr}\n${run.stdout}`);
    const executed = lines.filter(
      (l) => l.includes('"type":"action-finished"') && l.includes('"status":"executed"'),
    ).length;
    return { report: JSON.parse(report) as Report, executed };
  };
  const first = all();
  const whole = first.report.rungs.find((r) => r.rung === 'inline-diff')?.evidence ?? '';
  expect(Number(/in the (\d+) packages/.exec(whole)?.[1])).toBeGreaterThan(10);
  expect(whole).toContain('standard library included');
  expect(all().executed).toBe(0);
  expect(fs.existsSync(path.join(ws, 'pgobuild-out', 'bin', 'cmd', 'fresh', 'fresh'))).toBe(false);

  // The human table ends with the verdict.
  const human = pgobuild(ws, ['pgo', 'doctor', '//cmd/renamed'], { json: false });
  expect(human.stdout).toMatch(/stale-rate\s+fail\s+2 of 2 hot edges/);
  expect(human.stdout).toContain('Verdict for //cmd/renamed: rotten');
}, 600000);
