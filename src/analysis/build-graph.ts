import { unreachable } from '../util';
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

/** How the `test` command runs test binaries (part of every test result's key). */
export interface TestRunOptions {
  /** Arguments passed to every test binary after cmd/go's own, in order. */
  readonly args: readonly string[];
}

/** Any node of the action graph. */
export type BuildNode = CompileNode | LinkNode | TestRunNode;

/** The nodes a node depends on. */
export function nodeDeps(node: BuildNode): string[] {
  switch (node.kind) {
    case 'compile':
      return node.deps.map((d) => d.nodeId);
    case 'link':
      return [node.mainNodeId, ...node.deps.map((d) => d.nodeId)];
    case 'test-run':
      return [node.linkNodeId];
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
