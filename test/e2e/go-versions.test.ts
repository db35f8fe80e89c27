import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO, finished, makeWorkspace, pgobuild, textSection, tempDir } from './harness';
import { SMALL_WORKSPACE } from './small-workspace';

/**
 * Older SDKs fetched through the Go module proxy by scripts/fetch-go.sh into .cache/go (idempotent:
 * .ci/run fetches them up front, and this file fetches whatever is missing). Each is a real Go
 * whose flags and file formats differ from the machine's (reference §1): 1.21 passes -+ and
 * -compiling-runtime and does not sort build settings; 1.21 and 1.22 compilers read the raw pprof.
 */
const VERSIONS = ['go1.21.13', 'go1.22.12'];

function goroot(version: string): string {
  return path.join(REPO, '.cache', 'go', version);
}

beforeAll(() => {
  const r = spawnSync('bash', [path.join(REPO, 'scripts/fetch-go.sh'), ...VERSIONS], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`scripts/fetch-go.sh failed: ${r.stderr}`);
});

describe.each(VERSIONS)('with %s selected by go_sdk(path = ...)', (version) => {
  const root = goroot(version);
  const goBin = path.join(root, 'bin', 'go');

  test('the SDK is present (scripts/fetch-go.sh)', () => {
    expect(fs.existsSync(goBin)).toBe(true);
  });

  test("binaries (with and without PGO) equal that version's go build -trimpath", () => {
    const files: Record<string, string> = {
      ...SMALL_WORKSPACE,
      WORKSPACE: `go_sdk(path = "${root}")\n`,
      'go.mod': 'module example.com/small\n\ngo 1.21\n',
    };
    const ws = makeWorkspace(files);
    fs.copyFileSync(
      path.join(REPO, 'test/fixtures/profiles/markdown-server.cpu.pprof'),
      path.join(ws, 'cmd/one/default.pgo'),
    );
    const cache = tempDir(`pgobuild-${version}-`);
    const run = pgobuild(ws, ['build', '//cmd/one', '//cmd/two'], { cache });
    expect(run.stderr).toBe('');
    expect(finished(run).exitCode).toBe(0);
    const env = {
      PATH: `${path.join(root, 'bin')}:${process.env['PATH'] ?? ''}`,
      HOME: os.tmpdir(),
      GOROOT: root,
      GOTOOLCHAIN: 'local',
      GOFLAGS: '-buildvcs=false',
      CGO_ENABLED: '0',
      GOCACHE: path.join(cache, 'gocache'),
    };
    for (const bin of ['one', 'two']) {
      const out = path.join(cache, `oracle-${bin}`);
      const r = spawnSync(goBin, ['build', '-trimpath', '-o', out, `./cmd/${bin}`], {
        cwd: ws,
        env,
        encoding: 'utf8',
      });
      expect(r.stderr).toBe('');
      const ours = path.join(ws, 'pgobuild-out/bin/cmd', bin, bin);
      expect({ bin, same: textSection(ours).equals(textSection(out)) }).toEqual({
        bin,
        same: true,
      });
      const info = (f: string): string[] =>
        spawnSync(goBin, ['version', '-m', f], { env, encoding: 'utf8' })
          .stdout.split('\n')
          .slice(1);
      expect(info(ours)).toEqual(info(out));
    }
  });
});
