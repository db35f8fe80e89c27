import { type Digest, sha256 } from '../util/digest';

/**
 * What kind of work an action does; shown in progress lines and `explain`. The Go rules' and
 * genrule's are fixed; a TypeScript rule names its own (`FileWrite` for `ctx.actions.write`,
 * `Action` by default, or a CamelCase word it chooses).
 */
export type Mnemonic =
  | 'GoCompile'
  | 'GoLink'
  | 'GoPreprofile'
  | 'GoTestRun'
  | 'GoBuilder'
  | 'Genrule'
  | 'FileWrite'
  | (string & { readonly userMnemonic?: never });

/**
 * Placeholders that may appear in step arguments, environment values and `content` inputs.
 * They are part of the action key as written and are expanded only when the action runs, so that
 * no absolute path reaches a key:
 *
 * - `${EXECROOT}`: the absolute path of the fresh sandbox directory the action runs in.
 * - `${GOROOT}`: the absolute path of the selected Go SDK. Only the action that builds the
 *   builder uses it (`go build` reads the SDK's sources; the toolchain identity pins them); every
 *   tool an action runs is a declared input under `external/go_sdk`.
 * - `${COMPILE_CONCURRENCY}`: the compiler's backend concurrency (`-c`), which depends on the
 *   machine's core count as in cmd/go. It never changes the output, so it must not change the key
 *   either (machines with different core counts share results).
 */
export type Placeholder = '${EXECROOT}' | '${GOROOT}' | '${COMPILE_CONCURRENCY}';

/**
 * One step of an action: a process, run in order inside the exec root. Every step is a spawn whose
 * program (`argv[0]`, `${EXECROOT}/<path>`) is a declared input, so that an executor that only
 * knows the inputs (a remote one, REAPI's `Command` + input root) can run it: nothing runs inside
 * pgobuild's own process. Files an action writes for its tools (importcfg, embedcfg) are `content`
 * inputs; appending objects to an archive is the builder's `pack` (see src/go/builder-action.ts).
 */
export interface Step {
  readonly kind: 'spawn';
  /** argv[0] is the program: `${EXECROOT}/<declared input path>`. */
  readonly argv: readonly string[];
  /** Working directory relative to the exec root ('' = the exec root itself). */
  readonly cwd: string;
}

/** A file the action reads, placed at `path` (relative to the exec root) before it runs. */
export interface ActionInput {
  readonly path: string;
  readonly digest: Digest;
  /**
   * Where the bytes come from: a workspace/SDK file, a blob in the CAS, the action itself
   * (`content`: a file written for the tools, whose digest is that of the text as written,
   * placeholders unexpanded; the executor expands them when it places the file), or a program of
   * the host (`host-tool`, see {@link hostToolInput}).
   */
  readonly source:
    | { readonly kind: 'file'; readonly absPath: string }
    | { readonly kind: 'cas' }
    | { readonly kind: 'content'; readonly content: string }
    | { readonly kind: 'host-tool'; readonly absPath: string };
  /** The file is run as a program (a tool, the builder, a test binary): placed executable. */
  readonly executable?: boolean;
}

/** A `content` input: a file whose bytes are part of the action (digest of the text as written). */
export function contentInput(path: string, content: string): ActionInput {
  return { path, digest: sha256(content), source: { kind: 'content', content } };
}

/**
 * A program of the host (genrule's `/bin/bash`), declared as an input at `path` in the exec root
 * and keyed by its host path, not its bytes: as Bazel keys the shell of `genrule` by
 * `--shell_executable`, two machines whose shell lives at the same path share results even when
 * their shells' builds differ. The executor places it as a link to `absPath`; what it runs (`cat`,
 * `sed` found on the action's fixed `PATH`) is the host's, as with Bazel's genrule. Only generic
 * actions use it; the Go actions run nothing from the host.
 */
export function hostToolInput(path: string, absPath: string): ActionInput {
  return {
    path,
    digest: sha256(`host-tool:${absPath}`),
    source: { kind: 'host-tool', absPath },
    executable: true,
  };
}

/** The exec-root path of the program a step runs (argv[0] without `${EXECROOT}/`), if it has that form. */
export function programPath(step: Step): string | undefined {
  const program = step.argv[0];
  const prefix = '${EXECROOT}/';
  return program !== undefined && program.startsWith(prefix)
    ? program.slice(prefix.length)
    : undefined;
}

/** A fully resolved action, ready to key and run. */
export interface Action {
  readonly mnemonic: Mnemonic;
  /** Human description for progress lines, e.g. `//examples/lib/render [pgo 3f9a…]`. */
  readonly description: string;
  readonly steps: readonly Step[];
  /** The complete environment of every spawn (nothing is inherited from the user's shell). */
  readonly env: Readonly<Record<string, string>>;
  readonly inputs: readonly ActionInput[];
  /** Output files, relative to the exec root. */
  readonly outputs: readonly string[];
}
