import type { Mnemonic } from '../actions';
import { type Digest, unreachable } from '../util';
import type { GoSdk } from '../../toolchain';
import type { BuildInfo, BuildInfoModule } from '../go/build-info';
import type { CompileUnit, SourceFile } from '../go/compile-action';
import type { StdPackage } from '../go/stdlib';
import type { Configuration } from './configuration';

/** A compile of one package in one configuration. */
export interface CompileNode {
  readonly kind: 'compile';
  readonly id: string;
  /** What progress lines show: a label (`//examples/lib/md`) or a std import path. */
  readonly owner: string;
  readonly config: Configuration;
  /** The compile unit without the parts only known once dependencies are built. */
  readonly unit: Omit<CompileUnit, 'deps' | 'profile'>;
  /** Direct dependencies by import path (resolved) and the node that compiles each. */
  readonly deps: readonly { readonly importPath: string; readonly nodeId: string }[];
  /**
   * The module the package belongs to, for the build info of binaries that link it: a module
   * package knows its `dep` entry; a workspace package only its module path (whether it is the
   * binary's main module, another go.work module or a replaced one is the binary's build list's
   * answer). Undefined for std and packages outside modules.
   */
  readonly module?: { readonly path: string; readonly buildInfo?: BuildInfoModule };
}

/** A link of one binary (program or test binary) in one configuration. */
export interface LinkNode {
  readonly kind: 'link';
  readonly id: string;
  readonly owner: string;
  readonly config: Configuration;
  readonly mainImportPath: string;
  readonly mainNodeId: string;
  /** Every transitive dependency of the main package (runtime's included). */
  readonly deps: readonly { readonly importPath: string; readonly nodeId: string }[];
  readonly buildInfo: BuildInfo;
  readonly defaultGodebug: string;
  readonly stripDebug: boolean;
  /** Linker flags from `--linkopt` and `gc_linkopts`, placed where cmd/go puts `-ldflags`. */
  readonly ldflags: readonly string[];
  /** Workspace-relative output path (`pgobuild-out/bin/<pkg>/<name>`), or undefined for test binaries. */
  readonly outputPath?: string;
}

/** Running one go_test binary. */
export interface TestRunNode {
  readonly kind: 'test-run';
  readonly id: string;
  readonly owner: string;
  readonly config: Configuration;
  readonly linkNodeId: string;
  /** Package directory (workspace-relative): the test's working directory, as in `go test`. */
  readonly dir: string;
  /**
   * Files the test may read at run time (its package's sources, testdata/ and `data` files),
   * named relative to `dir` (`../other/x.txt` for another package's file).
   */
  readonly dataFiles: readonly SourceFile[];
  /** The binary's file name, `<last import path element>.test` as `go test` names it. */
  readonly binaryName: string;
  /** Arguments for the test binary after cmd/go's own (`-test.run=X`, `-test.bench=.`). */
  readonly args: readonly string[];
}

/**
 * One input of a {@link GenericActionNode}, placed at `path` (exec-root relative):
 *
 * - `file`: a workspace file, with the digest of its bytes;
 * - `host-tool`: a program of the host (the shell genrule runs), keyed by its absolute path;
 * - `content`: a file written for the action from text known at analysis (`ctx.actions.write`);
 * - `node-output`: an output of another node: a generic action's declared output (`output`,
 *   its exec-root path) or, without `output`, a node's main output (a go_binary's link).
 */
export type GenericInput =
  | {
      readonly kind: 'file';
      readonly path: string;
      readonly absPath: string;
      readonly digest: Digest;
    }
  | { readonly kind: 'host-tool'; readonly path: string; readonly absPath: string }
  | { readonly kind: 'content'; readonly path: string; readonly content: string }
  | {
      readonly kind: 'node-output';
      readonly path: string;
      readonly nodeId: string;
      readonly output?: string;
      readonly executable?: boolean;
    };

/**
 * An action that is not Go's: plain data (one process, its environment, its inputs and the files
 * it declares), run by the same executor, keyed like every action (argv, env, every input's
 * digest, the output paths) and cached and reported the same way. `genrule` makes these; a
 * TypeScript rule's `ctx.actions.run` is meant to make them too.
 */
export interface GenericActionNode {
  readonly kind: 'generic';
  readonly id: string;
  /** The target's label, as progress lines show it. */
  readonly owner: string;
  readonly mnemonic: Mnemonic;
  /** What progress lines show (genrule's `message`, or the label). */
  readonly description: string;
  /** argv[0] is `${EXECROOT}/<path of a declared input>` (a tool, or a host-tool input). */
  readonly argv: readonly string[];
  /** The complete environment (fixed: nothing from the user's shell). */
  readonly env: Readonly<Record<string, string>>;
  readonly inputs: readonly GenericInput[];
  /** Declared outputs, exec-root relative, under the package's output directory. */
  readonly outputs: readonly string[];
  /**
   * Workspace-relative paths the outputs are placed at after the build (same order as `outputs`),
   * as binaries are placed under `pgobuild-out/bin`.
   */
  readonly placeAt: readonly string[];
}

/** How the `test` command runs test binaries (part of every test result's key). */
export interface TestRunOptions {
  /** Arguments passed to every test binary after cmd/go's own, in order. */
  readonly args: readonly string[];
}

/** Any node of the action graph. */
export type BuildNode = CompileNode | LinkNode | TestRunNode | GenericActionNode;

/** The nodes a node depends on. */
export function nodeDeps(node: BuildNode): string[] {
  switch (node.kind) {
    case 'compile':
      return node.deps.map((d) => d.nodeId);
    case 'link':
      return [node.mainNodeId, ...node.deps.map((d) => d.nodeId)];
    case 'test-run':
      return [node.linkNodeId];
    case 'generic':
      return [...new Set(node.inputs.flatMap((i) => (i.kind === 'node-output' ? [i.nodeId] : [])))];
    default:
      return unreachable(node);
  }
}

/** What a command asked for, resolved into graph nodes. */
export interface BuildGraph {
  readonly nodes: ReadonlyMap<string, BuildNode>;
  /** Nodes the command needs (binaries' links, libraries' compiles, test runs), in request order. */
  readonly roots: readonly string[];
}

/** Context shared by graph construction for one command. */
export interface StdContext {
  readonly sdk: GoSdk;
  readonly stdlib: ReadonlyMap<string, StdPackage>;
  /** `$GOROOT/pkg/include` headers (for packages with assembly). */
  readonly includeFiles: readonly SourceFile[];
}
