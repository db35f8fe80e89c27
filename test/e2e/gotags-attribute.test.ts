import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { finished, go, makeWorkspace, pgobuild, tempDir, textSection } from './harness';

/** The build settings lines of `go version -m`. */
function settings(ws: string, binary: string): string[] {
  return go(ws, ['version', '-m', binary])
    .stdout.split('\n')
    .filter((l) => l.trim().startsWith('build\t'))
    .map((l) => l.trim());
}

/** What a binary prints on stderr (println). */
function printed(binary: string): string {
  return spawnSync(binary, [], { encoding: 'utf8' }).stderr;
}

// A library whose files depend on the tag `fancy`, two binaries of one main package (one with a
// `gotags` transition) and two tests of the library (one with one).
const WORKSPACE = {
  'go.mod': 'module example.com/tags\n\ngo 1.22\n',
  'lib/BUILD':
    'go_library(\n    name = "lib",\n    srcs = ["plain.go", "fancy.go"],\n)\n\n' +
    'go_test(\n    name = "plain_test",\n    srcs = ["plain_test.go"],\n    embed = [":lib"],\n)\n\n' +
    'go_test(\n    name = "fancy_test",\n    srcs = ["fancy_test.go"],\n    embed = [":lib"],\n    gotags = ["fancy"],\n)\n',
  'lib/plain.go':
    '//go:build !fancy\n\npackage lib\n\n// Greeting says hello.\nfunc Greeting() string { return "hello" }\n',
  'lib/fancy.go':
    '//go:build fancy\n\npackage lib\n\n// Greeting says hello, fancily.\nfunc Greeting() string {\n\ts := ""\n\tfor i := 0; i < 3; i++ {\n\t\ts += "~"\n\t}\n\treturn s + "hello" + s\n}\n',
  'lib/plain_test.go':
    '//go:build !fancy\n\npackage lib\n\nimport "testing"\n\nfunc TestPlain(t *testing.T) {\n\tif got := Greeting(); got != "hello" {\n\t\tt.Fatalf("Greeting() = %q", got)\n\t}\n}\n',
  'lib/fancy_test.go':
    '//go:build fancy\n\npackage lib\n\nimport "testing"\n\nfunc TestFancy(t *testing.T) {\n\tif got := Greeting(); got != "~~~hello~~~" {\n\t\tt.Fatalf("Greeting() = %q", got)\n\t}\n}\n',
  'cmd/x/BUILD':
    'go_binary(\n    name = "x",\n    srcs = ["main.go"],\n    deps = ["//lib"],\n)\n\n' +
    'go_binary(\n    name = "fancy",\n    srcs = ["main.go"],\n    gotags = ["fancy"],\n    deps = ["//lib"],\n)\n',
  'cmd/x/main.go':
    'package main\n\nimport (\n\t"net"\n\n\t"example.com/tags/lib"\n)\n\nfunc main() {\n\tif _, err := net.LookupPort("tcp", "http"); err != nil {\n\t\tpanic(err)\n\t}\n\tprintln(lib.Greeting())\n}\n',
  'cmd/bad/BUILD':
    'go_binary(\n    name = "bad",\n    srcs = ["main.go"],\n    gotags = ["ok", "not-a-tag"],\n)\n',
  'cmd/bad/main.go': 'package main\n\nfunc main() {}\n',
};

