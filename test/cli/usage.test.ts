import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
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

describe('start-up cost of parsing the command line', () => {
  const hook = path.join(__dirname, 'string-width-hook.js');
  /** How often a run laid out text with string-width (what rendering yargs' help costs). */
  function layoutCalls(args: readonly string[]): { code: number | null; calls: number } {
    const r = spawnSync(process.execPath, ['--require', hook, CLI, ...args], {
      encoding: 'utf8',
      timeout: 30000,
    });
    const m = /string-width calls: (\d+)\n$/.exec(r.stderr);
    if (m === null) throw new Error(`no count from the hook; stderr:\n${r.stderr}`);
    return { code: r.status, calls: Number(m[1]) };
  }

  it('a command does not render the help text it never shows', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-usage-')), 'out');
    const profile = path.resolve(
      __dirname,
      '..',
      'fixtures',
      'profiles',
      'p2pool-observer-web.cpu.pprof',
    );
    expect(layoutCalls(['pgo', 'preprocess', profile, '-o', out])).toEqual({ code: 0, calls: 0 });
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  });

  it('--help does lay out its text (the hook counts what it should)', () => {
    const help = layoutCalls(['--help']);
    expect(help.code).toBe(0);
    expect(help.calls).toBeGreaterThan(0);
  });
});
