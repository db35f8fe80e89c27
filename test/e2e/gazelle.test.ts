// The real Gazelle (built by scripts/fetch-tools.sh at a pinned version) writes BUILD files for a
// std-only module; pgobuild builds and tests them unchanged, the binary equals cmd/go's, and
// `pgobuild generate` writes the same files on the same tree.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, finished, go, makeWorkspace, pgobuild, textSection } from './harness';

const GAZELLE = path.join(REPO, '.cache/tools/gazelle/gazelle');

const FILES: Record<string, string> = {
  'go.mod': 'module example.com/gz\n\ngo 1.22\n',
  'root.go': 'package gz\n\n// Version is the version.\nconst Version = "1"\n',
  'lib/greet/greet.go':
    'package greet\n\nimport (\n\t_ "embed"\n\t"strings"\n\n\t"example.com/gz/lib/greet/internal/fmtx"\n)\n\n//go:embed hello.txt\nvar hello string\n\n// Greet says hello.\nfunc Greet(name string) string { return fmtx.Wrap(strings.TrimSpace(hello) + ", " + name) }\n',
  'lib/greet/hello.txt': 'Hello\n',
  'lib/greet/greet_test.go':
    'package greet\n\nimport "testing"\n\nfunc TestGreet(t *testing.T) {\n\tif Greet("x") != "[Hello, x]" {\n\t\tt.Fatal(Greet("x"))\n\t}\n}\n',
  'lib/greet/example_test.go':
    'package greet_test\n\nimport (\n\t"fmt"\n\n\t"example.com/gz/lib/greet"\n)\n\nfunc ExampleGreet() {\n\tfmt.Println(greet.Greet("y"))\n\t// Output: [Hello, y]\n}\n',
  'lib/greet/internal/fmtx/fmtx.go':
    'package fmtx\n\n// Wrap brackets s.\nfunc Wrap(s string) string { return "[" + s + "]" }\n',
  'cmd/hello/main.go':
    'package main\n\nimport (\n\t"fmt"\n\t"os"\n\n\t"example.com/gz/lib/greet"\n)\n\nfunc main() { fmt.Fprintln(os.Stdout, greet.Greet(name())) }\n',
  'cmd/hello/name.go': 'package main\n\nfunc name() string { return "world" }\n',
  'cmd/hello/main_test.go':
    'package main\n\nimport "testing"\n\nfunc TestName(t *testing.T) {\n\tif name() != "world" {\n\t\tt.Fatal()\n\t}\n}\n',
};

function buildFiles(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory() && !e.name.startsWith('.') && !e.name.startsWith('pgobuild-'))
        visit(child);
      else if (e.name === 'BUILD.bazel')
        out[child] = fs.readFileSync(path.join(root, child), 'utf8');
    }
  };
  visit('');
  return out;
}

beforeAll(() => {
  // Idempotent: CI has already run it (.ci/run); a local `npx jest` builds Gazelle once.
  const r = spawnSync('bash', [path.join(REPO, 'scripts/fetch-tools.sh')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/fetch-tools.sh failed:\n${r.stdout}${r.stderr}`);
}, 300_000);

test('pgobuild builds and tests what Gazelle writes; the binary equals go build -trimpath', () => {
  const ws = makeWorkspace(FILES, 'pgobuild-gazelle-');
  const g = spawnSync(GAZELLE, ['-go_prefix', 'example.com/gz', '-repo_root', ws], {
    cwd: ws,
    encoding: 'utf8',
  });
  expect(g.stderr).toBe('');
  expect(g.status).toBe(0);
  const written = buildFiles(ws);
  expect(Object.keys(written).sort()).toEqual([
    'BUILD.bazel',
    'cmd/hello/BUILD.bazel',
    'lib/greet/BUILD.bazel',
    'lib/greet/internal/fmtx/BUILD.bazel',
  ]);
  expect(written['cmd/hello/BUILD.bazel']).toContain('embed = [":hello_lib"]');

  const build = pgobuild(ws, ['build', '//...']);
  expect({ code: build.code, stderr: build.stderr }).toEqual({ code: 0, stderr: '' });
  expect(finished(build).exitCode).toBe(0);
  const test = pgobuild(ws, ['test', '//...']);
  expect(finished(test).exitCode).toBe(0);
  expect(
    test.events
      .filter((e) => e.type === 'test-result')
      .map((e) => e.type === 'test-result' && e.target)
      .sort(),
  ).toEqual(['//cmd/hello:hello_test', '//lib/greet:greet_test']);

  const out = path.join(ws, 'hello.go-build');
  const gb = go(ws, ['build', '-trimpath', '-o', out, './cmd/hello']);
  expect(gb.stderr).toBe('');
  const ours = path.join(ws, 'pgobuild-out/bin/cmd/hello/hello');
  expect(textSection(ours).equals(textSection(out))).toBe(true);
  expect(go(ws, ['version', '-m', ours]).stdout.split('\n').slice(1)).toEqual(
    go(ws, ['version', '-m', out]).stdout.split('\n').slice(1),
  );

  // pgobuild generate on the same tree writes what Gazelle wrote, and changes nothing after it.
  const fresh = makeWorkspace(FILES, 'pgobuild-generate-');
  const gen = pgobuild(fresh, ['generate']);
  expect(finished(gen).exitCode).toBe(0);
  expect(buildFiles(fresh)).toEqual(written);
  const again = pgobuild(ws, ['generate']);
  expect(finished(again)).toMatchObject({ exitCode: 0, executed: 0, cached: 4 });
  const rebuilt = pgobuild(fresh, ['build', '//...']);
  expect(finished(rebuilt).exitCode).toBe(0);
  expect(
    textSection(path.join(fresh, 'pgobuild-out/bin/cmd/hello/hello')).equals(textSection(out)),
  ).toBe(true);
}, 600_000);
