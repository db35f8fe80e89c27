import type { RuleDefinition } from '../src/analysis/rule-api';

/**
 * `genrule`: files made by a shell command, as Bazel's genrule. The command runs as a generic
 * action (src/analysis/genrule-nodes.ts): sandboxed with only its srcs and tools, keyed and cached
 * like every action; its outputs may be srcs of a go_library or of another genrule.
 */
export const genrule: RuleDefinition = {
  name: 'genrule',
  doc: "Files made by a shell command, as Bazel's genrule: `cmd` runs with /bin/bash in a sandbox holding only `srcs` and `tools`, and must write every file of `outs`.",
  attrs: {
    srcs: {
      type: 'label_list',
      doc: "Input files: files of the workspace or outputs of other genrules (`:gen`, `gen.txt`, `//other/pkg:gen`). $(SRCS) lists them; $(location X) names one's path; $< is the only one's.",
    },
    outs: {
      type: 'string_list',
      mandatory: true,
      doc: 'Files the command writes, named relative to the package; each is written at $(RULEDIR)/<name> and placed at pgobuild-out/bin/<package>/<name>. A .go out may be listed in the srcs of a go_library of the same package.',
    },
    cmd: {
      type: 'string',
      mandatory: true,
      doc: 'The command, run as /bin/bash -c with PATH=/bin:/usr/bin:/usr/local/bin and nothing else in the environment, in the exec root. $(location X), $(locations X), $(execpath X), $(execpaths X), $(SRCS), $(OUTS), $(RULEDIR), $(@D), $@, $< are substituted; $$ is a literal $.',
    },
    tools: {
      type: 'label_list',
      doc: 'Programs the command runs: go_binary targets (built for the host with PGO off) or files; $(location X) names their path.',
    },
    message: { type: 'string', doc: 'What progress lines show while the command runs.' },
  },
};
