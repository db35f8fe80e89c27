import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { BuildEvent } from '../../src/events';
import { type CachingGoProxy, startCachingGoProxy } from './caching-go-proxy';
import {
  type CliRun,
  REPO,
  finished,
  go,
  makeWorkspace,
  parseEvents,
  tempDir,
  textSection,
} from './harness';
import { SMALL_WORKSPACE } from './small-workspace';

/**
 * `go_sdk(version = …)`: the SDK comes from the Go module proxy (a local caching proxy in front of
 * proxy.golang.org, so each zip is downloaded once per machine into .cache/go-proxy), is verified
 * and unpacked into the disk cache, and builds with no `go` on PATH.
 */
const VERSION = '1.26.8';
const MODULE = `golang.org/toolchain@v0.0.1-go${VERSION}.linux-amd64`;
/** The h1 of the linux-amd64 zip, as sum.golang.org records it. */
const SUM = 'h1:ZOmGe1OnfREDMIdb1Qi4G9JSuDPBLGExZMQ4nis1RXM=';
const ZIP_PATH = `/golang.org/toolchain/@v/v0.0.1-go${VERSION}.linux-amd64.zip`;

let proxy: CachingGoProxy;
beforeAll(async () => {
  proxy = await startCachingGoProxy();
});
afterAll(async () => {
  await proxy.close();
});

/** PATH without any directory holding a `go` executable. */
function pathWithoutGo(): string {
  return (process.env['PATH'] ?? '')
    .split(path.delimiter)
    .filter((dir) => dir !== '' && !fs.existsSync(path.join(dir, 'go')))
    .join(path.delimiter);
}

/** Runs the CLI without blocking this process (the proxy serves from it). */
function run(
  cwd: string,
  args: readonly string[],
  cache: string,
  env: Record<string, string>,
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [path.join(REPO, 'bin', 'pgobuild.js'), ...args, `--disk_cache=${cache}`, '--output=json'],
      {
        cwd,
        env: { ...process.env, NO_COLOR: '1', PATH: pathWithoutGo(), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, events: parseEvents(stdout), stdout, stderr }));
  });
}

function diagnostics(
  r: CliRun,
  severity: 'error' | 'warning',
): Extract<BuildEvent, { type: 'diagnostic' }>[] {
  return r.events.filter(
    (e): e is Extract<BuildEvent, { type: 'diagnostic' }> =>
      e.type === 'diagnostic' && e.severity === severity,
  );
}

