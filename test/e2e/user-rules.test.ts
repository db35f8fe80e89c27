import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
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
 * Rules written in TypeScript on the public rule API (`pgobuild/rules`), loaded from BUILD files
 * (src/analysis/ts-rule-files.ts, user-rule-nodes.ts): their actions feed Go code, are cached like
 * every action, are keyed on the rule file, and their mistakes are clear errors.
 */

const RULES = `import { DefaultInfo, attr, fail, rule } from 'pgobuild/rules';

/** A Go file declaring \`const Version\`. */
export const go_version = rule({
  attrs: {
    version: attr.string({ mandatory: true }),
    package: attr.string({ default: 'version' }),
  },
  implementation: (ctx) => {
    const out = ctx.actions.declareFile(\`\${ctx.attr.name}.go\`);
    ctx.actions.write(out, \`package \${ctx.attr.package}\\n\\n// Version is stamped.\\nconst Version = \${JSON.stringify(ctx.attr.version)}\\n\`);
    return [DefaultInfo({ files: [out] })];
  },
});

/** Runs a Go tool (a go_binary) on a text file. */
export const banner = rule({
  attrs: {
    src: attr.label({ mandatory: true, allowFiles: ['.txt'] }),
    tool: attr.label({ mandatory: true }),
    repeat: attr.int({ default: 1 }),
  },
  implementation: (ctx) => {
    const out = ctx.actions.declareFile(\`\${ctx.attr.name}.go\`);
    const src = ctx.file.src;
    const tool = ctx.file.tool;
    if (src === undefined || tool === undefined) throw new Error('src and tool are required');
    ctx.actions.run({
      executable: tool,
      arguments: [src.path, out.path, String(ctx.attr.repeat)],
      inputs: [src],
      outputs: [out],
      mnemonic: 'Banner',
    });
    return [DefaultInfo({ files: [out] })];
  },
});

/** Writes an executable script and runs it. */
export const script = rule({
  attrs: {},
  implementation: (ctx) => {
    const sh = ctx.actions.declareFile('hello.sh');
    ctx.actions.write(sh, '#!/bin/sh\\necho "hello from $1" > "$2"\\n', { isExecutable: true });
    const out = ctx.actions.declareFile('hello.txt');
    ctx.actions.run({ executable: sh, arguments: ['script', out.path], outputs: [out], mnemonic: 'Hello' });
    return [DefaultInfo({ files: [out, sh] })];
  },
});

/** Passes source files on, as a filegroup: no action. */
export const files = rule({
  attrs: { srcs: attr.labelList({ allowFiles: true }) },
  implementation: (ctx) => [DefaultInfo({ files: ctx.files.srcs })],
});

/** Declares an output its command never writes. */
export const lazy = rule({
  attrs: {},
  implementation: (ctx) => {
    const out = ctx.actions.declareFile('never.txt');
    ctx.actions.run({ executable: '/bin/true', outputs: [out] });
    return [DefaultInfo({ files: [out] })];
  },
});

/** Reads a file it does not declare as an input. */
export const peek = rule({
  attrs: {},
  implementation: (ctx) => {
    const out = ctx.actions.declareFile('peek.txt');
    ctx.actions.run({
      executable: '/bin/sh',
      arguments: ['-c', \`cat version/secret.txt > \${out.path}\`],
      outputs: [out],
    });
    return [DefaultInfo({ files: [out] })];
  },
});

/** Expands a template into a predeclared output, as genrule expands its command. */
export const template = rule({
  attrs: {
    src: attr.label({ mandatory: true, allowFiles: ['.txt'] }),
    text: attr.string({ mandatory: true }),
    out: attr.output({ mandatory: true }),
  },
  implementation: (ctx) => {
    const out = ctx.outputs.out;
    if (out === undefined || !out.basename.endsWith('.go')) fail('out must be a .go file', { attr: 'out' });
    ctx.actions.write(out, ctx.expandMakeVariables('text', ctx.attr.text, { PKG: 'tmpl' }));
    return [DefaultInfo({ files: [out] })];
  },
});
`;

