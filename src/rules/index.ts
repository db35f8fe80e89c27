/**
 * The public rule API, imported by workspace rule files as `pgobuild/rules`. It is shaped like
 * Bazel's Starlark rule API: `rule({ attrs, implementation })`, `attr.*`, a `ctx` with `label`,
 * `attr`, `files`, `file` and `actions`, and providers (`DefaultInfo`, `GoArchiveInfo`).
 *
 * An implementation runs during analysis and only declares: files it will produce and actions
 * (plain data: argv, env, inputs, outputs) that pgobuild keys, caches and runs in its sandbox
 * like the Go rules' compiles. It must not read or write files itself.
 *
 * This module has no imports: it is the whole contract between pgobuild and a rule file, and the
 * types a rule file is type-checked against.
 */

/** A file an action reads or writes: a source file of the workspace, or a declared output. */
export interface File {
  /** Path relative to the exec root (where actions run): `pkg/x.txt` or an output path. */
  readonly path: string;
  /** Path relative to the workspace (sources) or to the package output root (outputs). */
  readonly shortPath: string;
  readonly basename: string;
  /** False for a file some action declares (`ctx.actions.declareFile`). */
  readonly isSource: boolean;
  /** The label that owns it: the target whose `srcs` named it, or the declaring target. */
  readonly owner: string;
}

/** The kinds of attributes a rule declares, named as Bazel's `attr` module names them. */
export type AttrKind =
  | 'string'
  | 'int'
  | 'bool'
  | 'label'
  | 'labelList'
  | 'stringList'
  | 'stringDict'
  | 'output'
  | 'outputList';

/** What each attribute kind holds in `ctx.attr`. */
export interface AttrValues {
  string: string;
  int: number;
  bool: boolean;
  label: Target | undefined;
  labelList: readonly Target[];
  stringList: readonly string[];
  stringDict: Readonly<Record<string, string>>;
  /** An output's file name as written (its {@link File} is in `ctx.outputs`). */
  output: string;
  outputList: readonly string[];
}

/** One declared attribute. */
export interface Attr<K extends AttrKind = AttrKind> {
  readonly kind: K;
  readonly mandatory: boolean;
  /** The value when the BUILD file does not set it (labels: a label string). */
  readonly default?: K extends 'label'
    ? string
    : K extends 'labelList'
      ? readonly string[]
      : K extends 'output' | 'outputList'
        ? never
        : AttrValues[K];
  /**
   * For `label`/`labelList`: whether source files may be named (true), only files with these
   * extensions (`['.go', '.txt']`), or only targets (false, the default).
   */
  readonly allowFiles?: boolean | readonly string[];
  readonly doc?: string;
}

/** Options every `attr.*` constructor takes. */
export interface AttrOptions<D> {
  readonly mandatory?: boolean;
  readonly default?: D;
  readonly doc?: string;
}

/** Options of label attributes. */
export interface LabelAttrOptions<D> extends AttrOptions<D> {
  readonly allowFiles?: boolean | readonly string[];
}

function makeAttr<K extends AttrKind>(
  kind: K,
  opts: {
    mandatory?: boolean;
    default?: unknown;
    doc?: string;
    allowFiles?: boolean | readonly string[];
  },
): Attr<K> {
  return Object.freeze({
    kind,
    mandatory: opts.mandatory ?? false,
    ...(opts.default !== undefined ? { default: opts.default as Attr<K>['default'] } : {}),
    ...(opts.allowFiles !== undefined ? { allowFiles: opts.allowFiles } : {}),
    ...(opts.doc !== undefined ? { doc: opts.doc } : {}),
  });
}

/** Options of output attributes (Bazel's `attr.output()`: no default). */
export interface OutputAttrOptions {
  readonly mandatory?: boolean;
  readonly doc?: string;
}