describe('the gotags attribute (a transition of a binary or test graph)', () => {
  const ws = makeWorkspace(WORKSPACE, 'pgobuild-gotags-');
  const goOut = tempDir('pgobuild-gotags-go-');
  const bin = (name: string): string => path.join(ws, 'pgobuild-out/bin/cmd/x', name);

  it('one build, two configurations of //lib: each binary equals go build with its -tags', () => {
    const run = pgobuild(ws, ['build', '//cmd/x:x', '//cmd/x:fancy']);
    expect({ code: finished(run).exitCode, stderr: run.stderr }).toMatchObject({ code: 0 });
    const plain = path.join(goOut, 'plain');
    const fancy = path.join(goOut, 'fancy');
    expect(go(ws, ['build', '-trimpath', '-o', plain, './cmd/x']).stderr).toBe('');
    expect(go(ws, ['build', '-trimpath', '-tags=fancy', '-o', fancy, './cmd/x']).stderr).toBe('');
    expect(textSection(bin('x')).equals(textSection(plain))).toBe(true);
    expect(textSection(bin('fancy')).equals(textSection(fancy))).toBe(true);
    expect(settings(ws, bin('x'))).toEqual(settings(ws, plain));
    expect(settings(ws, bin('fancy'))).toEqual(settings(ws, fancy));
    expect(settings(ws, bin('fancy'))).toContain('build\t-tags=fancy');
    expect(printed(bin('x'))).toBe('hello\n');
    expect(printed(bin('fancy'))).toBe('~~~hello~~~\n');
  }, 600000);

  it('adds to --gotags (std files too): go build -tags=<flag tags>,<attribute tags>', () => {
    const run = pgobuild(ws, ['build', '//cmd/x:x', '//cmd/x:fancy', '--gotags=netgo']);
    expect({ code: finished(run).exitCode, stderr: run.stderr }).toMatchObject({ code: 0 });
    const netgo = path.join(goOut, 'netgo');
    const both = path.join(goOut, 'netgo-fancy');
    expect(go(ws, ['build', '-trimpath', '-tags=netgo', '-o', netgo, './cmd/x']).stderr).toBe('');
    expect(go(ws, ['build', '-trimpath', '-tags=netgo,fancy', '-o', both, './cmd/x']).stderr).toBe(
      '',
    );
    expect(textSection(bin('x')).equals(textSection(netgo))).toBe(true);
    expect(textSection(bin('fancy')).equals(textSection(both))).toBe(true);
    expect(settings(ws, bin('fancy'))).toEqual(settings(ws, both));
    expect(settings(ws, bin('fancy'))).toContain('build\t-tags=netgo,fancy');
    // A tag the flag already gives is no transition: the binary is the flag's build.
    const same = pgobuild(ws, ['build', '//cmd/x:fancy', '--gotags=fancy']);
    expect(finished(same).exitCode).toBe(0);
    expect(settings(ws, bin('fancy'))).toContain('build\t-tags=fancy');
    expect(printed(bin('fancy'))).toBe('~~~hello~~~\n');
  }, 600000);

  it('a go_test with gotags compiles its files and the package under test with them, as go test -tags', () => {
    // fancy_test.go compiles only with the tag, and passes only if lib does too.
    const run = pgobuild(ws, ['test', '//lib:plain_test', '//lib:fancy_test', '--', '-test.v']);
    expect({ code: finished(run).exitCode, stderr: run.stderr }).toMatchObject({ code: 0 });
    const results = run.events.flatMap((e) => (e.type === 'test-result' ? [e] : []));
    const resultOf = (target: string) => results.find((r) => r.target === target);
    expect(resultOf('//lib:plain_test')?.output).toContain('--- PASS: TestPlain');
    expect(resultOf('//lib:fancy_test')?.output).toContain('--- PASS: TestFancy');
    const theirs = go(ws, ['test', '-tags=fancy', '-v', './lib']);
    expect(theirs.stdout).toContain('--- PASS: TestFancy');
  }, 600000);

  it('a gotags entry that is not a build tag is an error at its BUILD line (exit 2)', () => {
    const run = pgobuild(ws, ['build', '//cmd/bad']);
    expect(run.code).toBe(2);
    const diagnostics = run.events.flatMap((e) => (e.type === 'diagnostic' ? [e] : []));
    expect(diagnostics).toContainEqual(
      expect.objectContaining({
        file: 'cmd/bad/BUILD',
        line: 4,
        message: expect.stringContaining('"not-a-tag" is not a build tag'),
      }),
    );
  });
});
