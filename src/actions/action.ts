import type { Digest } from '../util/digest';

/** What kind of work an action does; shown in progress lines and `explain`. */
export type Mnemonic = 'GoCompile' | 'GoLink' | 'GoPreprofile' | 'GoTestRun';

/**
 * Placeholders that may appear in step arguments, environment values and written file contents.
 * They are part of the action key as written and are expanded only when the action runs, so that
 * no absolute path reaches a key:
 *
 * - `${EXECROOT}`: the absolute path of the fresh sandbox directory the action runs in.
 * - `${GOROOT}`: the absolute path of the selected Go SDK (used only to name tool binaries, whose
 *   contents are pinned by the toolchain identity in the key).
 * - `${COMPILE_CONCURRENCY}`: the compiler's backend concurrency (`-c`), which depends on the
 *   machine's core count as in cmd/go. It never changes the output, so it must not change the key
 *   either (machines with different core counts share results).
 */
export type Placeholder = '${EXECROOT}' | '${GOROOT}' | '${COMPILE_CONCURRENCY}';

/** One step of an action, run in order inside the sandbox. Paths are relative to the exec root. */
export type Step =
  | {
      readonly kind: 'spawn';
      /** argv[0] is the program (usually `${GOROOT}/pkg/tool/<os>_<arch>/<tool>`). */
      readonly argv: readonly string[];
      /** Working directory relative to the exec root ('' = the exec root itself). */
      readonly cwd: string;
    }
  | { readonly kind: 'write-file'; readonly path: string; readonly content: string }
  | {
      /** Append object files to a Go `ar` archive, as cmd/go's in-process pack does. */
      readonly kind: 'ar-append';
      readonly archive: string;
      readonly members: readonly string[];
    };

/** A file the action reads, placed at `path` (relative to the exec root) before it runs. */
export interface ActionInput {
  readonly path: string;
  readonly digest: Digest;
  /** Where the bytes come from: a workspace/SDK file, or a blob in the CAS. */
  readonly source: { readonly kind: 'file'; readonly absPath: string } | { readonly kind: 'cas' };
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
