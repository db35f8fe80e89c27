import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildEvent } from '../../src/events';
import { type CliRun, actions, finished, go, makeWorkspace, pgobuild } from './harness';

// How `pgobuild test` runs a go_test compared with `go test`: the `data` attribute, arguments for
// the test binary (after `--`, --test_arg, --test_filter) as part of the result's key,
// --test_output, and the binary's name (os.Args[0]) and build info.

type TestResult = Extract<BuildEvent, { type: 'test-result' }>;

const GO_MOD = 'module example.com/tr\n\ngo 1.22\n';

const BUILD = `go_library(
    name = "lib",
    srcs = ["lib.go"],
)

go_test(
    name = "lib_test",
    srcs = ["lib_test.go"],
    data = ["golden.txt", "//shared:fixtures"],
    embed = [":lib"],
)
`;

const LIB_TEST = `package lib

import (
	"os"
	"path/filepath"
	"testing"
)

func TestGolden(t *testing.T) {
	b, err := os.ReadFile("golden.txt")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("golden=%s", b)
	s, err := os.ReadFile("../shared/fixtures/a.txt")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("shared=%s", s)
}

func TestArgs0(t *testing.T) {
	t.Logf("args0=%s", filepath.Base(os.Args[0]))
}

func BenchmarkNothing(b *testing.B) {
	for i := 0; i < b.N; i++ {
	}
}
`;

function workspace(): string {
  return makeWorkspace({
    'go.mod': GO_MOD,
    'lib/BUILD': BUILD,
    'lib/lib.go': 'package lib\n',
    'lib/lib_test.go': LIB_TEST,
    'lib/golden.txt': 'v1',
    'shared/BUILD': '',
    'shared/fixtures/a.txt': 'A',
  });
}

function results(run: CliRun): TestResult[] {
  return run.events.filter((e): e is TestResult => e.type === 'test-result');
}

function output(run: CliRun): string {
  return results(run)
    .map((r) => r.output)
    .join('');
}

