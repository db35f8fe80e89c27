import { DefaultInfo, attr, fail, rule } from '../src/rules';

// genrule is written on the public rule API (`pgobuild/rules`), as a workspace's own rules are:
// its command is one action, sandboxed with only its srcs and tools, keyed and cached like every
// action; its outs are predeclared, so a go_library's srcs (or another rule) may name them.

/** Bazel's genrule-setup.sh: the shell options set before the command. */
const SETUP = 'set -euo pipefail';

/** `genrule`: files made by a shell command, as Bazel's genrule. */
export const genrule = rule({
  doc: "Files made by a shell command, as Bazel's genrule: `cmd` runs with /bin/bash in a sandbox holding only `srcs` and `tools`, and must write every file of `outs`.",
  attrs: {
    srcs: attr.labelList({
      allowFiles: true,
      doc: "Input files: files of the workspace, other genrules' outputs or other rules' files (`:gen`, `gen.txt`, `//other/pkg:gen`). $(SRCS) lists them; $(location X) names one's path; $< is the only one's.",
    }),
    outs: attr.outputList({
      mandatory: true,
      doc: 'Files the command writes, named relative to the package; each is written at $(RULEDIR)/<name> and placed at pgobuild-out/bin/<package>/<name>. A .go out may be listed in the srcs of a go_library of the same package.',
    }),
    cmd: attr.string({
      mandatory: true,
      doc: 'The command, run as /bin/bash -c with PATH=/bin:/usr/bin:/usr/local/bin and nothing else in the environment, in the exec root. $(location X), $(locations X), $(execpath X), $(execpaths X), $(rootpath X), $(rootpaths X), $(SRCS), $(OUTS), $(RULEDIR), $(@D), $(GOOS), $(GOARCH), $(BINDIR), $(GENDIR), $@, $< are substituted; $$ is a literal $.',
    }),
    tools: attr.labelList({
      allowFiles: true,
      doc: "Programs the command runs: go_binary targets (or other executable rules' targets), built for the host with PGO off, or files; $(location X) names their path.",
    }),
    message: attr.string({ doc: 'What progress lines show while the command runs.' }),
  },
  implementation: (ctx) => {
    const outs = ctx.outputs.outs;
    if (outs.length === 0) fail(`genrule '${ctx.attr.name}' has no outs`, { attr: 'outs' });
    const srcs = ctx.files.srcs.map((f) => f.path);
    const pkg = ctx.label.slice(2, ctx.label.indexOf(':'));
    const ruleDir = pkg === '' ? ctx.var.BINDIR : `${ctx.var.BINDIR}/${pkg}`;
    const only = outs.length === 1 ? outs[0]?.path : undefined;
    const substitutions: Record<string, string> = {
      SRCS: srcs.join(' '),
      OUTS: outs.map((f) => f.path).join(' '),
      RULEDIR: ruleDir,
      '@D': only === undefined ? ruleDir : only.slice(0, only.lastIndexOf('/')),
    };
    if (only !== undefined) substitutions['@'] = only;
    if (srcs.length === 1) substitutions['<'] = srcs[0] as string;
    const cmd = ctx.expandMakeVariables('cmd', ctx.attr.cmd, substitutions);
    ctx.actions.run({
      executable: '/bin/bash',
      arguments: ['-c', `${SETUP}\n${cmd}`],
      inputs: ctx.files.srcs,
      tools: ctx.files.tools,
      outputs: outs,
      mnemonic: 'Genrule',
      ...(ctx.attr.message !== '' ? { progressMessage: ctx.attr.message } : {}),
    });
    return [DefaultInfo({ files: outs })];
  },
});
