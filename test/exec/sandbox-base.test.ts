import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sandboxParent } from '../../src/exec';

/**
 * Where exec roots go (src/exec/sandbox-base.ts): a memory file system when the machine has one,
 * as Bazel users choose with --sandbox_base=/dev/shm, else the temporary directory; the variable
 * PGOBUILD_SANDBOX_BASE chooses.
 */

const TMPFS_MAGIC = 0x01021994;
const uid = process.getuid?.() ?? 'user';

async function isTmpfs(dir: string): Promise<boolean> {
  try {
    return (await fs.statfs(dir)).type === TMPFS_MAGIC;
  } catch {
    return false;
  }
}

const saved = process.env['PGOBUILD_SANDBOX_BASE'];
afterEach(() => {
  if (saved === undefined) delete process.env['PGOBUILD_SANDBOX_BASE'];
  else process.env['PGOBUILD_SANDBOX_BASE'] = saved;
});

test('exec roots go to /dev/shm when it is a memory file system, else to the temporary directory', async () => {
  delete process.env['PGOBUILD_SANDBOX_BASE'];
  const parent = await sandboxParent();
  if (await isTmpfs('/dev/shm')) {
    expect(parent).toBe(`/dev/shm/pgobuild-sandbox-${uid}`);
    const st = await fs.lstat(parent);
    expect(st.isDirectory()).toBe(true);
    expect(st.uid).toBe(process.getuid?.());
    expect(await isTmpfs(parent)).toBe(true);
  } else {
    expect(parent).toBe(path.join(os.tmpdir(), `pgobuild-sandbox-${uid}`));
  }
});

test('PGOBUILD_SANDBOX_BASE chooses the directory', async () => {
  const chosen = await fs.mkdtemp(path.join(os.tmpdir(), 'pgobuild-sandbox-base-test-'));
  try {
    process.env['PGOBUILD_SANDBOX_BASE'] = chosen;
    expect(await sandboxParent()).toBe(path.join(chosen, `pgobuild-sandbox-${uid}`));
  } finally {
    await fs.rm(chosen, { recursive: true, force: true });
  }
});
