import { DefaultInfo, attr, go, goBinaryTransition, goTestTransition, rule } from '../src/rules';

// The Go rules are written on the public rule API (`pgobuild/rules`), as a workspace's own rules
// are: what they build is what `go(ctx)` (rules_go's go_context) declares, in the configuration
// their transition (`cfg`) gives them.

/** `go_library`: a Go package other packages import. */
export const go_library = rule({
  doc: 'A Go package that other targets depend on.',
  attrs: {
    srcs: attr.labelList({
      allowFiles: true,
      doc: 'Go (.go), assembly (.s) and header (.h) files of the package.',
    }),
    deps: attr.labelList({
      allowFiles: true,
      doc: 'go_library targets this package imports (standard library imports need none).',
    }),
    importpath: attr.string({
      doc: 'Import path; defaults to the go.mod module path plus the package directory.',
    }),
    embedsrcs: attr.labelList({
      allowFiles: true,
      doc: 'Files that //go:embed patterns may match.',
    }),
    embed: attr.labelList({
      allowFiles: true,
      doc: "go_library targets of this package whose srcs, deps, embedsrcs and importpath this target takes (rules_go's embed).",
    }),
    gc_goopts: attr.stringList({
      doc: 'Extra compiler flags for the package of this target, as -gcflags passes them in cmd/go, e.g. ["-m"].',
    }),
  },
  toolchains: ['go'],
  provides: ['DefaultInfo', 'GoArchiveInfo'],
  // The package's compile, in the configuration of whoever builds it.
  implementation: async (ctx) => {
    const archive = await go(ctx).compile();
    return [DefaultInfo({ files: [archive.archive] }), archive];
  },
});

/** `go_binary`: a main package linked into an executable. */
export const go_binary = rule({
  doc: 'A Go program: a main package and everything it imports, linked into pgobuild-out/bin/<package>/<name>.',
  attrs: {
    srcs: attr.labelList({ allowFiles: true, doc: 'Source files of the main package.' }),
    deps: attr.labelList({ allowFiles: true, doc: 'go_library targets the main package imports.' }),
    embedsrcs: attr.labelList({
      allowFiles: true,
      doc: 'Files that //go:embed patterns may match.',
    }),
    importpath: attr.string({
      doc: 'Import path of the main package (recorded as `path` in the build info).',
    }),
    pgo: attr.string({
      doc: '"auto" (default): default.pgo in the package directory if present; "off"; or a profile (":label" or a workspace-relative path).',
    }),
    pgoprofile: attr.label({
      allowFiles: true,
      doc: 'rules_go\'s name for a profile label (relative to the package); the same as pgo = ":label".',
    }),
    embed: attr.labelList({
      allowFiles: true,
      doc: 'go_library targets of this package whose srcs, deps, embedsrcs and importpath the binary takes (how Gazelle writes a main package).',
    }),
    gc_goopts: attr.stringList({
      doc: 'Extra compiler flags for the package of this target, as -gcflags passes them in cmd/go, e.g. ["-m"].',
    }),
    gotags: attr.stringList({
      doc: "Build tags for this target's whole graph (its packages, their deps, module packages and the standard library), as go build -tags; added after --gotags. Like rules_go's gotags, a transition: the same library is compiled once per tag set.",
    }),
    gc_linkopts: attr.stringList({
      doc: 'Extra linker flags, as -ldflags passes them in cmd/go, e.g. ["-s", "-w"] (after x_defs; --linkopt comes last).',
    }),
    x_defs: attr.stringDict({
      doc: 'Link stamping: {"importpath.name": "value"} (or "name" for a variable of the main package, of the package under test for go_test) set as -ldflags=-X=importpath.name=value does. "{KEY}" in a value is replaced by the --workspace_status_command output key KEY when --stamp is given, and left as written otherwise.',
    }),
  },
  toolchains: ['go'],
  executable: true,
  // The binary's own configuration: its profile, then its gotags, for its whole graph.
  cfg: goBinaryTransition,
  implementation: async (ctx) => {
    const toolchain = go(ctx);
    const executable = await toolchain.link({ archive: await toolchain.compile() });
    return [DefaultInfo({ files: [executable] })];
  },
});

/** `go_test`: a test binary, built and run by `pgobuild test`. */
export const go_test = rule({
  doc: 'Go tests of a package: internal (same package) and external (`_test` package) test files.',
  attrs: {
    srcs: attr.labelList({
      allowFiles: true,
      doc: '_test.go files (internal and/or external test package).',
    }),
    deps: attr.labelList({ allowFiles: true, doc: 'go_library targets the test files import.' }),
    embed: attr.labelList({
      allowFiles: true,
      doc: 'The go_library (or go_binary) under test, whose sources are compiled with the internal test files.',
    }),
    embedsrcs: attr.labelList({
      allowFiles: true,
      doc: 'Files that //go:embed patterns in the test files may match.',
    }),
    data: attr.labelList({
      allowFiles: true,
      doc: "Files the test reads at run time (rules_go's attribute): file labels, globs or directories, placed at their workspace paths, so the test, which runs in its package directory, opens its own package's files by name and another package's as `../other/file`. Part of the test result's key. The package's sources, embedsrcs and testdata/ are always there.",
    }),
    gc_goopts: attr.stringList({
      doc: 'Extra compiler flags for the package of this target, as -gcflags passes them in cmd/go, e.g. ["-m"].',
    }),
    gotags: attr.stringList({
      doc: "Build tags for this target's whole graph (its packages, their deps, module packages and the standard library), as go build -tags; added after --gotags. Like rules_go's gotags, a transition: the same library is compiled once per tag set.",
    }),
    gc_linkopts: attr.stringList({
      doc: 'Extra linker flags, as -ldflags passes them in cmd/go, e.g. ["-s", "-w"] (after x_defs; --linkopt comes last).',
    }),
    x_defs: attr.stringDict({
      doc: 'Link stamping: {"importpath.name": "value"} (or "name" for a variable of the main package, of the package under test for go_test) set as -ldflags=-X=importpath.name=value does. "{KEY}" in a value is replaced by the --workspace_status_command output key KEY when --stamp is given, and left as written otherwise.',
    }),
  },
  toolchains: ['go'],
  executable: true,
  test: true,
  // The configuration go test gives the test binary; with `pgobuild test`, its run too.
  cfg: goTestTransition,
  implementation: async (ctx) => {
    const { executable } = await go(ctx).test();
    return [DefaultInfo({ files: [executable] })];
  },
});
