import { type MakeVariableContext, expandMakeVariables } from '../../src/analysis/make-variables';

// What genrule (rules/genrule.ts) passes for a target with one src and one out.
const GENRULE_VARIABLES: Readonly<Record<string, string>> = {
  SRCS: 'pkg/in.txt',
  OUTS: 'pgobuild-out/bin/pkg/out.txt',
  RULEDIR: 'pgobuild-out/bin/pkg',
  '@D': 'pgobuild-out/bin/pkg',
  '@': 'pgobuild-out/bin/pkg/out.txt',
  '<': 'pkg/in.txt',
};

const ctx: MakeVariableContext = {
  locate: (label) =>
    ({
      ':in.txt': ['pkg/in.txt'],
      '//tools:gen': ['pgobuild-out/host/bin/tools/gen'],
      ':pair': ['pgobuild-out/bin/pkg/a', 'pgobuild-out/bin/pkg/b'],
    })[label],
  labelAttrs: ['srcs', 'tools'],
  variables: { ...GENRULE_VARIABLES, GOOS: 'linux', GOARCH: 'arm64', BINDIR: 'pgobuild-out/bin' },
};

/** The context without the variable `name` (genrule defines `$@` for one out only). */
function without(name: string): MakeVariableContext {
  const variables = { ...ctx.variables };
  delete variables[name];
  return { ...ctx, variables };
}

function expand(cmd: string, c: MakeVariableContext = ctx): string {
  const r = expandMakeVariables(cmd, c);
  if (!r.ok) throw new Error(r.failure.message);
  return r.value;
}

function problem(cmd: string, c: MakeVariableContext = ctx): { offset: number; length: number } {
  const r = expandMakeVariables(cmd, c);
  if (r.ok) throw new Error(`expanded to ${r.value}`);
  return { offset: r.failure.offset, length: r.failure.length };
}

describe("Bazel's make-variable substitutions (genrule's cmd, ctx.expandMakeVariables)", () => {
  test("Bazel's variables, location functions and $$", () => {
    expect(expand('$(location //tools:gen) $< > $@')).toBe(
      'pgobuild-out/host/bin/tools/gen pkg/in.txt > pgobuild-out/bin/pkg/out.txt',
    );
    expect(expand('cat $(SRCS) > $(OUTS); ls $(RULEDIR) $(@D)')).toBe(
      'cat pkg/in.txt > pgobuild-out/bin/pkg/out.txt; ls pgobuild-out/bin/pkg pgobuild-out/bin/pkg',
    );
    expect(expand('$(execpaths :pair) $(locations :in.txt) $(execpath :in.txt)')).toBe(
      'pgobuild-out/bin/pkg/a pgobuild-out/bin/pkg/b pkg/in.txt pkg/in.txt',
    );
    expect(expand('echo $$HOME $${X} $$$$')).toBe('echo $HOME ${X} $$');
    expect(expand('no substitution')).toBe('no substitution');
  });

  test('$(rootpath) is a path relative to the output root; make variables', () => {
    expect(expand('$(rootpath //tools:gen) $(rootpaths :pair) $(rootpath :in.txt)')).toBe(
      'tools/gen pkg/a pkg/b pkg/in.txt',
    );
    expect(expand('echo $(GOOS)/$(GOARCH) > $(BINDIR)/x')).toBe(
      'echo linux/arm64 > pgobuild-out/bin/x',
    );
    expect(() => expand('$(rootpath :pair)')).toThrow(
      "label ':pair' in $(rootpath) expands to 2 files; use $(rootpaths :pair)",
    );
    expect(() => expand('$(GOARM)')).toThrow(
      'unknown variable $(GOARM): expected one of $(SRCS), $(OUTS), $(RULEDIR), $(@D), $(GOOS), $(GOARCH), $(BINDIR), or $(location <label>)',
    );
  });

  test('errors say where, in the string, the bad substitution is', () => {
    expect(problem('echo $(FOO) x')).toEqual({ offset: 5, length: 6 });
    expect(problem('a $(location :nope)')).toEqual({ offset: 2, length: 17 });
    expect(problem('$(location :pair)')).toEqual({ offset: 0, length: 17 });
    expect(problem('$(dirname :in.txt)')).toEqual({ offset: 0, length: 18 });
    expect(problem('echo $HOME')).toEqual({ offset: 5, length: 2 });
    expect(problem('echo $(SRCS')).toEqual({ offset: 5, length: 6 });
    expect(problem('trailing $')).toEqual({ offset: 9, length: 1 });
    expect(problem('x $@', without('@'))).toEqual({ offset: 2, length: 2 });
    expect(problem('$<', without('<'))).toEqual({ offset: 0, length: 2 });
  });

  test('messages name the problem', () => {
    const message = (cmd: string): string => {
      const r = expandMakeVariables(cmd, ctx);
      return r.ok ? '' : r.failure.message;
    };
    expect(message('$(FOO)')).toContain('unknown variable $(FOO)');
    expect(message('$(location :nope)')).toBe(
      "label ':nope' in $(location) is named by no label attribute of this target (srcs, tools): add it to one",
    );
    expect(message('$(location :pair)')).toBe(
      "label ':pair' in $(location) expands to 2 files; use $(locations :pair)",
    );
    expect(message('$HOME')).toContain("write '$$'");
    const undefinedOut = expandMakeVariables('$@', without('@'));
    expect(undefinedOut.ok ? '' : undefinedOut.failure.message).toBe(
      '$@ stands for the only output, and is defined only when there is exactly one; use $(OUTS)',
    );
  });
});
