import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO, actions, makeWorkspace, pgobuild, tempDir, textSection } from './harness';

/**
 * The Go toolchain of the public rule API (`go(ctx)`, rules_go's go_context): a rule written in
 * TypeScript declares the same Go compile and link as go_library and go_binary (which are written
 * on it too), in the configuration its transition (`cfg`) gives it.
 */

const RULES = `import { DefaultInfo, attr, go, goBinaryTransition, rule } from 'pgobuild/rules';

/** A Go package, as go_library, whose rule also writes where it was compiled for. */
export const go_package = rule({
  toolchains: ['go'],
  provides: ['GoArchiveInfo'],
  attrs: {
    srcs: attr.labelList({ allowFiles: ['.go'] }),
    deps: attr.labelList(),
    importpath: attr.string(),
  },
  implementation: async (ctx) => {
    const archive = await go(ctx).compile();
    return [DefaultInfo({ files: [archive.archive] }), archive];
  },
});

/** A Go program with go_binary's transition, recording its configuration beside it. */
export const go_program = rule({
  toolchains: ['go'],
  executable: true,
  cfg: goBinaryTransition,
  attrs: {
    srcs: attr.labelList({ allowFiles: ['.go'] }),
    deps: attr.labelList(),
  },
  implementation: async (ctx) => {
    const toolchain = go(ctx);
    const archive = await toolchain.compile();
    const exe = await toolchain.link({ archive });
    const config = ctx.actions.declareFile(\`\${ctx.attr.name}.config.json\`);
    ctx.actions.write(config, JSON.stringify({ importPath: archive.importPath, ...toolchain.configuration }));
    return [DefaultInfo({ files: [exe, config] })];
  },
});

/** A Go package whose rule also checks its sources and lists its deps (ctx.files, ctx.attr). */
export const go_checked = rule({
  toolchains: ['go'],
  provides: ['GoArchiveInfo'],
  attrs: {
    srcs: attr.labelList({ allowFiles: ['.go'] }),
    deps: attr.labelList(),
    data: attr.labelList({ allowFiles: true }),
  },
  implementation: async (ctx) => {
    const archive = await go(ctx).compile();
    const report = ctx.actions.declareFile(\`\${ctx.attr.name}.report\`);
    ctx.actions.run({
      executable: '/bin/sh',
      arguments: ['-c', \`grep -c '^func' "$@" > \${report.path}\`, 'sh', ...ctx.files.srcs.map((f) => f.path)],
      inputs: ctx.files.srcs,
      outputs: [report],
      mnemonic: 'GoCheck',
    });
    const deps = ctx.actions.declareFile(\`\${ctx.attr.name}.deps\`);
    ctx.actions.write(deps, ctx.attr.deps.map((d) => \`\${d.label} \${d.files.length}\`).join('\\n'));
    return [DefaultInfo({ files: [archive.archive, report, deps] }), archive];
  },
});

/** Says its targets are Go packages, but returns no GoArchiveInfo. */
export const liar = rule({
  provides: ['GoArchiveInfo'],
  attrs: {},
  implementation: () => [],
});

/** Uses go(ctx) without declaring the Go toolchain. */
export const no_toolchain = rule({
  attrs: {},
  implementation: async (ctx) => [await go(ctx).compile()],
});
`;

