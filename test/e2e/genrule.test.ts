import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildEvent } from '../../src/events';
import {
  type CliRun,
  actions,
  diagnostics,
  finished,
  makeWorkspace,
  pgobuild,
  tempDir,
} from './harness';

/**
 * genrule (rules/genrule.ts, on the public rule API): Bazel's substitutions, a go_binary tool built for the
 * host, a generated Go file compiled into a library, failures, and outputs that are cached and
 * shared like every action's.
 */

const GENERATOR = `package main

import (
\t"fmt"
\t"os"
\t"strings"
)

// Writes a Go file declaring Version, read from the file named by the first argument.
func main() {
\tb, err := os.ReadFile(os.Args[1])
\tif err != nil {
\t\tfmt.Fprintln(os.Stderr, err)
\t\tos.Exit(1)
\t}
\tsrc := fmt.Sprintf("package version\\n\\nimport \\"strings\\"\\n\\n// Version is generated.\\nvar Version = strings.ToUpper(%q)\\n", strings.TrimSpace(string(b)))
\tif err := os.WriteFile(os.Args[2], []byte(src), 0o644); err != nil {
\t\tfmt.Fprintln(os.Stderr, err)
\t\tos.Exit(1)
\t}
}
`;

const FILES: Readonly<Record<string, string>> = {
  'go.mod': 'module example.com/gen\n\ngo 1.22\n',
  'data/BUILD': `genrule(
    name = "upper",
    srcs = ["words.txt"],
    outs = ["upper.txt"],
    cmd = "tr a-z A-Z < $< > $@",
)
`,
  'data/words.txt': 'alpha beta\n',
  'sub/BUILD': `genrule(
    name = "subst",
    srcs = [
        "a.txt",
        "//data:upper",
    ],
    outs = [
        "out.txt",
        "extra.txt",
    ],
    cmd = "echo \\"srcs=$(SRCS) a=$(location a.txt) up=$(execpath //data:upper) outs=$(OUTS) dir=$(RULEDIR) path=$\${PATH}\\" > $(RULEDIR)/out.txt && cat $(locations //data:upper) $(location :a.txt) > $(RULEDIR)/extra.txt",
)
`,
  'sub/a.txt': 'from a\n',
  'tools/gen/BUILD': 'go_binary(\n    name = "gen",\n    srcs = ["main.go"],\n)\n',
  'tools/gen/main.go': GENERATOR,
  'version/BUILD': `genrule(
    name = "version_go",
    srcs = ["VERSION"],
    outs = ["version_gen.go"],
    tools = ["//tools/gen"],
    cmd = "$(location //tools/gen) $< $@",
    message = "Generating version_gen.go",
)

go_library(
    name = "version",
    srcs = [
        "doc.go",
        "version_gen.go",
    ],
)
`,
  'version/VERSION': 'v1.2.3\n',
  'version/doc.go': '// Package version is generated from VERSION.\npackage version\n',
  'cmd/show/BUILD': `genrule(
    name = "main_go",
    outs = ["main.go"],
    cmd = "printf 'package main\\\\n\\\\nimport (\\\\n\\\\t\\"fmt\\"\\\\n\\\\n\\\\t\\"example.com/gen/version\\"\\\\n)\\\\n\\\\nfunc main() { fmt.Println(\\"version\\", version.Version) }\\\\n' > $@",
)

go_binary(
    name = "show",
    srcs = [":main_go"],
    deps = ["//version"],
)
`,
  'bad/BUILD': `genrule(
    name = "fails",
    outs = ["x.txt"],
    cmd = "echo partial > $@; echo oops-on-stderr >&2; exit 3",
)

genrule(
    name = "lazy",
    outs = [
        "made.txt",
        "forgot.txt",
    ],
    cmd = "touch $(RULEDIR)/made.txt",
)

genrule(
    name = "unknown_var",
    outs = ["u.txt"],
    cmd = "echo $(FOO) > $@",
)

genrule(
    name = "undeclared",
    outs = ["v.txt"],
    cmd = "cat $(location //data:words.txt) > $@",
)
`,
};

// A genrule making a Go source whose command fails: analysis runs it, the build fails with 1.
const BAD_GO: Readonly<Record<string, string>> = {
  'badgo/BUILD': `genrule(
    name = "broken",
    outs = ["b.go"],
    cmd = "echo generator-broke >&2; exit 4",
)

go_library(
    name = "lib",
    srcs = ["b.go"],
)
`,
};

