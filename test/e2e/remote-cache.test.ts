import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildEvent } from '../../src/events';
import { type BazelRemote, makeTestCertificates, startBazelRemote } from '../remote/bazel-remote';
import {
  type HttpProxy,
  type TestServer,
  startHttpProxy,
  startSilentServer,
} from '../remote/misbehaving-servers';
import {
  type CliRun,
  actions,
  finished,
  makeWorkspace,
  parseEvents,
  pgobuild,
  pgobuildAsync,
  tempDir,
} from './harness';
import { SMALL_WORKSPACE } from './small-workspace';

// A real bazel-remote (scripts/fetch-tools.sh builds it) on random loopback ports. The first test
// builds the small workspace cold and uploads; later tests reuse copies of that build's disk cache
// (standard library already compiled) with a variant of the workspace, so that only the variant's
// few actions involve the remote and each scenario costs seconds, not a cold build.

const BINARIES = ['cmd/one/one', 'cmd/two/two'];

let server: BazelRemote;
const stoppers: (() => Promise<void>)[] = [];
/** The disk cache of the first (cold, uploading) build: every standard-library action. */
let warmDiskCache: string;

beforeAll(async () => {
  server = await startBazelRemote();
  stoppers.push(() => server.stop());
});
afterAll(async () => {
  for (const stop of stoppers.reverse()) await stop();
});

function remoteSummary(
  run: CliRun,
): NonNullable<Extract<BuildEvent, { type: 'command-finished' }>['remoteCache']> {
  const summary = finished(run).remoteCache;
  if (summary === undefined) throw new Error(`no remoteCache in command-finished:\n${run.stdout}`);
  return summary;
}

function warnings(run: CliRun): Extract<BuildEvent, { type: 'remote-cache-warning' }>[] {
  return run.events.filter(
    (e): e is Extract<BuildEvent, { type: 'remote-cache-warning' }> =>
      e.type === 'remote-cache-warning',
  );
}

function sha(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function bin(ws: string, rel: string): string {
  return path.join(ws, 'pgobuild-out', 'bin', rel);
}

/** The small workspace with a different greeting: its own keys for a few actions, same stdlib. */
function variant(name: string): string {
  return makeWorkspace(
    { ...SMALL_WORKSPACE, 'lib/mid/greeting.txt': `hello from ${name}` },
    `pgobuild-remote-${name}-`,
  );
}

/** A copy of the warm disk cache (so the remote is asked only about a variant's own actions). */
function copyOfWarmCache(): string {
  const dir = tempDir('pgobuild-remote-disk-');
  fs.cpSync(warmDiskCache, dir, { recursive: true });
  return dir;
}

/**
 * Runs the CLI without blocking this process: needed when the remote is a server of this test
 * (a proxy), which must keep answering while the build runs.
 */
function pgobuildWhileServing(
  cwd: string,
  args: readonly string[],
  cache: string,
): Promise<CliRun> {
  const child = pgobuildAsync(cwd, args, cache, { ...process.env, NO_COLOR: '1' });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => {
    child.on('close', (code) => resolve({ code, events: parseEvents(stdout), stdout, stderr }));
  });
}

/**
 * The actions a build executed or answered from a cache, the builder's included: command-finished
 * counts the analysed graph's nodes only, while the builder (toolchain/builder, run once when a
 * compile with assembly first needs it) is uploaded and downloaded like any other action.
 */
function actionsWith(run: CliRun, status: 'executed' | 'cached'): number {
  return new Set(
    run.events.flatMap((e) => (e.type === 'action-finished' && e.status === status ? [e.id] : [])),
  ).size;
}

/** Runs a binary and returns its stdout. */
function runBinary(file: string): string {
  return execFileSync(file, { encoding: 'utf8' });
}