const FILES: Readonly<Record<string, string>> = {
  'go.mod': 'module example.com/gr\n\ngo 1.22\n',
  'tools/rules/go.ts': RULES,
  'msg/BUILD': `load("//tools/rules:go.ts", "go_package")

go_package(
    name = "msg",
    srcs = ["msg.go"],
)
`,
  'chk/BUILD': `load("//tools/rules:go.ts", "go_checked")

go_checked(
    name = "chk",
    srcs = [
        "chk.go",
        "more.go",
    ],
    deps = ["//msg"],
    data = [":notes"],
)

genrule(
    name = "notes",
    outs = ["notes.txt"],
    cmd = "echo notes > $@",
)
`,
  'chk/chk.go':
    'package chk\n\nimport "example.com/gr/msg"\n\n// A says.\nfunc A() string { return msg.Text() }\n',
  'chk/more.go': 'package chk\n\n// B is two.\nfunc B() int { return 2 }\n\nfunc c() {}\n',
  'msg/msg.go':
    'package msg\n\n// Text is the message.\nfunc Text() string { return "from a rule" }\n',
  'app/BUILD': `load("//tools/rules:go.ts", "go_program")

go_binary(
    name = "app",
    srcs = ["main.go"],
    deps = ["//msg"],
)

go_program(
    name = "prog",
    srcs = ["main.go"],
    deps = ["//msg"],
)

go_test(
    name = "prog_test",
    srcs = ["main_test.go"],
    embed = [":prog"],
)
`,
  // The user rule's program as a genrule tool, and as the main package a test embeds.
  'use/BUILD': `genrule(
    name = "said",
    outs = ["said.txt"],
    cmd = "$(execpath //app:prog) 2> $@",
    tools = ["//app:prog"],
)
`,
  'app/main_test.go':
    'package main\n\nimport "testing"\n\nfunc TestText(t *testing.T) { main() }\n',
  'bad/BUILD': `load("//tools/rules:go.ts", "liar", "no_toolchain")

liar(name = "liar")

no_toolchain(name = "nt")
`,
  'app/main.go':
    'package main\n\nimport "example.com/gr/msg"\n\nfunc main() { println(msg.Text()) }\n',
};

