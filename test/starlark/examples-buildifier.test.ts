import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFile } from '../../src/starlark';

const REPO = path.resolve(__dirname, '..', '..');

function buildFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return buildFiles(p);
    return e.name === 'BUILD' || e.name === 'BUILD.bazel' ? [p] : [];
  });
}

describe('examples/ BUILD files', () => {
  test('are formatted as buildifier formats them', () => {
    const r = spawnSync(
      path.join(REPO, 'node_modules/.bin/buildifier'),
      ['--mode=check', '-r', 'examples'],
      { cwd: REPO, encoding: 'utf8' },
    );
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('all parse in the BUILD dialect', () => {
    const files = buildFiles(path.join(REPO, 'examples'));
    expect(files.length).toBeGreaterThanOrEqual(15);
    for (const f of files) {
      const parsed = parseFile(path.relative(REPO, f), fs.readFileSync(f, 'utf8'), 'build');
      expect({ file: path.relative(REPO, f), ok: parsed.ok }).toEqual({
        file: path.relative(REPO, f),
        ok: true,
      });
    }
  });
});
