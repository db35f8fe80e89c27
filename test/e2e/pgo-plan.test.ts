import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeSyntheticProfile } from '../pprof/synthetic-profile';
import { startBazelRemote } from '../remote/bazel-remote';
import { actions, makeWorkspace, pgobuild, tempDir } from './harness';

// Work is too big to inline without a profile that makes its call hot (then PGO inlines it).
const LIB = `package lib

// Work works.
func Work(n int) int {
	y := n
	for i := 0; i < 4; i++ {
		y = y*31 + i
		y ^= y >> 3
		if y%7 == 0 {
			y += 11
		} else {
			y -= 5
		}
		y = y*17 + (y >> 5)
		y ^= y << 2
		if y%5 == 1 {
			y *= 3
		}
	}
	return y + n*7 - (n >> 2) + (n ^ 0x55)
}

// Other too.
func Other(n int) int {
	return n + 1
}
`;
const OTHER_LINE = LIB.split('\n').findIndex((l) => l.startsWith('func Other')) + 1;
const MAIN =
  'package main\n\nimport "example.com/plan/lib"\n\nfunc main() {\n\tprintln(lib.Work(1))\n\tprintln(lib.Other(2))\n}\n';

/** main.main calls lib.Work (line 6) and lib.Other (line 7), `work`/`other` samples each. */
function profile(work: number, other: number): Buffer {
  const pkg = 'example.com/plan/lib';
  return encodeSyntheticProfile({
    functions: [
      { name: 'main.main', startLine: 5 },
      { name: `${pkg}.Work`, startLine: 4 },
      { name: `${pkg}.Other`, startLine: OTHER_LINE },
    ],
    locations: [
      { lines: [{ fn: `${pkg}.Work`, line: 5 }] },
      { lines: [{ fn: 'main.main', line: 6 }] },
      { lines: [{ fn: `${pkg}.Other`, line: OTHER_LINE + 1 }] },
      { lines: [{ fn: 'main.main', line: 7 }] },
    ],
    samples: [
      { stack: [0, 1], values: [work, work * 10_000_000] },
      { stack: [2, 3], values: [other, other * 10_000_000] },
    ].filter((s) => (s.values[0] ?? 0) > 0),
  });
}

const FILES = {
  'go.mod': 'module example.com/plan\n\ngo 1.22\n',
  'lib/BUILD': 'go_library(\n    name = "lib",\n    srcs = ["lib.go"],\n)\n',
  'lib/lib.go': LIB,
  'cmd/app/BUILD':
    'go_binary(\n    name = "app",\n    srcs = ["main.go"],\n    deps = ["//lib"],\n)\n',
  'cmd/app/main.go': MAIN,
};

interface Counts {
  actions: number;
  changed: number | null;
  cachedLocal: number;
  cachedRemote: number;
  shared: number;
  execute: number;
}
interface Plan {
  counts: Record<'compile' | 'link' | 'test' | 'tool', Counts>;
  hotSets?: { pkg: string; before: number; after: number; added: number; removed: number }[];
}

