import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type HttpGet, ensureSdk, hashZipFiles } from '../../toolchain';
import { type ZipFile, writeZip } from './zip-writer';

const PREFIX = 'golang.org/toolchain@v0.0.1-go1.30.1.linux-amd64/';
const FILES: ZipFile[] = [
  { name: `${PREFIX}VERSION`, content: 'go1.30.1\n' },
  { name: `${PREFIX}bin/go`, content: '#!/bin/sh\n' },
  { name: `${PREFIX}pkg/tool/linux_amd64/compile`, content: 'compile' },
  { name: `${PREFIX}src/_go.mod`, content: 'module std\n' },
  { name: `${PREFIX}src/fmt/print.go`, content: 'package fmt\n' },
];
const ZIP = writeZip(FILES);
const SUM = (() => {
  const h = hashZipFiles(
    FILES.map((f) => ({
      name: f.name,
      sha256: createHash('sha256').update(f.content).digest('hex'),
    })),
  );
  if (!h.ok) throw new Error(h.failure);
  return h.value;
})();
const ZIP_URL = 'http://proxy.test/golang.org/toolchain/@v/v0.0.1-go1.30.1.linux-amd64.zip';

const made: string[] = [];
function cacheDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-sdk-unit-'));
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function serving(routes: Record<string, { status: number; body: Buffer | string }>): {
  get: HttpGet;
  urls: string[];
} {
  const urls: string[] = [];
  return {
    urls,
    get: async (url) => {
      urls.push(url);
      const r = routes[url] ?? { status: 404, body: 'not found' };
      return { ok: true, value: { status: r.status, body: Buffer.from(r.body) } };
    },
  };
}

const options = (dir: string, get: HttpGet) => ({
  cacheDir: dir,
  platform: { goos: 'linux', goarch: 'amd64' },
  goproxy: 'http://proxy.test/,direct',
  get,
});

describe('ensureSdk', () => {
  test('downloads, verifies the pinned sum, unpacks atomically once, then works offline', async () => {
    const dir = cacheDir();
    const net = serving({ [ZIP_URL]: { status: 200, body: ZIP } });
    const r = await ensureSdk({ version: '1.30.1', pinnedSum: SUM }, options(dir, net.get));
    if (!r.ok) throw new Error(r.failure.message);
    expect(r.value).toMatchObject({ sum: SUM, verifiedBy: 'pinned-sum' });
    expect(r.value.goroot).toBe(path.join(dir, 'go1.30.1.linux-amd64', PREFIX.slice(0, -1)));
    expect(fs.readFileSync(path.join(r.value.goroot, 'VERSION'), 'utf8')).toBe('go1.30.1\n');
    // A zip without modes gets cmd/go's: bin/ and pkg/tool/ executable, the rest not.
    expect(fs.statSync(path.join(r.value.goroot, 'bin/go')).mode & 0o111).toBe(0o111);
    expect(
      fs.statSync(path.join(r.value.goroot, 'pkg/tool/linux_amd64/compile')).mode & 0o111,
    ).toBe(0o111);
    expect(fs.statSync(path.join(r.value.goroot, 'VERSION')).mode & 0o111).toBe(0);
    expect(fs.readFileSync(path.join(r.value.goroot, 'src/go.mod'), 'utf8')).toBe('module std\n');
    expect(fs.readdirSync(dir)).toEqual(['go1.30.1.linux-amd64']);
    expect(net.urls).toEqual([ZIP_URL]);

    const again = await ensureSdk({ version: '1.30.1', pinnedSum: SUM }, options(dir, net.get));
    expect(again.ok && again.value.verifiedBy).toBe('cache');
    expect(net.urls).toHaveLength(1);
    // Changing the pin to another sum is refused even though the SDK is unpacked.
    const other = await ensureSdk(
      { version: '1.30.1', pinnedSum: `h1:${'B'.repeat(43)}=` },
      options(dir, net.get),
    );
    expect(other).toMatchObject({ ok: false, failure: { reason: 'go-sdk-verify' } });
  });

  test('a wrong sum leaves nothing behind', async () => {
    const dir = cacheDir();
    const net = serving({ [ZIP_URL]: { status: 200, body: ZIP } });
    const r = await ensureSdk(
      { version: '1.30.1', pinnedSum: `h1:${'A'.repeat(43)}=` },
      options(dir, net.get),
    );
    expect(r).toMatchObject({ ok: false, failure: { reason: 'go-sdk-verify' } });
    expect(!r.ok && r.failure.message).toContain(`downloaded: ${SUM}`);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('404, a network failure and a zip escaping its prefix are failures', async () => {
    const dir = cacheDir();
    expect(
      await ensureSdk({ version: '1.30.1', pinnedSum: SUM }, options(dir, serving({}).get)),
    ).toMatchObject({
      ok: false,
      failure: { reason: 'go-sdk-download', message: expect.stringContaining('does not exist') },
    });
    const down: HttpGet = async () => ({ ok: false, failure: 'connect ECONNREFUSED 127.0.0.1:9' });
    expect(
      await ensureSdk({ version: '1.30.1', pinnedSum: SUM }, options(dir, down)),
    ).toMatchObject({
      ok: false,
      failure: { reason: 'go-sdk-download', message: expect.stringContaining('ECONNREFUSED') },
    });
    const evil = writeZip([...FILES, { name: `${PREFIX}../../../../escape`, content: 'x' }]);
    const r = await ensureSdk(
      { version: '1.30.1', pinnedSum: SUM },
      options(dir, serving({ [ZIP_URL]: { status: 200, body: evil } }).get),
    );
    expect(r).toMatchObject({ ok: false, failure: { reason: 'go-sdk-verify' } });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test("a killed download's temp directory is removed by the next one", async () => {
    const dir = cacheDir();
    // A pid that cannot be alive: beyond Linux's pid_max.
    const stale = path.join(dir, `.tmp-go1.30.1.linux-amd64-${os.hostname()}-4194305.abcd`);
    fs.mkdirSync(path.join(stale, 'half'), { recursive: true });
    const net = serving({ [ZIP_URL]: { status: 200, body: ZIP } });
    const r = await ensureSdk({ version: '1.30.1', pinnedSum: SUM }, options(dir, net.get));
    expect(r.ok).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['go1.30.1.linux-amd64']);
  });
});