describe('pgobuild test runs test binaries as go test does', () => {
  const ws = workspace();

  test('data files are placed at their workspace paths and are part of the result key', () => {
    const first = pgobuild(ws, ['test', '//lib:lib_test', '--', '-test.v', '-test.run=Golden']);
    expect(finished(first).exitCode).toBe(0);
    expect(output(first)).toContain('golden=v1');
    expect(output(first)).toContain('shared=A');

    fs.writeFileSync(path.join(ws, 'shared/fixtures/a.txt'), 'B');
    const second = pgobuild(ws, ['test', '//lib:lib_test', '--', '-test.v', '-test.run=Golden']);
    expect(results(second).map((r) => r.status)).toEqual(['passed']);
    expect(output(second)).toContain('shared=B');
    expect(actions(second, 'executed')).toEqual(['//lib:lib_test']);
  });

  test('a data label that names no file is an error at the BUILD line', () => {
    const bad = makeWorkspace({
      'go.mod': GO_MOD,
      'lib/BUILD': BUILD.replace('"golden.txt"', '"missing.txt"'),
      'lib/lib.go': 'package lib\n',
      'lib/lib_test.go': LIB_TEST,
      'shared/BUILD': '',
      'shared/fixtures/a.txt': 'A',
    });
    const run = pgobuild(bad, ['test', '//lib:lib_test']);
    expect(run.code).toBe(2);
    const d = run.events.find((e) => e.type === 'diagnostic');
    expect(d).toMatchObject({
      file: 'lib/BUILD',
      line: 9,
      col: 13,
      message: "missing input file '//lib:missing.txt' (data of //lib:lib_test)",
    });
  });

  test('arguments after -- reach the test binary and key the cached result', () => {
    const a = pgobuild(ws, ['test', '//lib:lib_test', '--', '-test.v', '-test.run=Args0']);
    expect(finished(a).exitCode).toBe(0);
    expect(output(a)).toContain('=== RUN   TestArgs0');
    expect(output(a)).not.toContain('=== RUN   TestGolden');
    const again = pgobuild(ws, ['test', '//lib:lib_test', '--', '-test.v', '-test.run=Args0']);
    expect(results(again).map((r) => r.status)).toEqual(['cached']);

    const bench = pgobuild(ws, [
      'test',
      '//lib:lib_test',
      '--',
      '-test.run=^$',
      '-test.bench=.',
      '-test.benchtime=1x',
    ]);
    expect(results(bench).map((r) => r.status)).toEqual(['passed']);
    expect(output(bench)).toContain('BenchmarkNothing');
    expect(output(bench)).not.toContain('TestArgs0');
  });

  test('os.Args[0] is <pkg>.test, as under go test', () => {
    const run = pgobuild(ws, [
      'test',
      '//lib:lib_test',
      '--test_filter=Args0',
      '--test_arg=-test.v',
    ]);
    expect(finished(run).exitCode).toBe(0);
    const ours = /args0=(\S+)/.exec(output(run))?.[1];
    const oracle = go(ws, ['test', '-v', '-count=1', '-run=Args0', './lib']);
    expect(oracle.code).toBe(0);
    expect(ours).toBe(/args0=(\S+)/.exec(oracle.stdout)?.[1]);
    expect(ours).toBe('lib.test');
  });

  test('--test_filter and --test_arg become -test.run and arguments, keyed', () => {
    const run = pgobuild(ws, [
      'test',
      '//lib:lib_test',
      '--test_filter=Golden',
      '--test_arg=-test.v',
    ]);
    expect(finished(run).exitCode).toBe(0);
    expect(output(run)).toContain('=== RUN   TestGolden');
    expect(output(run)).not.toContain('=== RUN   TestArgs0');
    const other = pgobuild(ws, [
      'test',
      '//lib:lib_test',
      '--test_filter=Args0',
      '--test_arg=-test.v',
    ]);
    expect(output(other)).toContain('=== RUN   TestArgs0');
    expect(output(other)).not.toContain('=== RUN   TestGolden');
  });

  test('--test_output=all prints passing tests, errors (the default) and summary do not', () => {
    const args = ['test', '//lib:lib_test', '--test_arg=-test.v', '--test_filter=Args0'];
    const all = pgobuild(ws, [...args, '--test_output=all'], { json: false });
    expect(all.code).toBe(0);
    expect(all.stderr).toContain('args0=lib.test');
    const errors = pgobuild(ws, args, { json: false });
    expect(errors.code).toBe(0);
    expect(errors.stderr).not.toContain('args0=');
    const summary = pgobuild(ws, [...args, '--test_output=summary'], { json: false });
    expect(summary.stderr).not.toContain('args0=');
  });

  test('--test_output=summary hides a failing test its output; errors shows it', () => {
    const failing = makeWorkspace({
      'go.mod': GO_MOD,
      't/BUILD': 'go_test(\n    name = "t_test",\n    srcs = ["t_test.go"],\n)\n',
      't/t_test.go':
        'package t\n\nimport "testing"\n\nfunc TestBad(t *testing.T) { t.Fatal("BROKEN") }\n',
    });
    const errors = pgobuild(failing, ['test', '//t:t_test'], { json: false });
    expect(errors.code).toBe(1);
    expect(errors.stderr).toContain('BROKEN');
    const summary = pgobuild(failing, ['test', '//t:t_test', '--test_output=summary'], {
      json: false,
    });
    expect(summary.code).toBe(1);
    expect(summary.stderr).not.toContain('BROKEN');
    expect(summary.stderr).toContain('FAILED');
  });

  test.each([
    [['--test_output=verbose'], '--test_output must be one of errors, all, summary'],
    [['--test_filter='], '--test_filter needs a regular expression'],
    [['--test_arg='], '--test_arg needs a value'],
    [['--test_filter=A', '--test_filter=B'], '--test_filter is given more than once'],
  ])('bad test flags %j are usage errors (exit 2)', (flags, message) => {
    const run = pgobuild(ws, ['test', '//lib:lib_test', ...flags], { json: false });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});
