import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

// Usage errors of the real CLI (compiled JavaScript): a plain message, the help hint, exit 2.
const CLI = path.resolve(__dirname, '..', '..', 'bin', 'pgobuild.js');

function pgobuild(args: readonly string[]): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30000 });
  return { code: r.status, stderr: r.stderr };
}

describe('usage errors', () => {
  it('names the commands when none is given', () => {
    expect(pgobuild([])).toEqual({
      code: 2,
      stderr:
        "pgobuild: name a command: build, test, run, query, explain, generate, clean or pgo\nRun 'pgobuild --help' for usage.\n",
    });
  });

  it('names the profile tools for a bare `pgo`', () => {
    expect(pgobuild(['pgo'])).toEqual({
      code: 2,
      stderr:
        "pgobuild: name a pgo command: preprocess, merge, collect, doctor, rename, diff, plan\nRun 'pgobuild --help' for usage.\n",
    });
  });

  it('refuses an unknown profile tool', () => {
    expect(pgobuild(['pgo', 'frobnicate'])).toEqual({
      code: 2,
      stderr: "pgobuild: Unknown argument: frobnicate\nRun 'pgobuild --help' for usage.\n",
    });
  });
});
