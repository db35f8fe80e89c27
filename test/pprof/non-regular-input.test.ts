import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PackageLoader } from '../../src/analysis';
import { runPreprocessCommand } from '../../src/pprof';
import { BUILTIN_RULES } from '../../src/analysis/builtin-rules';

/** Collects what a command writes to a stream. */
function sink(): NodeJS.WritableStream & { text: string } {
  const s = {
    text: '',
    write(data: string | Uint8Array, cb?: (e?: Error | null) => void): boolean {
      s.text += typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
      cb?.();
      return true;
    },
  };
  return s as unknown as NodeJS.WritableStream & { text: string };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-nonregular-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('inputs that are not regular files are refused, not read', () => {
  test.each([
    ['/dev/zero (never ends)', '/dev/zero'],
    ['a FIFO (blocks)', 'fifo'],
  ])('pgo preprocess of %s exits 2 at once, naming it', async (_, name) => {
    const input = name.startsWith('/') ? name : path.join(dir, name);
    if (!name.startsWith('/')) expect(spawnSync('mkfifo', [input]).status).toBe(0);
    const stderr = sink();
    const started = Date.now();
    const code = await runPreprocessCommand(input, undefined, { stdout: sink(), stderr, cwd: dir });
    expect(code).toBe(2);
    expect(stderr.text).toContain(`${input}: cannot read profile: is not a regular file`);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('a BUILD file that is a FIFO does not block loading (it is not taken as a BUILD file)', async () => {
    const root = path.join(dir, 'ws');
    fs.mkdirSync(path.join(root, 'p'), { recursive: true });
    fs.writeFileSync(path.join(root, 'WORKSPACE'), '');
    expect(spawnSync('mkfifo', [path.join(root, 'p', 'BUILD')]).status).toBe(0);
    const r = await new PackageLoader(root, BUILTIN_RULES).load('p');
    expect(r).toEqual({ ok: true, value: undefined });
  });
});