describe('go(ctx): the Go toolchain of the rule API', () => {
  let ws: string;
  let cache: string;
  const run = (bin: string): string =>
    spawnSync(path.join(ws, 'pgobuild-out/bin/app', bin), { encoding: 'utf8' }).stderr.trim();

  beforeAll(() => {
    ws = makeWorkspace(FILES, 'pgobuild-gr-');
    cache = tempDir('pgobuild-gr-cache-');
    // A profile beside the programs: go_binary's transition compiles their graphs with it.
    fs.copyFileSync(
      path.join(REPO, 'examples/cmd/mdrender/default.pgo'),
      path.join(ws, 'app/default.pgo'),
    );
  });

  it("a go_binary links the package a user rule's go(ctx).compile() declares", () => {
    const r = pgobuild(ws, ['build', '//app:app'], { cache });
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    expect(run('app')).toBe('from a rule');
    expect(actions(r, 'executed', 'GoCompile').filter((d) => d.startsWith('//msg'))).toEqual([
      expect.stringMatching(/^\/\/msg .*pgo/),
    ]);
  }, 600000);

  it('a user rule with the go_binary transition links the same binary as go_binary', () => {
    const r = pgobuild(ws, ['build', '//app:prog'], { cache });
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    expect(run('prog')).toBe('from a rule');
    // The same profile for the whole graph: every compile was go_binary's (cached), only the
    // link (another output path) and the configuration file are new.
    expect(actions(r, 'executed', 'GoCompile')).toEqual([]);
    expect(textSection(path.join(ws, 'pgobuild-out/bin/app/prog'))).toEqual(
      textSection(path.join(ws, 'pgobuild-out/bin/app/app')),
    );
    const config = JSON.parse(
      fs.readFileSync(path.join(ws, 'pgobuild-out/bin/app/prog.config.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(config).toMatchObject({ importPath: 'example.com/gr/app', pgo: 'app/default.pgo' });
  }, 600000);

  it("the user rule's compile has go_library's key: a go_library with the same attributes is a cache hit", () => {
    // Built alone, the user rule's target compiles its package in the command's configuration.
    const alone = pgobuild(ws, ['build', '//msg'], { cache });
    expect({ code: alone.code, stderr: alone.stderr }).toMatchObject({ code: 0 });
    expect(actions(alone, 'executed', 'GoCompile')).toEqual(['//msg']);
    const other = makeWorkspace(
      {
        ...FILES,
        'msg/BUILD': 'go_library(\n    name = "msg",\n    srcs = ["msg.go"],\n)\n',
      },
      'pgobuild-gr-lib-',
    );
    const r = pgobuild(other, ['build', '//msg'], { cache });
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    expect(actions(r, 'executed', 'GoCompile')).toEqual([]);
    expect(actions(r, 'cached', 'GoCompile')).toEqual(['//msg']);
  }, 600000);

  it("a user rule's program is a genrule tool built for the host, PGO off, by its implementation", () => {
    const r = pgobuild(ws, ['build', '//use:said'], { cache });
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    expect(fs.readFileSync(path.join(ws, 'pgobuild-out/bin/use/said.txt'), 'utf8').trim()).toBe(
      'from a rule',
    );
    // The host configuration has no profile: //msg and //app compile without one, and the
    // tool's outputs (its link and the configuration file its rule writes) stay in the cache.
    const compiles = [...actions(r, 'executed', 'GoCompile'), ...actions(r, 'cached', 'GoCompile')];
    expect(compiles.filter((d) => /^\/\/(msg|app)\b/.test(d))).toEqual(['//app:prog', '//msg']);
    expect(actions(r, 'executed', 'FileWrite')).toEqual(['//app:prog app/prog.config.json']);
    expect(fs.existsSync(path.join(ws, 'pgobuild-out/host'))).toBe(false);
  }, 600000);

  it("a test of a user rule's program takes the program's profile, as go test does for a main package", () => {
    const r = pgobuild(ws, ['build', '//app:prog_test'], { cache });
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    const compiles = [...actions(r, 'executed', 'GoCompile'), ...actions(r, 'cached', 'GoCompile')];
    const ours = compiles.filter((d) => /^\/\/(msg|app)\b/.test(d));
    expect(ours.length).toBeGreaterThan(0);
    for (const d of ours) expect(d).toMatch(/pgo/);
  }, 600000);

  it('pgo doctor examines a target of a user rule with the go_binary transition', () => {
    const r = pgobuild(ws, ['pgo', 'doctor', '//app:prog', '--inline_diff=workspace'], { cache });
    const line = r.stdout.split('\n').find((l) => l.includes('"command":"pgo doctor"'));
    expect({ code: r.code, stderr: r.stderr, report: line !== undefined }).toMatchObject({
      code: 0,
      report: true,
    });
    const report = JSON.parse(line as string) as { rungs: { rung: string; evidence: string }[] };
    expect(report.rungs.find((x) => x.rung === 'profile')?.evidence).toContain('app/default.pgo');
  }, 600000);

  it("a Go-toolchain rule's implementation reads its Go package attributes: srcs as files, deps by label", () => {
    const r = pgobuild(ws, ['build', '//chk'], { cache });
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    expect(actions(r, 'executed', 'GoCompile').filter((d) => d.startsWith('//chk'))).toEqual([
      '//chk',
    ]);
    expect(actions(r, 'executed', 'GoCheck')).toEqual(['//chk']);
    const out = path.join(ws, 'pgobuild-out/bin/chk');
    expect(fs.readFileSync(path.join(out, 'chk.report'), 'utf8')).toBe(
      'chk/chk.go:1\nchk/more.go:2\n',
    );
    // A Go package gives its label only: go(ctx) compiles what the imports choose.
    expect(fs.readFileSync(path.join(out, 'chk.deps'), 'utf8')).toBe('//msg:msg 0');
    // A file no action of the rule reads is not made: the genrule in data did not run.
    expect(actions(r, 'executed', 'Genrule')).toEqual([]);
    expect(fs.existsSync(path.join(out, 'notes.txt'))).toBe(false);
  }, 600000);

  it('a rule that breaks the contract of provides or of go(ctx) is an error at its target', () => {
    const liar = pgobuild(ws, ['build', '//bad:liar'], { cache, json: false });
    expect(liar.code).toBe(2);
    expect(liar.stderr).toContain(
      "//bad:liar: liar declares provides: ['GoArchiveInfo'] but its implementation returned none",
    );
    const nt = pgobuild(ws, ['build', '//bad:nt'], { cache, json: false });
    expect(nt.code).toBe(2);
    expect(nt.stderr).toContain("go(ctx): the rule does not declare toolchains: ['go']");
  }, 600000);
});
