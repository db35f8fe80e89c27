import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type CacheRootFs, prepareDiskCacheRoot } from '../../src/cache/disk-cache-root';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-cache-root-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('prepareDiskCacheRoot', () => {
  it('creates a missing cache root and answers its absolute path', async () => {
    const base = tmp();
    const r = await prepareDiskCacheRoot('a/b/c', base);
    expect(r).toEqual({ ok: true, value: path.join(base, 'a/b/c') });
    expect(fs.statSync(path.join(base, 'a/b/c')).isDirectory()).toBe(true);
    expect(fs.readdirSync(path.join(base, 'a/b/c'))).toEqual([]);
  });

  it('rejects an empty --disk_cache instead of using the current directory', async () => {
    const r = await prepareDiskCacheRoot('', tmp());
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure).toMatch(/--disk_cache is empty/);
  });

  it('rejects a file, /dev/null and a path under a file, naming the path', async () => {
    const base = tmp();
    fs.writeFileSync(path.join(base, 'f'), 'x');
    for (const [dir, message] of [
      ['f', `--disk_cache=f: ${path.join(base, 'f')} is not a directory`],
      ['/dev/null', '--disk_cache=/dev/null: /dev/null is not a directory'],
      ['f/sub', `--disk_cache=f/sub: ${path.join(base, 'f')} is not a directory, so`],
    ] as const) {
      const r = await prepareDiskCacheRoot(dir, base);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.failure).toContain(message);
    }
  });

  it('ends at once under /proc, where a recursive mkdir never returns', async () => {
    const started = Date.now();
    const r = await prepareDiskCacheRoot('/proc/x/y', '/');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure).toMatch(/^--disk_cache=\/proc\/x\/y: cannot create \/proc\/x/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports a full disk found by the write probe (injected ENOSPC)', async () => {
    const base = tmp();
    const full: CacheRootFs = {
      ...fs.promises,
      writeFile: () =>
        Promise.reject(
          Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }),
        ),
    };
    const r = await prepareDiskCacheRoot(base, '/', full);
    expect(r).toEqual({
      ok: false,
      failure: `--disk_cache=${base}: cannot write in ${base}: no space left on device`,
    });
  });

  // Tests run as root, which chmod does not stop: a read-only bind mount is what refuses root.
  const readOnly = tmp();
  const mounted =
    spawnSync('mount', ['--bind', readOnly, readOnly]).status === 0 &&
    spawnSync('mount', ['-o', 'remount,ro,bind', readOnly]).status === 0;
  afterAll(() => {
    if (mounted) spawnSync('umount', [readOnly]);
  });
  (mounted ? it : it.skip)(
    'reports a read-only cache directory (read-only bind mount)',
    async () => {
      const r = await prepareDiskCacheRoot(readOnly, '/');
      expect(r).toEqual({
        ok: false,
        failure: `--disk_cache=${readOnly}: cannot write in ${readOnly}: read-only file system`,
      });
      const sub = await prepareDiskCacheRoot(path.join(readOnly, 'sub'), '/');
      expect(sub.ok).toBe(false);
      if (!sub.ok) expect(sub.failure).toContain('read-only file system');
    },
  );
});