const TOOL = `package main

import (
\t"fmt"
\t"os"
\t"strconv"
\t"strings"
)

func main() {
\tb, err := os.ReadFile(os.Args[1])
\tif err != nil {
\t\tfmt.Fprintln(os.Stderr, err)
\t\tos.Exit(1)
\t}
\tn, _ := strconv.Atoi(os.Args[3])
\ttext := strings.Repeat(strings.ToUpper(strings.TrimSpace(string(b))), n)
\tsrc := fmt.Sprintf("package version\\n\\n// Banner is generated.\\nconst Banner = %q\\n", text)
\tif err := os.WriteFile(os.Args[2], []byte(src), 0o644); err != nil {
\t\tfmt.Fprintln(os.Stderr, err)
\t\tos.Exit(1)
\t}
}
`;

const FILES: Readonly<Record<string, string>> = {
  'go.mod': 'module example.com/ur\n\ngo 1.22\n',
  'tools/rules/rules.ts': RULES,
  'tools/banner/BUILD': 'go_binary(\n    name = "banner",\n    srcs = ["main.go"],\n)\n',
  'tools/banner/main.go': TOOL,
  'version/banner.txt': 'hi\n',
  'version/secret.txt': 'not declared\n',
  'version/BUILD': `load("//tools/rules:rules.ts", "banner", "go_version", "lazy", "peek", "script")

go_version(
    name = "stamp",
    version = "1.2.3",
)

banner(
    name = "banner",
    src = "banner.txt",
    tool = "//tools/banner",
    repeat = 2,
)

go_library(
    name = "version",
    srcs = [
        ":banner",
        ":stamp",
    ],
)

lazy(name = "lazy")

peek(name = "peek")

script(name = "script")
`,
  'grouped/BUILD': `load("//tools/rules:rules.ts", "files")

files(
    name = "srcs",
    srcs = ["grouped.go"],
)

go_library(
    name = "grouped",
    srcs = [":srcs"],
)

genrule(
    name = "count",
    srcs = [":srcs"],
    outs = ["count.txt"],
    cmd = "grep -c func $< > $@",
)
`,
  'tmpl/BUILD': `load("//tools/rules:rules.ts", "files", "template")

files(
    name = "notes",
    srcs = ["notes.txt"],
)

template(
    name = "gen",
    src = ":notes",
    text = "package $(PKG)\\n\\n// Where is expanded.\\nconst Where = \\"$(location :notes) $(GOOS)/$(GOARCH) $(BINDIR)\\"\\n",
    out = "tmpl.go",
)

go_library(
    name = "tmpl",
    srcs = ["tmpl.go"],
)
`,
  'tmpl/notes.txt': 'notes\n',
  'cmd/where/BUILD':
    'go_binary(\n    name = "where",\n    srcs = ["main.go"],\n    deps = ["//tmpl"],\n)\n',
  'cmd/where/main.go':
    'package main\n\nimport "example.com/ur/tmpl"\n\nfunc main() { println(tmpl.Where) }\n',
  'tmplbad/BUILD': `load("//tools/rules:rules.ts", "template")

template(
    name = "bad_out",
    src = "notes.txt",
    text = "x",
    out = "bad.txt",
)

template(
    name = "bad_var",
    src = "notes.txt",
    text = "x $(NOPE) y",
    out = "v.go",
)

template(
    name = "outside",
    src = "notes.txt",
    text = "x",
    out = "../escape.go",
)
`,
  'tmplbad/notes.txt': 'notes\n',
  'grouped/grouped.go': 'package grouped\n\n// One is one.\nfunc One() int { return 1 }\n',
  'cmd/app/BUILD':
    'go_binary(\n    name = "app",\n    srcs = ["main.go"],\n    deps = ["//version"],\n)\n',
  'cmd/app/main.go':
    'package main\n\nimport "example.com/ur/version"\n\nfunc main() { println(version.Version, version.Banner) }\n',
};