it('pgo plan predicts what the following build executes and takes from the cache', () => {
  const ws = makeWorkspace(FILES, 'pgobuild-plan-');
  // A cache of its own: the counts must not depend on what other tests compiled.
  const cache = tempDir('pgobuild-plan-cache-');
  const pgo = path.join(ws, 'cmd', 'app', 'default.pgo');
  fs.writeFileSync(pgo, profile(50, 50));
  const fresh = path.join(ws, 'fresh.pprof');
  // Only Other is hot now: Work is no longer inlined into main, so main's archive and the
  // binary change too.
  fs.writeFileSync(fresh, profile(0, 100));

  const plan = (args: string[]): Plan => {
    const r = pgobuild(ws, ['pgo', 'plan', '//cmd/app', ...args], { cache });
    const line = r.stdout.split('\n').find((l) => l.includes('"command":"pgo plan"'));
    if (r.code !== 0 || line === undefined)
      throw new Error(`pgo plan ${args.join(' ')}: exit ${r.code}\n${r.stderr}\n${r.stdout}`);
    return JSON.parse(line) as Plan;
  };
  const build = (args: string[] = []): { compile: [number, number]; link: [number, number] } => {
    const r = pgobuild(ws, ['build', '//cmd/app', ...args], { cache });
    if (r.code !== 0) throw new Error(`build: exit ${r.code}\n${r.stderr}`);
    return {
      compile: [
        actions(r, 'executed', 'GoCompile').length,
        actions(r, 'cached', 'GoCompile').length,
      ],
      link: [actions(r, 'executed', 'GoLink').length, actions(r, 'cached', 'GoLink').length],
    };
  };
  const predicted = (p: Plan, k: 'compile' | 'link'): [number, number] => {
    const c = p.counts[k];
    return [c.execute, c.cachedLocal + c.cachedRemote + c.shared];
  };

  // Cold: the plan says everything executes, and the build does exactly that.
  const cold = plan([]);
  expect(cold.counts.compile.execute).toBeGreaterThan(10);
  const first = build();
  expect(first).toEqual({ compile: predicted(cold, 'compile'), link: predicted(cold, 'link') });

  // Right after that build: nothing to do.
  const idle = plan([]);
  expect(idle.counts.compile).toMatchObject({ changed: 0, execute: 0 });
  expect(idle.counts.link).toMatchObject({ changed: 0, execute: 0 });

  // The refresh: every compile of the binary's graph gets a new key (the profile is an input of
  // each), none is cached yet, and the hot sets of lib and main lost the Work edge.
  const refresh = plan(['--profile', 'fresh.pprof']);
  const compile = refresh.counts.compile;
  expect(compile.changed).toBe(compile.actions);
  expect(compile.execute).toBe(compile.actions);
  expect(refresh.hotSets).toEqual([
    { pkg: 'example.com/plan/lib', before: 2, after: 1, added: 0, removed: 1 },
    { pkg: 'main', before: 2, after: 1, added: 0, removed: 1 },
  ]);
  // Nothing ran: the next build of the old profile is still a null build.
  expect(plan([]).counts.compile.execute).toBe(0);

  // build --pgo=NEW --dry_run gives the same numbers for the whole build, and runs nothing.
  const dry = pgobuild(ws, ['build', '//cmd/app', '--pgo=fresh.pprof', '--dry_run'], { cache });
  const dryLine = dry.stdout.split('\n').find((l) => l.includes('"command":"build --dry_run"'));
  if (dry.code !== 0 || dryLine === undefined)
    throw new Error(`build --dry_run: exit ${dry.code}\n${dry.stderr}\n${dry.stdout}`);
  const dryPlan = JSON.parse(dryLine) as Plan;
  expect(predicted(dryPlan, 'compile')).toEqual(predicted(refresh, 'compile'));
  expect(predicted(dryPlan, 'link')).toEqual(predicted(refresh, 'link'));
  expect(actions(dry, 'executed')).toEqual([]);
  expect(plan([]).counts.compile.execute).toBe(0);

  // plan --profile NEW plans build --pgo=NEW.
  const second = build(['--pgo=fresh.pprof']);
  expect(second).toEqual({
    compile: predicted(refresh, 'compile'),
    link: predicted(refresh, 'link'),
  });

  // The binary's own profile under another name: against it, no compile key changes (the keys
  // hold the preprocessed profile's digest, not its path), all are in the disk cache; the link
  // records -pgo=old.pprof in its build info, so it is a new action.
  fs.writeFileSync(path.join(ws, 'old.pprof'), profile(50, 50));
  const back = plan(['--profile', 'old.pprof']);
  expect(back.counts.link).toMatchObject({ changed: 1, execute: 1 });
  expect(back.counts.compile).toMatchObject({
    changed: 0,
    execute: 0,
    cachedLocal: back.counts.compile.actions,
  });
  expect(build(['--pgo=old.pprof'])).toEqual({
    compile: predicted(back, 'compile'),
    link: predicted(back, 'link'),
  });

  // The human table.
  const human = pgobuild(ws, ['pgo', 'plan', '//cmd/app', '--profile', 'fresh.pprof'], {
    cache,
    json: false,
  });
  expect(human.code).toBe(0);
  expect(human.stdout).toMatch(/^compile\s+31\s+31\s+31\s+-\s+0$/m);
  expect(human.stdout).toContain('31 of 31 compile actions get new keys; 31 are already cached');
  expect(human.stdout).toMatch(/^example\.com\/plan\/lib\s+2\s+1\s+0\s+1$/m);

  // A profile that is not one is exit 2 at the file.
  fs.writeFileSync(path.join(ws, 'junk.pprof'), 'junk');
  const bad = pgobuild(ws, ['pgo', 'plan', '//cmd/app', '--profile', 'junk.pprof'], { cache });
  expect(bad.code).toBe(2);
  // Reported like a build's profile errors: a diagnostic naming the file.
  expect(`${bad.stdout}${bad.stderr}`).toContain('junk.pprof: not a pprof profile');
}, 600000);

it('pgo plan counts what the remote cache already has', async () => {
  const server = await startBazelRemote();
  try {
    const ws = makeWorkspace(FILES, 'pgobuild-plan-remote-');
    fs.writeFileSync(path.join(ws, 'cmd', 'app', 'default.pgo'), profile(50, 50));
    const remote = `--remote_cache=${server.grpcUrl}`;
    // A CI machine builds and uploads.
    const ci = pgobuild(ws, ['build', '//cmd/app', remote], {
      cache: tempDir('pgobuild-plan-ci-'),
    });
    if (ci.code !== 0) throw new Error(`build: exit ${ci.code}\n${ci.stderr}`);
    // A developer with an empty disk cache plans: everything is in the remote cache.
    const dev = tempDir('pgobuild-plan-dev-');
    const r = pgobuild(ws, ['pgo', 'plan', '//cmd/app', remote], { cache: dev });
    const line = r.stdout.split('\n').find((l) => l.includes('"command":"pgo plan"'));
    if (r.code !== 0 || line === undefined) throw new Error(`plan: ${r.stderr}\n${r.stdout}`);
    const p = JSON.parse(line) as Plan & { remoteCache: boolean };
    expect(p.remoteCache).toBe(true);
    const n = actions(ci, 'executed', 'GoCompile').length;
    expect(n).toBeGreaterThan(10);
    expect(p.counts.compile).toMatchObject({ actions: n, execute: 0, cachedRemote: n });
    expect(p.counts.link).toMatchObject({ execute: 0, cachedRemote: 1 });
    const build = pgobuild(ws, ['build', '//cmd/app', remote], { cache: dev });
    expect(actions(build, 'executed', 'GoCompile')).toEqual([]);
    expect(actions(build, 'cached', 'GoCompile')).toHaveLength(n);
  } finally {
    await server.stop();
  }
}, 600000);