/** Attribute constructors, as Bazel's `attr.string()`, `attr.label_list()`… */
export const attr = Object.freeze({
  string: (opts: AttrOptions<string> = {}): Attr<'string'> => makeAttr('string', opts),
  int: (opts: AttrOptions<number> = {}): Attr<'int'> => makeAttr('int', opts),
  bool: (opts: AttrOptions<boolean> = {}): Attr<'bool'> => makeAttr('bool', opts),
  label: (opts: LabelAttrOptions<string> = {}): Attr<'label'> => makeAttr('label', opts),
  labelList: (opts: LabelAttrOptions<readonly string[]> = {}): Attr<'labelList'> =>
    makeAttr('labelList', opts),
  stringList: (opts: AttrOptions<readonly string[]> = {}): Attr<'stringList'> =>
    makeAttr('stringList', opts),
  stringDict: (opts: AttrOptions<Readonly<Record<string, string>>> = {}): Attr<'stringDict'> =>
    makeAttr('stringDict', opts),
  /**
   * A predeclared output (Bazel's `attr.output()`): the BUILD file names the file, relative to the
   * package (`out = "gen.go"`); it is declared before the implementation runs, which must write it
   * (`ctx.outputs.<attr>`). Other targets may name it as `gen.go` or `:gen.go`.
   */
  output: (opts: OutputAttrOptions = {}): Attr<'output'> => makeAttr('output', opts),
  /** Predeclared outputs (Bazel's `attr.output_list()`, as genrule's `outs`): see {@link output}. */
  outputList: (opts: OutputAttrOptions = {}): Attr<'outputList'> => makeAttr('outputList', opts),
});

/** A rule's attributes by name (`name` is implicit, as in Bazel). */
export type Attrs = Readonly<Record<string, Attr>>;

/** What a provider constructor returns: a tagged, frozen record. */
export interface ProviderInstance<Tag extends string = string> {
  readonly provider: Tag;
}

/** `DefaultInfo`: the files a target gives to whoever names it (a go_library's `srcs`, …). */
export interface DefaultInfo extends ProviderInstance<'DefaultInfo'> {
  readonly files: readonly File[];
}

/** Makes a {@link DefaultInfo}. */
export function DefaultInfo(fields: { readonly files: readonly File[] }): DefaultInfo {
  return Object.freeze({ provider: 'DefaultInfo', files: Object.freeze([...fields.files]) });
}

/**
 * `GoArchiveInfo`: a compiled Go package, what go_library targets give: its import path and
 * its archive: the export data `compile -o` writes (an archive of `__.PKGDEF`, what importers'
 * compiles read; the object code goes to a separate link object, `-linkobj`).
 */
export interface GoArchiveInfo extends ProviderInstance<'GoArchiveInfo'> {
  readonly importPath: string;
  readonly archive: File;
}

/** Makes a {@link GoArchiveInfo}. */
export function GoArchiveInfo(fields: {
  readonly importPath: string;
  readonly archive: File;
}): GoArchiveInfo {
  return Object.freeze({
    provider: 'GoArchiveInfo',
    importPath: fields.importPath,
    archive: fields.archive,
  });
}

/** Any provider an implementation may return. */
export type Provider = DefaultInfo | GoArchiveInfo;

/** A dependency as a rule sees it: its label, its default files and its providers. */
export interface Target {
  readonly label: string;
  /** Its `DefaultInfo` files (a source file names itself). */
  readonly files: readonly File[];
  /** Its `GoArchiveInfo`, when it is a Go package. */
  readonly goArchive?: GoArchiveInfo;
}

/** One action: a process run in the sandbox with only its inputs and the tools it names. */
export interface RunArgs {
  /** A file (a source, a declared output, a tool's binary) or an absolute host path (`/bin/sh`). */
  readonly executable: File | string;
  readonly arguments?: readonly string[];
  readonly inputs?: readonly File[];
  readonly outputs: readonly File[];
  /** The environment (nothing is inherited): `PATH=/bin:/usr/bin:/usr/local/bin`, then these. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Programs the command runs besides `executable` (Bazel's `tools`): inputs placed executable,
   * e.g. a genrule's `tools` named in its command line.
   */
  readonly tools?: readonly File[];
  /** The action's kind in progress lines and events (`Stringer`); `Action` by default. */
  readonly mnemonic?: string;
  readonly progressMessage?: string;
}

/** What an implementation can declare. */
export interface Actions {
  /** A new output file of this target, `name` relative to its package. */
  declareFile(name: string): File;
  /** An action writing `content` to `file` (no process runs). */
  write(file: File, content: string, opts?: { readonly isExecutable?: boolean }): void;
  /** An action running a process. */
  run(args: RunArgs): void;
}

/** Only the label attributes of `A`. */
type LabelAttrNames<A extends Attrs> = {
  [K in keyof A]: A[K]['kind'] extends 'label' | 'labelList' ? K : never;
}[keyof A];