// A genrule whose tool is compiled from the genrule's own output.
const CYCLE: Readonly<Record<string, string>> = {
  'cycle/BUILD': `genrule(
    name = "gen",
    outs = ["main.go"],
    cmd = "$(location :tool) > $@",
    tools = [":tool"],
)

go_binary(
    name = "tool",
    srcs = ["main.go"],
)
`,
};

const GOOD = ['//data/...', '//sub/...', '//version/...', '//cmd/...'];

function failedEvents(run: CliRun): Extract<BuildEvent, { type: 'action-failed' }>[] {
  return run.events.filter(
    (e): e is Extract<BuildEvent, { type: 'action-failed' }> => e.type === 'action-failed',
  );
}

/** Sets every file's and directory's modification time an hour back: out of the racy window. */
function backdate(dir: string): void {
  const past = new Date(Date.now() - 3600_000);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    fs.utimesSync(path.join(entry.parentPath, entry.name), past, past);
  }
}

describe('genrule', () => {
  // A cache of its own: the second workspace's hits must come from this file's first build.
  const cache = tempDir('pgobuild-genrule-cache-');
  const ws = makeWorkspace({ ...FILES, ...BAD_GO, ...CYCLE }, 'pgobuild-genrule-');
  let first: CliRun;

  beforeAll(() => {
    first = pgobuild(ws, ['build', ...GOOD], { cache });
  });

  const read = (dir: string, rel: string): string => fs.readFileSync(path.join(dir, rel), 'utf8');

  test('substitutions expand to exec-root paths, and outputs land under pgobuild-out/bin', () => {
    expect(finished(first).exitCode).toBe(0);
    expect(read(ws, 'pgobuild-out/bin/sub/out.txt')).toBe(
      'srcs=sub/a.txt pgobuild-out/bin/data/upper.txt a=sub/a.txt up=pgobuild-out/bin/data/upper.txt ' +
        'outs=pgobuild-out/bin/sub/out.txt pgobuild-out/bin/sub/extra.txt dir=pgobuild-out/bin/sub ' +
        'path=/bin:/usr/bin:/usr/local/bin\n',
    );
    expect(read(ws, 'pgobuild-out/bin/sub/extra.txt')).toBe('ALPHA BETA\nfrom a\n');
    expect(read(ws, 'pgobuild-out/bin/data/upper.txt')).toBe('ALPHA BETA\n');
    expect(actions(first, 'executed', 'Genrule')).toEqual([
      '//cmd/show:main_go',
      '//data:upper',
      '//sub:subst',
      'Generating version_gen.go',
    ]);
  });

  test('a go_binary tool is built and run; generated Go sources compile into a library and a binary', () => {
    expect(finished(first).exitCode).toBe(0);
    // The generator was linked (for the host, PGO off) before its genrule ran.
    expect(actions(first, 'executed', 'GoLink')).toContain('//tools/gen');
    expect(fs.existsSync(path.join(ws, 'pgobuild-out/bin/tools/gen/gen'))).toBe(false);
    expect(read(ws, 'pgobuild-out/bin/version/version_gen.go')).toContain(
      'var Version = strings.ToUpper("v1.2.3")',
    );
    const shown = spawnSync(path.join(ws, 'pgobuild-out/bin/cmd/show/show'), { encoding: 'utf8' });
    expect(shown.stdout).toBe('version V1.2.3\n');
  });

  test('a second build runs nothing: every genrule is a cache hit', () => {
    const again = pgobuild(ws, ['build', ...GOOD], { cache });
    expect(finished(again).exitCode).toBe(0);
    expect(finished(again).executed).toBe(0);
    expect(finished(again).spawns).toBe(0);
    expect(actions(again, 'cached', 'Genrule')).toHaveLength(4);
  });

  test('a copy of the workspace at another path gets every genrule from the same disk cache', () => {
    const copy = tempDir('pgobuild-genrule-copy-');
    fs.cpSync(ws, copy, { recursive: true, filter: (src) => !src.includes('pgobuild-out') });
    const run = pgobuild(copy, ['build', ...GOOD], { cache });
    expect(finished(run).exitCode).toBe(0);
    expect(finished(run).executed).toBe(0);
    expect(actions(run, 'cached', 'Genrule')).toHaveLength(4);
    expect(read(copy, 'pgobuild-out/bin/sub/extra.txt')).toBe('ALPHA BETA\nfrom a\n');
    const shown = spawnSync(path.join(copy, 'pgobuild-out/bin/cmd/show/show'), {
      encoding: 'utf8',
    });
    expect(shown.stdout).toBe('version V1.2.3\n');
  });

  test('a changed src re-runs its genrule and the genrules that read its outputs, even after an up-to-date replay', () => {
    backdate(ws);
    expect(finished(pgobuild(ws, ['build', ...GOOD], { cache })).executed).toBe(0);
    const replay = pgobuild(ws, ['build', ...GOOD], { cache });
    expect(finished(replay).replayed).toBe(true);

    fs.writeFileSync(path.join(ws, 'data/words.txt'), 'gamma\n');
    fs.writeFileSync(path.join(ws, 'version/VERSION'), 'v2.0.0\n');
    const run = pgobuild(ws, ['build', ...GOOD], { cache });
    expect(finished(run).exitCode).toBe(0);
    expect(finished(run).replayed).toBeUndefined();
    expect(actions(run, 'executed', 'Genrule')).toEqual([
      '//data:upper',
      '//sub:subst',
      'Generating version_gen.go',
    ]);
    expect(read(ws, 'pgobuild-out/bin/sub/extra.txt')).toBe('GAMMA\nfrom a\n');
    const shown = spawnSync(path.join(ws, 'pgobuild-out/bin/cmd/show/show'), { encoding: 'utf8' });
    expect(shown.stdout).toBe('version V2.0.0\n');
  });

  test('a failing command: action-failed with its exit code and stderr, exit code 1', () => {
    const run = pgobuild(ws, ['build', '//bad:fails'], { cache });
    expect(run.code).toBe(1);
    const [failed] = failedEvents(run);
    expect(failed?.mnemonic).toBe('Genrule');
    expect(failed?.message).toBe('command of //bad:fails exited with status 3');
    expect(failed?.output).toContain('oops-on-stderr');
    const human = pgobuild(ws, ['build', '//bad:fails'], { cache, json: false });
    expect(human.code).toBe(1);
    expect(human.stderr + human.stdout).toContain('oops-on-stderr');
  });

  test('a failing genrule that makes a Go source fails the build with exit code 1, not as a usage error', () => {
    const run = pgobuild(ws, ['build', '//badgo:lib'], { cache });
    expect(run.code).toBe(1);
    const [failed] = failedEvents(run);
    expect(failed?.message).toBe('command of //badgo:broken exited with status 4');
    expect(failed?.output).toContain('generator-broke');
    expect(diagnostics(run).map((d) => d.message)).toEqual([
      '//badgo:broken failed, so the Go sources it makes cannot be analysed: command of //badgo:broken exited with status 4',
    ]);
  });

  test('a genrule whose tool is compiled from its own output is a cycle error, not a hang', () => {
    const run = pgobuild(ws, ['build', '//cycle:gen'], { cache });
    expect(run.code).toBe(2);
    const d = diagnostics(run).find((x) => x.severity === 'error');
    expect(d?.message).toBe('rule cycle: //cycle:gen -> //cycle:tool -> //cycle:gen');
    expect([d?.file, d?.line]).toEqual(['cycle/BUILD', 1]);
  });

  test('a command that does not write a declared output fails naming that output', () => {
    const run = pgobuild(ws, ['build', '//bad:lazy'], { cache });
    expect(run.code).toBe(1);
    const [failed] = failedEvents(run);
    expect(failed?.message).toBe(
      "//bad:lazy did not create its declared output pgobuild-out/bin/bad/forgot.txt (out 'forgot.txt')",
    );
  });

  test('an unknown $(...) is an analysis error at the cmd attribute, exit code 2', () => {
    const run = pgobuild(ws, ['build', '//bad:unknown_var'], { cache });
    expect(run.code).toBe(2);
    const d = diagnostics(run).find((x) => x.severity === 'error');
    expect(d?.message).toContain('unknown variable $(FOO)');
    // bad/BUILD line 19: `    cmd = "echo $(FOO) > $@",`; $(FOO) starts at column 17.
    expect([d?.file, d?.line, d?.col]).toEqual(['bad/BUILD', 19, 17]);
    expect(d?.formatted).toContain('^~~~~~');
  });

  test('$(location) of a label that is neither a src nor a tool is an analysis error', () => {
    const run = pgobuild(ws, ['build', '//bad:undeclared'], { cache });
    expect(run.code).toBe(2);
    const d = diagnostics(run).find((x) => x.severity === 'error');
    expect(d?.message).toContain(
      "//bad:undeclared: cmd: label '//data:words.txt' in $(location) is named by no label attribute of this target (srcs, tools): add it to one",
    );
    expect([d?.file, d?.line, d?.col]).toEqual(['bad/BUILD', 25, 16]);
  });
});