/** What the SDK cache holds: nothing half-unpacked may be left after a failure. */
function sdkCacheEntries(cache: string): string[] {
  const dir = path.join(cache, 'v1', 'sdk');
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('go_sdk(version = …) downloaded through the Go module proxy', () => {
  test('fetched, verified against the pinned sum, unpacked once and used with no go on PATH; binaries equal go build -trimpath', async () => {
    const files = {
      ...SMALL_WORKSPACE,
      WORKSPACE: `go_sdk(version = "${VERSION}", sum = "${SUM}")\n`,
    };
    const ws = makeWorkspace(files);
    const cache = tempDir('pgobuild-pinned-sdk-');
    const first = await run(ws, ['build', '//cmd/one', '//cmd/two'], cache, { GOPROXY: proxy.url });
    expect(first.stderr).toBe('');
    expect(finished(first).exitCode).toBe(0);
    expect(diagnostics(first, 'warning')).toEqual([]);
    expect(proxy.requests.filter((p) => p === ZIP_PATH)).toHaveLength(1);
    expect(sdkCacheEntries(cache)).toEqual([`go${VERSION}.linux-amd64`]);
    const goroot = path.join(cache, 'v1', 'sdk', `go${VERSION}.linux-amd64`, MODULE);
    for (const tool of ['bin/go', 'pkg/tool/linux_amd64/compile', 'pkg/tool/linux_amd64/link'])
      expect(fs.statSync(path.join(goroot, tool)).mode & 0o111).not.toBe(0);
    expect(fs.existsSync(path.join(goroot, 'src', 'go.mod'))).toBe(true);

    // The oracle: the machine's go build -trimpath (the same release).
    expect(go(ws, ['version']).stdout).toContain(`go${VERSION} `);
    for (const bin of ['one', 'two']) {
      const out = path.join(cache, `oracle-${bin}`);
      expect(go(ws, ['build', '-trimpath', '-o', out, `./cmd/${bin}`]).stderr).toBe('');
      const ours = path.join(ws, 'pgobuild-out/bin/cmd', bin, bin);
      expect({ bin, same: textSection(ours).equals(textSection(out)) }).toEqual({
        bin,
        same: true,
      });
      const info = (f: string): string[] =>
        go(ws, ['version', '-m', f]).stdout.split('\n').slice(1);
      expect(info(ours)).toEqual(info(out));
    }

    // Another workspace with the same cache: the unpacked SDK is used, nothing is fetched.
    const again = makeWorkspace(files);
    const before = proxy.requests.length;
    const second = await run(again, ['build', '//cmd/one'], cache, { GOPROXY: proxy.url });
    expect(finished(second).exitCode).toBe(0);
    expect(finished(second).executed).toBe(0);
    expect(proxy.requests.slice(before)).toEqual([]);
  });

  test('without a pinned sum: verified against the checksum database, and the line to pin is printed', async () => {
    const ws = makeWorkspace({ ...SMALL_WORKSPACE, WORKSPACE: `go_sdk(version = "${VERSION}")\n` });
    const cache = tempDir('pgobuild-pinned-sdk-');
    const before = proxy.requests.length;
    const r = await run(ws, ['query', '//...'], cache, { GOPROXY: proxy.url });
    expect(r.code).toBe(0);
    expect(proxy.requests.slice(before)).toContain(`/sumdb/sum.golang.org/lookup/${MODULE}`);
    const [warning, ...more] = diagnostics(r, 'warning');
    expect(more).toEqual([]);
    expect(warning?.file).toBe('WORKSPACE');
    expect(warning?.line).toBe(1);
    expect(warning?.message).toContain('verified against the Go checksum database');
    expect(warning?.message).toContain(`go_sdk(version = "${VERSION}", sum = "${SUM}")`);
  });

  test("go.mod's toolchain line selects the SDK when WORKSPACE names none", async () => {
    const ws = makeWorkspace({
      ...SMALL_WORKSPACE,
      'go.mod': `module example.com/small\n\ngo 1.22\n\ntoolchain go${VERSION}\n`,
    });
    const cache = tempDir('pgobuild-pinned-sdk-');
    const r = await run(ws, ['query', '//...'], cache, { GOPROXY: proxy.url });
    expect(r.code).toBe(0);
    expect(sdkCacheEntries(cache)).toEqual([`go${VERSION}.linux-amd64`]);
    const [warning] = diagnostics(r, 'warning');
    expect(warning?.file).toBe('go.mod');
    expect(warning?.line).toBe(5);
    // Once downloaded, go.mod users are not nagged on every build.
    const again = await run(ws, ['query', '//...'], cache, { GOPROXY: proxy.url });
    expect(again.code).toBe(0);
    expect(diagnostics(again, 'warning')).toEqual([]);
  });

  test.each([
    [
      'a wrong sum',
      `go_sdk(version = "${VERSION}", sum = "h1:${'A'.repeat(43)}=")`,
      {},
      /checksum mismatch/,
    ],
    [
      'a version that does not exist',
      'go_sdk(version = "1.26.99")',
      {},
      /Go 1\.26\.99 for linux\/amd64 (does not exist|is not available)/,
    ],
    ['GOPROXY=off', `go_sdk(version = "${VERSION}")`, { GOPROXY: 'off' }, /disallows downloading/],
    [
      'GOPROXY=direct',
      `go_sdk(version = "${VERSION}")`,
      { GOPROXY: 'direct' },
      /names no http\(s\) module proxy/,
    ],
  ])(
    '%s is an error on the WORKSPACE line (exit 2) and leaves nothing behind',
    async (_what, line, env, message) => {
      const ws = makeWorkspace({ ...SMALL_WORKSPACE, WORKSPACE: `${line}\n` });
      const cache = tempDir('pgobuild-pinned-sdk-');
      const r = await run(ws, ['build', '//cmd/one'], cache, { GOPROXY: proxy.url, ...env });
      expect(r.code).toBe(2);
      const [error] = diagnostics(r, 'error');
      expect({ file: error?.file, line: error?.line }).toEqual({ file: 'WORKSPACE', line: 1 });
      expect(error?.message).toMatch(message);
      expect(sdkCacheEntries(cache)).toEqual([]);
    },
  );

  test('an unreachable proxy is an error (exit 2) that names it, and leaves nothing behind', async () => {
    const ws = makeWorkspace({
      ...SMALL_WORKSPACE,
      WORKSPACE: `go_sdk(version = "${VERSION}", sum = "${SUM}")\n`,
    });
    const cache = tempDir('pgobuild-pinned-sdk-');
    const port = await closedPort();
    const r = await run(ws, ['build', '//cmd/one'], cache, { GOPROXY: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(2);
    const [error] = diagnostics(r, 'error');
    expect(error?.file).toBe('WORKSPACE');
    expect(error?.message).toContain(`cannot download ${MODULE} from http://127.0.0.1:${port}`);
    expect(error?.message).toContain('ECONNREFUSED');
    expect(sdkCacheEntries(cache)).toEqual([]);
  });

  test('an older SDK (Go 1.21) is downloaded, verified and pinned the same way', async () => {
    const ws = makeWorkspace({
      ...SMALL_WORKSPACE,
      WORKSPACE: 'go_sdk(version = "1.21.13")\n',
      'go.mod': 'module example.com/small\n\ngo 1.21\n',
    });
    const cache = tempDir('pgobuild-pinned-sdk-');
    const r = await run(ws, ['build', '//cmd/two'], cache, { GOPROXY: proxy.url });
    expect(finished(r).exitCode).toBe(0);
    const [warning] = diagnostics(r, 'warning');
    expect(warning?.message).toMatch(
      /go_sdk\(version = "1\.21\.13", sum = "h1:[A-Za-z0-9+/]{43}="\)/,
    );
    const version = spawnSync(path.join(ws, 'pgobuild-out/bin/cmd/two/two'), [], {
      encoding: 'utf8',
    });
    expect(version.stdout).toBe('TWO\n');
  });
});
