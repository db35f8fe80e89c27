import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  type CliRun,
  REPO,
  SHARED_CACHE,
  finished,
  makeWorkspace,
  parseEvents,
  pgobuild,
  tempDir,
} from './harness';
import { SMALL_WORKSPACE } from './small-workspace';

// Client/server mode (bin/pgobuild.js → src/server): the harness runs everything else in batch
// mode; here the client talks to a real server per workspace. Each test gets its own TMPDIR, so
// its servers' sockets and logs are its own, and every server any test started is killed after.

const tmpDirs: string[] = [];

/** An environment for server mode with a private socket directory. */
function serverEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const tmp = tempDir('pgobuild-srv-');
  tmpDirs.push(tmp);
  // A safety net: a server a failed test leaves behind stops by itself.
  return {
    ...process.env,
    PGOBUILD_BATCH: '0',
    PGOBUILD_MAX_IDLE_SECS: '300',
    TMPDIR: tmp,
    ...extra,
  };
}

/** The pids of every server started under these TMPDIRs (from their logs); default all. */
function startedServers(only?: NodeJS.ProcessEnv): number[] {
  const pids: number[] = [];
  for (const tmp of only === undefined ? tmpDirs : [only['TMPDIR'] as string]) {
    const dir = path.join(tmp, `pgobuild-${process.getuid?.() ?? 0}`);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.log')))
      for (const m of fs
        .readFileSync(path.join(dir, f), 'utf8')
        .matchAll(/server (\d+) listening/g))
        pids.push(Number(m[1]));
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Server processes whose socket lies under this test's TMPDIRs (from ps: a server not yet logged). */
function runningServers(): number[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout;
  return ps
    .split('\n')
    .filter((l) => l.includes('server-main.js') && tmpDirs.some((t) => l.includes(`${t}/`)))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

// After each test (before the harness removes the temp dirs holding the logs): no server is left.
afterEach(() => {
  for (const pid of [...startedServers(), ...runningServers()])
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  tmpDirs.splice(0);
});

/** Runs the client (`bin/pgobuild.js`, or another installation's) with `env`, human output. */
function client(
  cwd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  opts: { json?: boolean; cache?: string } = {},
): CliRun {
  return pgobuild(cwd, args, { env, json: opts.json ?? true, cache: opts.cache });
}

/** The server pid `pgobuild info` reports (starting a server when there is none). */
function serverPid(
  cwd: string,
  env: NodeJS.ProcessEnv,
  cli = path.join(REPO, 'bin', 'pgobuild.js'),
): number {
  const r = spawnClient(cli, cwd, ['info'], env);
  const m = /^server_pid: (\d+)$/m.exec(r.stdout);
  if (m === null) throw new Error(`no server pid in: ${r.stdout}\n${r.stderr}`);
  return Number(m[1]);
}

function spawnClient(
  cli: string,
  cwd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

/** The comparable part of a build's outcome. */
function outcome(run: CliRun): object {
  const f = finished(run);
  return {
    exitCode: f.exitCode,
    executed: f.executed,
    cached: f.cached,
    failed: f.failed,
    spawns: f.spawns,
  };
}

/**
 * The small workspace with its base library made unique to this call, so that a build has work to
 * do (base and everything above it) even on the shared cache.
 */
function uniqueWorkspace(): string {
  const unique = `${process.pid}-${Date.now()}-${Math.random()}`;
  return makeWorkspace({
    ...SMALL_WORKSPACE,
    'lib/base/base.go': `package base\n\n// Double doubles n.\nfunc Double(n int) int { return 2 * n }\n\n// Unique is ${unique}.\nconst Unique = "${unique}"\n`,
  });
}

/** Starts the client without waiting; resolves once `n` actions have executed. */
function startBuild(
  cwd: string,
  env: NodeJS.ProcessEnv,
  cache: string,
  n: number,
): Promise<{ child: ChildProcess; stdout: () => string; stderr: () => string }> {
  const child = spawn(
    process.execPath,
    [
      path.join(REPO, 'bin', 'pgobuild.js'),
      'build',
      '//...',
      '--jobs=2',
      `--disk_cache=${cache}`,
      '--output=json',
    ],
    { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString('utf8')));
  return new Promise((resolve, reject) => {
    let seen = 0;
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const executed = parseEvents(out).filter(
        (e) => e.type === 'action-finished' && e.status === 'executed',
      ).length;
      if (executed >= n && seen < n) {
        seen = executed;
        resolve({ child, stdout: () => out, stderr: () => err });
      }
    });
    child.on('exit', () => reject(new Error(`build finished before it was caught: ${err}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe('client/server mode', () => {
  test('the first command starts a server and answers as --batch; the next reuses it; a null build spawns nothing', () => {
    const ws = makeWorkspace(SMALL_WORKSPACE);
    const env = serverEnv();
    const first = client(ws, ['build', '//...'], env);
    expect(finished(first).exitCode).toBe(0);
    const pid = serverPid(ws, env);
    expect(alive(pid)).toBe(true);
    expect(pid).not.toBe(process.pid);

    const viaServer = client(ws, ['build', '//...'], env);
    const batch = client(ws, ['--batch', 'build', '//...'], env);
    expect(outcome(viaServer)).toEqual(outcome(batch));
    expect(outcome(viaServer)).toMatchObject({ exitCode: 0, executed: 0, spawns: 0 });
    // The query's output is the same bytes either way.
    const q = client(ws, ['query', '//...'], env, { json: false });
    const qb = client(ws, ['--batch', 'query', '//...'], env, { json: false });
    expect(q.code).toBe(0);
    expect(q.stdout).toBe(qb.stdout);
    expect(q.stdout).toContain('//cmd/one:one_test\n');
    expect(serverPid(ws, env)).toBe(pid);
    // --batch did not talk to the server, and said so for info.
    expect(
      spawnClient(path.join(REPO, 'bin', 'pgobuild.js'), ws, ['--batch', 'info'], env).stdout,
    ).toBe('server_pid: none (batch mode)\n');
  });

  test("each client's cwd and environment are the command's", () => {
    const ws = makeWorkspace(SMALL_WORKSPACE);
    const env = serverEnv();
    const sub = client(path.join(ws, 'cmd', 'two'), ['build', ':two'], env);
    expect(finished(sub).exitCode).toBe(0);
    expect(fs.existsSync(path.join(ws, 'pgobuild-out', 'bin', 'cmd', 'two', 'two'))).toBe(true);
    expect(fs.existsSync(path.join(ws, 'pgobuild-out', 'bin', 'cmd', 'one', 'one'))).toBe(false);
    const q = client(path.join(ws, 'lib'), ['query', '//lib/...'], env, { json: false });
    expect(q.stdout.split('\n').filter((l) => l !== '')).toEqual([
      '//lib/asm',
      '//lib/base',
      '//lib/mid',
      '//lib/other',
    ]);
    // The default disk cache follows XDG_CACHE_HOME, which differs per client of one server.
    const cli = path.join(REPO, 'bin', 'pgobuild.js');
    const a = tempDir('pgobuild-xdg-a-');
    const b = tempDir('pgobuild-xdg-b-');
    const ra = spawnClient(cli, ws, ['clean'], { ...env, XDG_CACHE_HOME: a });
    const rb = spawnClient(cli, ws, ['clean'], { ...env, XDG_CACHE_HOME: b });
    expect(ra.code).toBe(0);
    expect(ra.stderr).toContain(`the disk cache ${path.join(a, 'pgobuild')} is kept`);
    expect(rb.stderr).toContain(`the disk cache ${path.join(b, 'pgobuild')} is kept`);
    expect(new Set([serverPid(ws, env)]).size).toBe(1);
  });

  test('exit codes and stderr pass through: a BUILD error is 2, a compile error 1', () => {
    const ws = makeWorkspace({
      ...SMALL_WORKSPACE,
      'bad/BUILD': 'go_library(\n    name = "bad",\n    srcs = ["bad.go"]\n    deps = [],\n)\n',
      'bad/bad.go': 'package bad\n',
      'broken/BUILD': 'go_library(\n    name = "broken",\n    srcs = ["broken.go"],\n)\n',
      'broken/broken.go': 'package broken\n\nfunc F() int { return "not an int" }\n',
    });
    const env = serverEnv();
    const syntax = client(ws, ['build', '//bad'], env, { json: false });
    const syntaxBatch = client(ws, ['--batch', 'build', '//bad'], env, { json: false });
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toContain('bad/BUILD:4:');
    const timeless = (s: string): string => s.replace(/\(\d+\.\d+s\)/g, '(…s)');
    expect(timeless(syntax.stderr)).toBe(timeless(syntaxBatch.stderr));
    const compile = client(ws, ['build', '//broken'], env, { json: false });
    expect(compile.code).toBe(1);
    expect(compile.stderr).toContain('broken.go:3:');
    const usage = client(ws, ['bogus'], env, { json: false });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("Run 'pgobuild --help' for usage.");
  });

  test('Ctrl-C of the client cancels the command (exit 130) and the server stays usable', async () => {
    const ws = uniqueWorkspace();
    const env = serverEnv();
    const pid = serverPid(ws, env);
    const build = await startBuild(ws, env, SHARED_CACHE, 1);
    build.child.kill('SIGINT');
    expect(await exited(build.child)).toBe(130);
    const events = parseEvents(build.stdout());
    expect(events.find((e) => e.type === 'command-finished')).toMatchObject({ exitCode: 130 });
    expect(serverPid(ws, env)).toBe(pid);
    const again = client(ws, ['build', '//...'], env);
    expect(finished(again).exitCode).toBe(0);
    expect(serverPid(ws, env)).toBe(pid);
  });

  test('concurrent clients are serialized: the second waits and says for whom', async () => {
    const ws = makeWorkspace(SMALL_WORKSPACE);
    const env = serverEnv();
    serverPid(ws, env);
    // The first command is still running while its status command (which marks that it started)
    // sleeps: the second client arrives then.
    const marker = path.join(tempDir('pgobuild-srv-mark-'), 'started');
    const first = spawn(
      process.execPath,
      [
        path.join(REPO, 'bin', 'pgobuild.js'),
        'build',
        '//...',
        '--stamp',
        `--workspace_status_command=touch ${marker}; sleep 2`,
        `--disk_cache=${SHARED_CACHE}`,
        '--output=json',
      ],
      { cwd: ws, env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const build = { child: first };
    expect(await waitFor(() => fs.existsSync(marker), 120_000)).toBe(true);
    const second = spawn(
      process.execPath,
      [path.join(REPO, 'bin', 'pgobuild.js'), 'query', '//cmd/...'],
      {
        cwd: ws,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    second.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
    second.stderr?.on('data', (c: Buffer) => (err += c.toString('utf8')));
    let firstDone = false;
    let outWhileFirstRan = '';
    void exited(build.child).then(() => {
      firstDone = true;
      outWhileFirstRan = out;
    });
    expect(await exited(second)).toBe(0);
    expect(firstDone).toBe(true);
    expect(outWhileFirstRan).toBe('');
    expect(err).toContain(`Another command is running (pid ${build.child.pid}), waiting…`);
    expect(out).toBe('//cmd/one\n//cmd/one:one_test\n//cmd/two\n');
    expect(await exited(build.child)).toBe(0);
  });

  test('two clients starting at once share one server', async () => {
    const ws = makeWorkspace(SMALL_WORKSPACE);
    const env = serverEnv();
    const cli = path.join(REPO, 'bin', 'pgobuild.js');
    const run = (): Promise<string> =>
      new Promise((resolve) => {
        const c = spawn(process.execPath, [cli, 'info'], {
          cwd: ws,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        c.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
        c.on('exit', () => resolve(out));
      });
    const outs = await Promise.all([run(), run(), run()]);
    const pids = outs.map((o) => /^server_pid: (\d+)$/m.exec(o)?.[1]);
    expect(pids[0]).toBeDefined();
    expect(new Set(pids).size).toBe(1);
    // Every would-be server but the winner has exited.
    await waitFor(() => startedServers(env).filter(alive).length === 1, 5000);
    expect(startedServers(env).filter(alive)).toEqual([Number(pids[0])]);
  });

  test('pgobuild shutdown stops the server; the idle timeout does too', async () => {
    const ws = makeWorkspace(SMALL_WORKSPACE);
    const env = serverEnv();
    const pid = serverPid(ws, env);
    const cli = path.join(REPO, 'bin', 'pgobuild.js');
    const stop = spawnClient(cli, ws, ['shutdown'], env);
    expect(stop.code).toBe(0);
    expect(await waitFor(() => !alive(pid), 5000)).toBe(true);
    // With no server, shutdown starts none.
    expect(spawnClient(cli, ws, ['shutdown'], env).code).toBe(0);
    expect(startedServers(env).filter(alive)).toEqual([]);

    const idle = spawnClient(cli, ws, ['--max_idle_secs=2', 'info'], env);
    expect(idle.stdout).toContain('max_idle_secs: 2\n');
    const idlePid = Number(/^server_pid: (\d+)$/m.exec(idle.stdout)?.[1]);
    expect(idlePid).not.toBe(pid);
    const started = Date.now();
    expect(await waitFor(() => !alive(idlePid), 15000)).toBe(true);
    expect(Date.now() - started).toBeGreaterThan(1000);
  });

  test('a server killed with SIGKILL is replaced on the next command', () => {
    const ws = makeWorkspace(SMALL_WORKSPACE);
    const env = serverEnv();
    const pid = serverPid(ws, env);
    process.kill(pid, 'SIGKILL');
    const next = client(ws, ['build', '//cmd/two'], env);
    expect(finished(next).exitCode).toBe(0);
    expect(next.stderr).not.toContain('running in this process');
    const replaced = serverPid(ws, env);
    expect(replaced).not.toBe(pid);
    expect(alive(replaced)).toBe(true);
  });

  test('the native client reaches a running server without starting Node, with the same answers; it hands the rest to the Node client', async () => {
    // `npm run build` (and `npm ci`) builds it where Go is installed, as on every CI machine.
    const native = path.join(REPO, 'dist', 'pgobuild-client');
    expect(fs.existsSync(native)).toBe(true);
    const unique = `${process.pid}-${Date.now()}`;
    const ws = makeWorkspace({
      ...SMALL_WORKSPACE,
      'bad/BUILD': 'go_library(\n    name = "bad",\n    srcs = ["bad.go"]\n    deps = [],\n)\n',
      'bad/bad.go': 'package bad\n',
      'slow/BUILD': 'go_test(\n    name = "slow_test",\n    srcs = ["slow_test.go"],\n)\n',
      'slow/slow_test.go': `package slow\n\nimport (\n\t"testing"\n\t"time"\n)\n\n// TestSlow takes its time (${unique}).\nfunc TestSlow(t *testing.T) { time.Sleep(3 * time.Second) }\n`,
    });
    const env = serverEnv();
    const nativeClient = (args: readonly string[]): CliRun => {
      const r = spawnSync(native, [...args, `--disk_cache=${SHARED_CACHE}`, '--output=json'], {
        cwd: ws,
        env,
        encoding: 'utf8',
      });
      return { code: r.status, events: parseEvents(r.stdout), stdout: r.stdout, stderr: r.stderr };
    };
    // No server yet: the Node client it hands over to starts one.
    expect(finished(nativeClient(['build', '//cmd/...'])).exitCode).toBe(0);
    const pid = serverPid(ws, env);
    const viaNative = nativeClient(['build', '//cmd/...']);
    expect(outcome(viaNative)).toEqual(outcome(client(ws, ['--batch', 'build', '//cmd/...'], env)));
    expect(outcome(viaNative)).toMatchObject({ exitCode: 0, executed: 0, spawns: 0 });
    const syntax = nativeClient(['build', '//bad']);
    expect(syntax.code).toBe(2);
    expect(syntax.events).toContainEqual(
      expect.objectContaining({ type: 'diagnostic', file: 'bad/BUILD', line: 4 }),
    );
    // While a command runs, the client is still the native program: it never started Node.
    const child = spawn(
      native,
      ['test', '//slow:slow_test', `--disk_cache=${SHARED_CACHE}`, '--output=json'],
      { cwd: ws, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const started = await waitFor(() => out.includes('"type":"command-started"'), 20_000);
    expect(started).toBe(true);
    expect(fs.readlinkSync(`/proc/${child.pid}/exe`)).toBe(fs.realpathSync(native));
    expect(await exited(child)).toBe(0);
    expect(parseEvents(out).find((e) => e.type === 'test-result')).toMatchObject({
      target: '//slow:slow_test',
      status: 'passed',
    });
    expect(serverPid(ws, env)).toBe(pid);
    // A startup option is the Node client's: --batch runs in that process, with no server.
    const batchInfo = spawnSync(native, ['--batch', 'info'], { cwd: ws, env, encoding: 'utf8' });
    expect(batchInfo.stdout).toBe('server_pid: none (batch mode)\n');
  });

  test('a rebuilt pgobuild (another dist) starts a new server', async () => {
    // A private copy of the installation, so that rebuilding it does not disturb the repository.
    const install = tempDir('pgobuild-install-');
    for (const d of ['bin', 'dist', 'toolchain', 'rules'])
      fs.cpSync(path.join(REPO, d), path.join(install, d), { recursive: true });
    fs.copyFileSync(path.join(REPO, 'package.json'), path.join(install, 'package.json'));
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(install, 'node_modules'));
    const cli = path.join(install, 'bin', 'pgobuild.js');
    const ws = makeWorkspace(SMALL_WORKSPACE);
    const env = serverEnv();
    const before = serverPid(ws, env, cli);
    expect(serverPid(ws, env, cli)).toBe(before);
    // The repository's own installation is another server for the same workspace.
    expect(serverPid(ws, env)).not.toBe(before);
    // "Rebuild": tsc rewrites the compiled files.
    const main = path.join(install, 'dist', 'src', 'cli', 'main.js');
    fs.writeFileSync(main, fs.readFileSync(main));
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(main, later, later);
    const after = serverPid(ws, env, cli);
    expect(after).not.toBe(before);
    const run = spawnClient(cli, ws, ['build', '//cmd/two', `--disk_cache=${SHARED_CACHE}`], env);
    expect(run.code).toBe(0);
    expect(serverPid(ws, env, cli)).toBe(after);
  });
});