/** Only the output attributes of `A`. */
type OutputAttrNames<A extends Attrs> = {
  [K in keyof A]: A[K]['kind'] extends 'output' | 'outputList' ? K : never;
}[keyof A];

/** Only the single-label attributes of `A`. */
type SingleLabelAttrNames<A extends Attrs> = {
  [K in keyof A]: A[K]['kind'] extends 'label' ? K : never;
}[keyof A];

/**
 * A configuration transition (Bazel's `cfg`): the configuration a rule's target, and everything
 * it compiles, is built in. Without one a target is built in the command's configuration.
 */
export interface Transition {
  readonly kind: 'pgobuild.transition';
  /**
   * `go_binary`: the target's own profile (its `pgo`/`pgoprofile` attributes, else `default.pgo`
   * beside it) and its `gotags` added to `--gotags`, as rules_go's `go_transition`.
   * `go_test`: as `go test`, the profile of the main package under test (its `embed`), if it
   * has one, then its `gotags`.
   */
  readonly name: 'go_binary' | 'go_test';
}

/** go_binary's transition: see {@link Transition}. */
export const goBinaryTransition: Transition = Object.freeze({
  kind: 'pgobuild.transition',
  name: 'go_binary',
});

/** go_test's transition: see {@link Transition}. */
export const goTestTransition: Transition = Object.freeze({
  kind: 'pgobuild.transition',
  name: 'go_test',
});

/** The configuration a rule's Go actions are declared in. */
export interface GoConfiguration {
  readonly goos: string;
  readonly goarch: string;
  /** The raw profile's workspace path when the configuration compiles with PGO. */
  readonly pgo?: string;
  /** Build tags of a `gotags` transition (undefined: the command's `--gotags`). */
  readonly tags?: readonly string[];
}

/**
 * The Go toolchain, as rules_go's `go_context(ctx)`: it declares the Go actions of a target whose
 * rule names the `go` toolchain, in the rule's configuration. It reads the target's Go package
 * attributes as rules_go's `library_to_source` does: `srcs` (.go/.s/.h files, generated ones
 * included), `deps` (targets that provide {@link GoArchiveInfo}; imports choose among them, the
 * standard library and the module packages of the build list), `embed`, `embedsrcs`,
 * `importpath`, `gc_goopts`, and for links `x_defs`, `gc_linkopts`, for tests `data`.
 * Each method declares its actions once per (target, configuration) and returns what they make.
 */
export interface GoContext {
  readonly configuration: GoConfiguration;
  /**
   * Compiles the target's package and, first, every package it imports (rules_go's
   * `go.archive`): the archive and the import path its dependents import it by. In an
   * `executable` rule the package must be `main`.
   */
  compile(): Promise<GoArchiveInfo>;
  /**
   * Links a main package's archive (from {@link compile}) with everything it imports into the
   * executable `pgobuild-out/bin/<package>/<name>` (rules_go's `go.binary`).
   */
  link(args: { readonly archive: GoArchiveInfo }): Promise<File>;
  /**
   * Builds the target's test binary as `go test` does (the package under test, its `embed`,
   * recompiled with the internal _test.go files, the external test package, a generated test
   * main) and, under `pgobuild test`, the action that runs it with its `data`.
   */
  test(): Promise<{ readonly executable: File }>;
}

/**
 * The rule's Go toolchain (rules_go's `go_context(ctx)`); the rule must declare
 * `toolchains: ['go']`.
 */
export function go(ctx: { readonly toolchains: { readonly go?: GoContext } }): GoContext {
  const toolchain = ctx.toolchains.go;
  if (toolchain === undefined)
    throw new Error("go(ctx): the rule does not declare toolchains: ['go']");
  return toolchain;
}

/** The toolchains a rule may declare (Bazel's `toolchains = [...]`). */
export type ToolchainName = 'go';

/** The make variables of a configuration (`ctx.var`), which `$(NAME)` expands to. */
export interface MakeVariables {
  readonly GOOS: string;
  readonly GOARCH: string;
  /** The output root the target's declared files are under (`pgobuild-out/bin`). */
  readonly BINDIR: string;
  /** The same as BINDIR (Bazel's genfiles root is its bin root). */
  readonly GENDIR: string;
}

