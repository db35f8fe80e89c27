import type { RuleDefinition } from '../src/analysis/rule-api';
import { genrule } from './genrule';

/** `go_library`: a Go package other packages import. */
export const goLibrary: RuleDefinition = {
  name: 'go_library',
  doc: 'A Go package that other targets depend on.',
  attrs: {
    srcs: {
      type: 'label_list',
      doc: 'Go (.go), assembly (.s) and header (.h) files of the package.',
    },
    deps: {
      type: 'label_list',
      doc: 'go_library targets this package imports (standard library imports need none).',
    },
    importpath: {
      type: 'string',
      doc: 'Import path; defaults to the go.mod module path plus the package directory.',
    },
    embedsrcs: { type: 'label_list', doc: 'Files that //go:embed patterns may match.' },
    embed: {
      type: 'label_list',
      doc: "go_library targets of this package whose srcs, deps, embedsrcs and importpath this target takes (rules_go's embed).",
    },
    gc_goopts: {
      type: 'string_list',
      doc: 'Extra compiler flags for the package of this target, as -gcflags passes them in cmd/go, e.g. ["-m"].',
    },
  },
};

/** `go_binary`: a main package linked into an executable. */
export const goBinary: RuleDefinition = {
  name: 'go_binary',
  doc: 'A Go program: a main package and everything it imports, linked into pgobuild-out/bin/<package>/<name>.',
  attrs: {
    srcs: { type: 'label_list', doc: 'Source files of the main package.' },
    deps: { type: 'label_list', doc: 'go_library targets the main package imports.' },
    embedsrcs: { type: 'label_list', doc: 'Files that //go:embed patterns may match.' },
    importpath: {
      type: 'string',
      doc: 'Import path of the main package (recorded as `path` in the build info).',
    },
    pgo: {
      type: 'string',
      doc: '"auto" (default): default.pgo in the package directory if present; "off"; or a profile (":label" or a workspace-relative path).',
    },
    pgoprofile: {
      type: 'label',
      doc: 'rules_go\'s name for a profile label (relative to the package); the same as pgo = ":label".',
    },
    embed: {
      type: 'label_list',
      doc: 'go_library targets of this package whose srcs, deps, embedsrcs and importpath the binary takes (how Gazelle writes a main package).',
    },
    gc_goopts: {
      type: 'string_list',
      doc: 'Extra compiler flags for the package of this target, as -gcflags passes them in cmd/go, e.g. ["-m"].',
    },
    gotags: {
      type: 'string_list',
      doc: "Build tags for this target's whole graph (its packages, their deps, module packages and the standard library), as go build -tags; added after --gotags. Like rules_go's gotags, a transition: the same library is compiled once per tag set.",
    },
    gc_linkopts: {
      type: 'string_list',
      doc: 'Extra linker flags, as -ldflags passes them in cmd/go, e.g. ["-s", "-w"] (after x_defs; --linkopt comes last).',
    },
    x_defs: {
      type: 'string_dict',
      doc: 'Link stamping: {"importpath.name": "value"} (or "name" for a variable of the main package, of the package under test for go_test) set as -ldflags=-X=importpath.name=value does. "{KEY}" in a value is replaced by the --workspace_status_command output key KEY when --stamp is given, and left as written otherwise.',
    },
  },
};

/** `go_test`: a test binary, built and run by `pgobuild test`. */
export const goTest: RuleDefinition = {
  name: 'go_test',
  doc: 'Go tests of a package: internal (same package) and external (`_test` package) test files.',
  attrs: {
    srcs: { type: 'label_list', doc: '_test.go files (internal and/or external test package).' },
    deps: { type: 'label_list', doc: 'go_library targets the test files import.' },
    embed: {
      type: 'label_list',
      doc: 'The go_library (or go_binary) under test, whose sources are compiled with the internal test files.',
    },
    embedsrcs: {
      type: 'label_list',
      doc: 'Files that //go:embed patterns in the test files may match.',
    },
    data: {
      type: 'label_list',
      doc: "Files the test reads at run time (rules_go's attribute): file labels, globs or directories, placed at their workspace paths, so the test, which runs in its package directory, opens its own package's files by name and another package's as `../other/file`. Part of the test result's key. The package's sources, embedsrcs and testdata/ are always there.",
    },
    gc_goopts: {
      type: 'string_list',
      doc: 'Extra compiler flags for the package of this target, as -gcflags passes them in cmd/go, e.g. ["-m"].',
    },
    gotags: {
      type: 'string_list',
      doc: "Build tags for this target's whole graph (its packages, their deps, module packages and the standard library), as go build -tags; added after --gotags. Like rules_go's gotags, a transition: the same library is compiled once per tag set.",
    },
    gc_linkopts: {
      type: 'string_list',
      doc: 'Extra linker flags, as -ldflags passes them in cmd/go, e.g. ["-s", "-w"] (after x_defs; --linkopt comes last).',
    },
    x_defs: {
      type: 'string_dict',
      doc: 'Link stamping: {"importpath.name": "value"} (or "name" for a variable of the main package, of the package under test for go_test) set as -ldflags=-X=importpath.name=value does. "{KEY}" in a value is replaced by the --workspace_status_command output key KEY when --stamp is given, and left as written otherwise.',
    },
  },
};

/** Every built-in rule, in the order they are documented. */
export const BUILTIN_RULES: readonly RuleDefinition[] = [goLibrary, goBinary, goTest, genrule];
