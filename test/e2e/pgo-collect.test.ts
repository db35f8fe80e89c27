import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { REPO, makeWorkspace, pgobuildAsync, tempDir } from './harness';
import { GO } from '../go-toolchain';

const EXAMPLES = path.join(REPO, 'examples');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function goBuild(args: readonly string[]): void {
  const r = spawnSync(GO, ['build', ...args], {
    cwd: EXAMPLES,
    encoding: 'utf8',
    env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false', GOTOOLCHAIN: 'local' },
  });
  if (r.status !== 0) throw new Error(`go build ${args.join(' ')} failed:\n${r.stderr}`);
}

/** Starts an mdrender on a free port and resolves with its address ("listening on …"). */
function startService(binary: string): Promise<{ proc: ChildProcess; addr: string }> {
  const proc = spawn(binary, ['-addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(proc);
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    lines.once('line', (line) => {
      const addr = line.replace(/^listening on /, '').trim();
      resolve({ proc, addr });
    });
    proc.once('exit', (code) => reject(new Error(`mdrender exited with ${code}`)));
  });
}

it('collects from two mdrender instances under load, one killed mid-window', async () => {
  const bin = tempDir('pgobuild-collect-bin-');
  goBuild(['-pgo=off', '-o', path.join(bin, 'mdrender'), './cmd/mdrender']);
  goBuild(['-pgo=off', '-o', path.join(bin, 'mdrender-load'), './cmd/mdrender-load']);
  const a = await startService(path.join(bin, 'mdrender'));
  const b = await startService(path.join(bin, 'mdrender'));
  for (const s of [a, b]) {
    const load = spawn(
      path.join(bin, 'mdrender-load'),
      ['-addr', s.addr, '-duration', '30s', '-concurrency', '2', '-docs', '50'],
      { stdio: 'ignore' },
    );
    children.push(load);
  }
  const ws = makeWorkspace({ 'cmd/mdrender/BUILD.bazel': '' }, 'pgobuild-collect-ws-');
  const cli = pgobuildAsync(
    ws,
    [
      'pgo',
      'collect',
      '//cmd/mdrender',
      '--from',
      `http://${a.addr}`,
      '--from',
      `http://${b.addr}/debug/pprof/profile`,
      '--seconds',
      '5',
      '--timeout',
      '20',
    ],
    tempDir('pgobuild-collect-cache-'),
  );
  let stdout = '';
  let stderr = '';
  cli.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  cli.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // Mid-window: instance b dies, its connection breaks before the profile is sent.
  const killer = setTimeout(() => b.proc.kill('SIGKILL'), 2000);
  const code = await new Promise<number | null>((resolve) => cli.once('exit', resolve));
  clearTimeout(killer);

  expect({ code, stderr }).toMatchObject({ code: 0 });
  const report = JSON.parse(stdout) as {
    output: string;
    instances: { url: string; status: string; reason?: string; samples?: number }[];
  };
  expect(report.output).toBe('cmd/mdrender/default.pgo');
  expect(report.instances[0]).toMatchObject({ url: `http://${a.addr}`, status: 'ok' });
  expect(report.instances[0]?.samples).toBeGreaterThan(10);
  expect(report.instances[1]).toMatchObject({ status: 'failed', reason: 'instance-unreachable' });
  expect(stderr).toContain(`warning: http://${b.addr}/debug/pprof/profile: instance failed:`);

  // No temp file left beside it; go build -pgo accepts the profile (on a package without
  // imports: go build runs preprofile and a PGO compile, without rebuilding the runtime).
  const profile = path.join(ws, 'cmd', 'mdrender', 'default.pgo');
  expect(fs.readdirSync(path.dirname(profile)).sort()).toEqual(['BUILD.bazel', 'default.pgo']);
  const mod = tempDir('pgobuild-collect-mod-');
  fs.writeFileSync(path.join(mod, 'go.mod'), 'module example.com/p\n\ngo 1.21\n');
  fs.writeFileSync(path.join(mod, 'p.go'), 'package p\n\nfunc F(x int) int { return x * 2 }\n');
  goBuild(['-C', mod, `-pgo=${profile}`, '.']);
}, 300000);