describe('remote cache on a real bazel-remote', () => {
  test('HTTP: a second clone at another path with an empty disk cache compiles and links nothing, and downloads only its binaries', () => {
    const a = makeWorkspace(SMALL_WORKSPACE, 'pgobuild-remote-clone-a-');
    warmDiskCache = tempDir('pgobuild-remote-disk-a-');
    const first = pgobuild(a, ['build', '//...', `--remote_cache=${server.httpUrl}`], {
      cache: warmDiskCache,
    });
    expect(finished(first).exitCode).toBe(0);
    expect(warnings(first)).toEqual([]);
    const uploaded = remoteSummary(first);
    expect(uploaded.remoteHits).toBe(0);
    expect(uploaded.uploadedResults).toBe(actionsWith(first, 'executed'));
    expect(uploaded.uploadedBytes).toBeGreaterThan(0);

    // The second clone takes its remote set-up from .pgobuildrc, as CI and laptops would.
    const b = makeWorkspace(
      {
        ...SMALL_WORKSPACE,
        '.pgobuildrc': `# shared set-up\nbuild --remote_cache=${server.httpUrl}\ncommon --remote_timeout=30\n`,
      },
      'pgobuild-remote-clone-b-',
    );
    const second = pgobuild(b, ['build', '//...'], { cache: tempDir('pgobuild-remote-disk-b-') });
    expect(finished(second).exitCode).toBe(0);
    expect(warnings(second)).toEqual([]);
    expect(actions(second, 'executed', 'GoCompile')).toEqual([]);
    expect(actions(second, 'executed', 'GoLink')).toEqual([]);
    expect(finished(second).executed).toBe(0);
    const hits = remoteSummary(second);
    expect(hits.remoteHits).toBe(actionsWith(second, 'cached'));
    expect(hits.uploadedResults).toBe(0);
    for (const rel of BINARIES) expect(sha(bin(b, rel))).toBe(sha(bin(a, rel)));
    // Only the binaries placed under pgobuild-out came down, no intermediate archive.
    const placed = second.events
      .filter((e): e is Extract<BuildEvent, { type: 'output' }> => e.type === 'output')
      .map((e) => fs.statSync(path.join(b, e.path)).size)
      .reduce((x, y) => x + y, 0);
    expect(placed).toBeGreaterThan(0);
    expect(hits.downloadedBytes).toBe(placed);
    expect(runBinary(bin(b, 'cmd/one/one'))).toBe('hello 42 on linux 42\n');
  });

  test('gRPC: the same with a fresh bazel-remote, uploads and downloads over REAPI', async () => {
    const grpcServer = await startBazelRemote();
    stoppers.push(() => grpcServer.stop());
    const a = makeWorkspace(SMALL_WORKSPACE, 'pgobuild-remote-grpc-a-');
    const first = pgobuild(a, ['build', '//...', `--remote_cache=${grpcServer.grpcUrl}`], {
      cache: tempDir('pgobuild-remote-disk-grpc-a-'),
    });
    expect(finished(first).exitCode).toBe(0);
    expect(warnings(first)).toEqual([]);
    expect(remoteSummary(first).uploadedResults).toBe(actionsWith(first, 'executed'));

    const b = makeWorkspace(SMALL_WORKSPACE, 'pgobuild-remote-grpc-b-');
    const second = pgobuild(b, ['build', '//...', `--remote_cache=${grpcServer.grpcUrl}`], {
      cache: tempDir('pgobuild-remote-disk-grpc-b-'),
    });
    expect(finished(second).exitCode).toBe(0);
    expect(warnings(second)).toEqual([]);
    expect(actions(second, 'executed', 'GoCompile')).toEqual([]);
    expect(actions(second, 'executed', 'GoLink')).toEqual([]);
    expect(remoteSummary(second).remoteHits).toBe(actionsWith(second, 'cached'));
    for (const rel of BINARIES) expect(sha(bin(b, rel))).toBe(sha(bin(a, rel)));
  });

  test('a remote that corrupts blobs: each is ignored, one warning, the actions run locally, outputs are right', async () => {
    const ws = variant('corrupt');
    const primed = pgobuild(ws, ['build', '//...', `--remote_cache=${server.httpUrl}`], {
      cache: copyOfWarmCache(),
    });
    expect(finished(primed).exitCode).toBe(0);
    expect(remoteSummary(primed).uploadedResults).toBeGreaterThan(0);
    const expected = BINARIES.map((rel) => sha(bin(ws, rel)));

    const proxy = await startHttpProxy(server.httpUrl, { corruptBlobs: true });
    stoppers.push(() => proxy.close());
    const clone = variant('corrupt');
    const run = await pgobuildWhileServing(
      clone,
      ['build', '//...', `--remote_cache=${proxy.url}`],
      copyOfWarmCache(),
    );
    expect(finished(run).exitCode).toBe(0);
    expect(proxy.corrupted.length).toBeGreaterThan(0);
    expect(warnings(run).map((w) => w.problem)).toEqual(['corrupt']);
    expect(warnings(run)[0]?.message).toMatch(
      /sent a corrupted blob .*: ignored, running the action locally/,
    );
    const corruptions = run.events.filter(
      (e) => e.type === 'cache-corruption' && e.source === 'remote',
    );
    expect(corruptions.length).toBe(proxy.corrupted.length);
    expect(actions(run, 'executed', 'GoLink').length).toBeGreaterThan(0);
    expect(BINARIES.map((rel) => sha(bin(clone, rel)))).toEqual(expected);
    expect(remoteSummary(run).downloadedBytes).toBe(0);
  });

  test('a remote stopped in the middle of the build: one warning, the build finishes locally', async () => {
    const stoppable = await startBazelRemote();
    stoppers.push(() => stoppable.stop());
    const ws = variant('stopped');
    const primed = pgobuild(ws, ['build', '//...', `--remote_cache=${stoppable.httpUrl}`], {
      cache: copyOfWarmCache(),
    });
    // The variant changes one embedded file; with early cutoff (-linkobj) only the embedding
    // package's compile and the links behind it run and upload, as few as three results.
    expect(remoteSummary(primed).uploadedResults).toBeGreaterThanOrEqual(3);
    const expected = BINARIES.map((rel) => sha(bin(ws, rel)));

    // The proxy forwards the first requests (some action hits), then kills bazel-remote and goes.
    const proxy: HttpProxy = await startHttpProxy(stoppable.httpUrl, {
      stopAfterRequests: 4,
      onStop: () => stoppable.kill(),
    });
    stoppers.push(() => proxy.close());
    const clone = variant('stopped');
    const run = await pgobuildWhileServing(
      clone,
      ['build', '//...', `--remote_cache=${proxy.url}`],
      copyOfWarmCache(),
    );
    expect(proxy.stopped).toBe(true);
    expect(finished(run).exitCode).toBe(0);
    expect(remoteSummary(run).remoteHits).toBeGreaterThan(0);
    expect(remoteSummary(run).available).toBe(false);
    const ws2 = warnings(run);
    expect(ws2.length).toBe(1);
    expect(ws2[0]?.problem).toBe('unavailable');
    expect(ws2[0]?.message).toMatch(/continuing without it, building locally/);
    expect(BINARIES.map((rel) => sha(bin(clone, rel)))).toEqual(expected);
  });

  test('a remote that never answers: one timeout warning per build, over HTTP and gRPC, and the build succeeds', async () => {
    const silent: TestServer = await startSilentServer();
    stoppers.push(() => silent.close());
    for (const scheme of ['http', 'grpc'] as const) {
      const ws = variant(`silent-${scheme}`);
      const started = Date.now();
      const run = await pgobuildWhileServing(
        ws,
        ['build', '//...', `--remote_cache=${scheme}://${silent.url}`, '--remote_timeout=2'],
        copyOfWarmCache(),
      );
      expect(finished(run).exitCode).toBe(0);
      expect(warnings(run).map((w) => w.problem)).toEqual(['timeout']);
      expect(warnings(run)[0]?.message).toMatch(/no answer within 2 s/);
      expect(runBinary(bin(ws, 'cmd/one/one'))).toBe(
        `hello from silent-${scheme} 42 on linux 42\n`,
      );
      // Given up after the first timeout, not one timeout per action.
      expect(Date.now() - started).toBeLessThan(120_000);
    }
  });

  test('basic auth: without credentials uploads are refused and the build passes; with them they land', async () => {
    const sha1 = createHash('sha1').update('s3cret').digest('base64');
    const auth = await startBazelRemote({
      htpasswd: `ci:{SHA}${sha1}\n`,
      allowUnauthenticatedReads: true,
    });
    stoppers.push(() => auth.stop());
    const ws = variant('auth');
    const anonymous = pgobuild(ws, ['build', '//...', `--remote_cache=${auth.httpUrl}`], {
      cache: copyOfWarmCache(),
    });
    expect(finished(anonymous).exitCode).toBe(0);
    expect(warnings(anonymous).map((w) => w.problem)).toEqual(['denied']);
    expect(remoteSummary(anonymous).uploadedResults).toBe(0);
    const linkKey = (run: CliRun): string => {
      const e = run.events.find(
        (x) =>
          x.type === 'action-finished' && x.mnemonic === 'GoLink' && x.description === '//cmd/one',
      );
      if (e?.type !== 'action-finished') throw new Error('no GoLink //cmd/one');
      return e.key;
    };
    const key = linkKey(anonymous);
    expect((await fetch(`${auth.httpUrl}/ac/${key}`)).status).toBe(404);

    const withCredentials = pgobuild(
      ws,
      ['build', '//...', `--remote_cache=http://ci:s3cret@127.0.0.1:${auth.httpPort}`],
      { cache: copyOfWarmCache() },
    );
    expect(finished(withCredentials).exitCode).toBe(0);
    expect(warnings(withCredentials)).toEqual([]);
    expect(remoteSummary(withCredentials).uploadedResults).toBe(
      actionsWith(withCredentials, 'executed'),
    );
    expect(linkKey(withCredentials)).toBe(key);
    expect((await fetch(`${auth.httpUrl}/ac/${key}`)).status).toBe(200);
    // Credentials never appear in events.
    expect(withCredentials.stdout).not.toContain('s3cret');
  });

  test('TLS with a custom CA (--tls_certificate): trusted over https and grpcs; without the CA, one warning', async () => {
    const certs = makeTestCertificates(tempDir('pgobuild-remote-tls-'));
    const tls = await startBazelRemote({ tls: certs });
    stoppers.push(() => tls.stop());
    for (const url of [tls.httpUrl, tls.grpcUrl]) {
      const ws = variant(`tls-${url.split(':')[0]}`);
      const trusted = await pgobuildWhileServing(
        ws,
        ['build', '//...', `--remote_cache=${url}`, `--tls_certificate=${certs.caFile}`],
        copyOfWarmCache(),
      );
      expect(finished(trusted).exitCode).toBe(0);
      expect(warnings(trusted)).toEqual([]);
      expect(remoteSummary(trusted).uploadedResults).toBe(actionsWith(trusted, 'executed'));
      const untrusted = await pgobuildWhileServing(
        ws,
        ['build', '//...', `--remote_cache=${url}`],
        copyOfWarmCache(),
      );
      expect(finished(untrusted).exitCode).toBe(0);
      expect(warnings(untrusted).map((w) => w.problem)).toEqual(['unavailable']);
    }
  });

  test('a failing test is never uploaded: the next clone runs it again', () => {
    const failing = {
      ...SMALL_WORKSPACE,
      'lib/mid/greeting.txt': 'hello from failing',
      'cmd/one/main_test.go':
        'package main\n\nimport "testing"\n\nfunc TestAnswer(t *testing.T) {\n\tt.Fatalf("answer() = %d, want 43", answer())\n}\n',
    };
    const first = pgobuild(
      makeWorkspace(failing, 'pgobuild-remote-failing-a-'),
      ['test', '//...', `--remote_cache=${server.grpcUrl}`],
      { cache: copyOfWarmCache() },
    );
    expect(finished(first).exitCode).toBe(1);
    // Every successful action was uploaded; the failed test run was not.
    expect(remoteSummary(first).uploadedResults).toBe(actionsWith(first, 'executed'));
    const second = pgobuild(
      makeWorkspace(failing, 'pgobuild-remote-failing-b-'),
      ['test', '//...', `--remote_cache=${server.grpcUrl}`],
      { cache: tempDir('pgobuild-remote-disk-failing-') },
    );
    expect(finished(second).exitCode).toBe(1);
    expect(actions(second, 'executed', 'GoCompile')).toEqual([]);
    const result = second.events.find((e) => e.type === 'test-result');
    expect(result).toMatchObject({ status: 'failed' });
  });
});

describe('remote cache flags', () => {
  test('a bad value in .pgobuildrc is exit 2 naming the file line; on the command line, the flag', () => {
    const ws = makeWorkspace({
      ...SMALL_WORKSPACE,
      '.pgobuildrc': 'build --remote_cache=grpc://127.0.0.1:1\nbuild --remote_timeout=soon\n',
    });
    const rc = pgobuild(ws, ['build', '//...'], { json: false });
    expect(rc.code).toBe(2);
    expect(rc.stderr).toContain('--remote_timeout=soon (.pgobuildrc:2): not a positive number');
    const plain = makeWorkspace(SMALL_WORKSPACE);
    const cli = pgobuild(plain, ['build', '//...', '--remote_cache=ftp://x'], { json: false });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('--remote_cache=ftp://x (command line): unsupported scheme ftp:');
    const header = pgobuild(plain, ['build', '//...', '--remote_header=bad'], { json: false });
    expect(header.code).toBe(2);
    expect(header.stderr).toContain('--remote_header=bad (command line)');
  });
});
