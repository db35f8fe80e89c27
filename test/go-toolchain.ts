import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The Go toolchain every test runs as its oracle, found one way: `PGOBUILD_TEST_GO` when set,
 * otherwise the `go` on PATH (the one pgobuild itself selects by default, and the one the e2e
 * harness's go() runs). A machine without Go fails every suite that needs it, loudly, instead of
 * skipping it.
 */
export const GO: string = findGo();

/** GOROOT of {@link GO}. */
export const GOROOT: string = execFileSync(GO, ['env', 'GOROOT'], {
  encoding: 'utf8',
  env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '' },
}).trim();

function findGo(): string {
  const pinned = process.env['PGOBUILD_TEST_GO'];
  if (pinned !== undefined && pinned !== '') return pinned;
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, 'go');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error('the tests need Go: no `go` on PATH (or set PGOBUILD_TEST_GO to a go binary)');
}