/** What an implementation receives. */
export interface RuleContext<A extends Attrs> {
  /** `//pkg:name`. */
  readonly label: string;
  readonly attr: { readonly [K in keyof A]: AttrValues[A[K]['kind']] } & { readonly name: string };
  /** The files of each label attribute, flattened (Bazel's `ctx.files`). */
  readonly files: { readonly [K in LabelAttrNames<A>]: readonly File[] };
  /** The one file of each single-label attribute (Bazel's `ctx.file`), when it has exactly one. */
  readonly file: { readonly [K in SingleLabelAttrNames<A>]: File | undefined };
  /**
   * The files of each output attribute (Bazel's `ctx.outputs`), declared before the
   * implementation runs: one {@link File} (undefined when not set) for `attr.output`, a list for
   * `attr.outputList`.
   */
  readonly outputs: {
    readonly [K in OutputAttrNames<A>]: A[K]['kind'] extends 'output'
      ? File | undefined
      : readonly File[];
  };
  /** Make variables of the target's configuration (Bazel's `ctx.var`). */
  readonly var: MakeVariables;
  /**
   * `text`, the value of string attribute `attribute`, with Bazel's substitutions expanded, as
   * genrule expands `cmd`: `$(location X)`, `$(locations X)`, `$(execpath X)`, `$(execpaths X)`,
   * `$(rootpath X)`, `$(rootpaths X)` for a label X named in one of the target's label attributes;
   * `$(NAME)` (and `$N` for a one-character name, as Make's `$@`) from `substitutions`, then
   * {@link var}; `$$` for a literal `$`. Anything else after a `$` fails the analysis with an
   * error at that place in the BUILD file (a shell variable is written `$$VAR`).
   * Lists are joined with spaces and, like Bazel's, not quoted.
   */
  expandMakeVariables(
    attribute: string,
    text: string,
    substitutions?: Readonly<Record<string, string>>,
  ): string;
  readonly actions: Actions;
  /** The toolchains the rule declares: `ctx.toolchains.go` (or `go(ctx)`) for `['go']`. */
  readonly toolchains: { readonly go?: GoContext };
}

/** An implementation: declares actions, returns providers (it may await the Go toolchain). */
export type Implementation<A extends Attrs> = (
  ctx: RuleContext<A>,
) => readonly Provider[] | Promise<readonly Provider[]>;

/**
 * The error {@link fail} throws: the target's analysis fails with `message`, shown at `attr`'s
 * place in the BUILD file (or at the target), exit code 2.
 */
export class RuleFailure extends Error {
  override readonly name = 'RuleFailure';
  constructor(
    message: string,
    readonly attr: string | undefined,
  ) {
    super(message);
  }
}

/**
 * Stops the implementation with an error about the target (Bazel's `fail(msg, attr = …)`), shown
 * at the attribute `attr` as written in the BUILD file, else at the target.
 */
export function fail(message: string, opts: { readonly attr?: string } = {}): never {
  throw new RuleFailure(message, opts.attr);
}

/** What `rule()` takes besides `attrs` and `implementation` (Bazel's `rule()` parameters). */
export interface RuleOptions {
  readonly doc?: string;
  /** `['go']`: the implementation uses {@link go}. */
  readonly toolchains?: readonly ToolchainName[];
  /** The rule's incoming transition (Bazel's `cfg`). */
  readonly cfg?: Transition;
  /**
   * The providers every target returns (Bazel's `provides`): a rule that provides
   * `GoArchiveInfo` is a Go package other Go targets may list in `deps`.
   */
  readonly provides?: readonly Provider['provider'][];
  /** The target is a program (Bazel's `executable`): a tool other rules may run. */
  readonly executable?: boolean;
  /** The target is a test (Bazel's `test`). */
  readonly test?: boolean;
}

/** A rule, as `rule()` returns it: BUILD files call it by the name it is exported as. */
export interface Rule<A extends Attrs = Attrs> extends RuleOptions {
  readonly kind: 'pgobuild.rule';
  readonly attrs: A;
  readonly implementation: Implementation<A>;
}

/** Declares a rule (Bazel's `rule(implementation = …, attrs = {…})`). */
export function rule<A extends Attrs>(
  def: RuleOptions & { readonly attrs: A; readonly implementation: Implementation<A> },
): Rule<A> {
  return Object.freeze({
    ...def,
    kind: 'pgobuild.rule',
    attrs: def.attrs,
    implementation: def.implementation,
  });
}