const GOOS = process.platform;
const GOARCH = process.arch === 'x64' ? 'amd64' : process.arch;

/** The mnemonics of the actions a run executed, sorted. */
function executedMnemonics(run: CliRun): string[] {
  return run.events
    .flatMap((e) => (e.type === 'action-finished' && e.status === 'executed' ? [e.mnemonic] : []))
    .sort();
}

/** A --require hook that lists the modules a process loaded, to a file named by an env var. */
function moduleListHook(): string {
  const hook = path.join(tempDir('pgobuild-ur-hook-'), 'hook.js');
  fs.writeFileSync(
    hook,
    `const Module = require('module');
const fs = require('fs');
const load = Module._load;
const seen = new Set();
Module._load = function (request, parent, isMain) {
  seen.add(request);
  return load.apply(this, arguments);
};
process.on('exit', () => fs.writeFileSync(process.env.PGOBUILD_MODULE_LIST, [...seen].join('\\n')));
`,
  );
  return hook;
}

describe('rules written in TypeScript', () => {
  let ws: string;
  let cache: string;
  const app = (): string =>
    spawnSync(path.join(ws, 'pgobuild-out/bin/cmd/app/app'), { encoding: 'utf8' }).stderr.trim();

  beforeAll(() => {
    ws = makeWorkspace(FILES, 'pgobuild-ur-');
    cache = tempDir('pgobuild-ur-cache-');
  });

  it('feed a go_library: a written file and the output of a go_binary tool', () => {
    const run = pgobuild(ws, ['build', '//cmd/app'], { cache });
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    expect(app()).toBe('1.2.3 HIHI');
    expect(actions(run, 'executed', 'FileWrite')).toEqual(['//version:stamp version/stamp.go']);
    expect(actions(run, 'executed', 'Banner')).toEqual(['//version:banner']);
    // Targets nothing asked for run nothing (the failing ones below).
    expect(run.stderr).not.toContain('lazy');
  }, 600000);

  it('an unchanged rule file is not compiled again: neither ts-node nor TypeScript is loaded', () => {
    // Analysis runs (a source changed) but the rule file's compiled form comes from the cache.
    fs.appendFileSync(path.join(ws, 'cmd/app/main.go'), '\n// touched\n');
    const list = path.join(tempDir('pgobuild-ur-list-'), 'modules.txt');
    const run = pgobuild(ws, ['build', '//cmd/app'], {
      cache,
      env: {
        ...process.env,
        NODE_OPTIONS: `--require ${moduleListHook()}`,
        PGOBUILD_MODULE_LIST: list,
      },
    });
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    const loaded = fs.readFileSync(list, 'utf8').split('\n');
    expect(loaded).toContain('../rules');
    expect(loaded.filter((m) => /^(ts-node|typescript)$/.test(m))).toEqual([]);
  }, 600000);

  it('a change to the rule file re-runs exactly the actions it declares', () => {
    const file = path.join(ws, 'tools/rules/rules.ts');
    fs.writeFileSync(
      file,
      RULES.replace('/** Declares an output', '// Edited.\n/** Declares an output'),
    );
    const run = pgobuild(ws, ['build', '//cmd/app'], { cache });
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    // Both outputs are byte-identical, so the library's compile is a cache hit.
    expect(executedMnemonics(run)).toEqual(['Banner', 'FileWrite']);
    expect(app()).toBe('1.2.3 HIHI');
  }, 600000);

  it('a type error in the rule file is a diagnostic at its file:line:col, exit 2', () => {
    const file = path.join(ws, 'tools/rules/rules.ts');
    fs.writeFileSync(file, RULES.replace('repeat: attr.int(', 'repeat: attr.integer('));
    try {
      const run = pgobuild(ws, ['build', '//cmd/app'], { cache, json: false });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        "tools/rules/rules.ts:21:18: error: TS2339: Property 'integer' does not exist on type",
      );
      expect(run.stderr).toContain('    repeat: attr.integer({ default: 1 }),\n');
    } finally {
      fs.writeFileSync(file, RULES);
    }
  }, 600000);

  it('ctx.actions.write can make an executable file that another action runs', () => {
    const run = pgobuild(ws, ['build', '//version:script'], { cache });
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    const out = path.join(ws, 'pgobuild-out/bin/version');
    expect(fs.readFileSync(path.join(out, 'hello.txt'), 'utf8')).toBe('hello from script\n');
    expect(fs.statSync(path.join(out, 'hello.sh')).mode & 0o111).not.toBe(0);
    expect(fs.statSync(path.join(out, 'hello.txt')).mode & 0o111).toBe(0);
  }, 600000);

  it('a rule with no action passes source files on, as a filegroup', () => {
    const run = pgobuild(ws, ['build', '//grouped:all'], { cache });
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    expect(actions(run, 'executed', 'GoCompile')).toEqual(['//grouped']);
    expect(fs.readFileSync(path.join(ws, 'pgobuild-out/bin/grouped/count.txt'), 'utf8')).toBe(
      '1\n',
    );
  }, 600000);

  it('an output the command does not write is a clear error', () => {
    const run = pgobuild(ws, ['build', '//version:lazy'], { cache, json: false });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      '//version:lazy did not create its declared output pgobuild-out/bin/version/never.txt',
    );
  }, 600000);

  it('a file that is not a declared input is not in the sandbox', () => {
    const run = pgobuild(ws, ['build', '//version:peek'], { cache, json: false });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cat: version\/secret\.txt: No such file or directory/);
    expect(finished(pgobuild(ws, ['build', '//version:peek'], { cache })).exitCode).toBe(1);
  }, 600000);

  it('a predeclared output (attr.output) is named by a go_library; its text expands make variables and $(location)', () => {
    const run = pgobuild(ws, ['build', '//cmd/where'], { cache });
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    expect(actions(run, 'executed', 'FileWrite')).toEqual(['//tmpl:gen tmpl/tmpl.go']);
    const where = spawnSync(path.join(ws, 'pgobuild-out/bin/cmd/where/where'), {
      encoding: 'utf8',
    }).stderr.trim();
    expect(where).toBe(`tmpl/notes.txt ${GOOS}/${GOARCH} pgobuild-out/bin`);
  }, 600000);

  it('fail(message, { attr }) is an error at the attribute in the BUILD file, exit 2', () => {
    const run = pgobuild(ws, ['build', '//tmplbad:bad_out'], { cache });
    expect(run.code).toBe(2);
    // Only its own: the broken target beside it, which no label names, is not analysed.
    const errors = diagnostics(run).filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(1);
    const d = errors[0];
    expect(d).toMatchObject({
      message: '//tmplbad:bad_out: out must be a .go file',
      file: 'tmplbad/BUILD',
      line: 7,
    });
  }, 600000);

  it('a predeclared output outside the package is an error at its line, before the rule runs', () => {
    const run = pgobuild(ws, ['build', '//tmplbad:outside'], { cache });
    expect(run.code).toBe(2);
    const errors = diagnostics(run).filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      message:
        "//tmplbad:outside: out: '../escape.go' must be a path inside the package without '.', '..' or empty segments",
      file: 'tmplbad/BUILD',
      line: 21,
    });
  }, 600000);

  it('a bad substitution in ctx.expandMakeVariables is an error at its column, exit 2', () => {
    const run = pgobuild(ws, ['build', '//tmplbad:bad_var'], { cache });
    expect(run.code).toBe(2);
    const d = diagnostics(run).find((x) => x.severity === 'error');
    // tmplbad/BUILD line 13: `    text = "x $(NOPE) y",`; $(NOPE) starts at column 15.
    expect(d).toMatchObject({ file: 'tmplbad/BUILD', line: 13, col: 15 });
    expect(d?.message).toContain('//tmplbad:bad_var: text: unknown variable $(NOPE)');
  }, 600000);
});
