import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GoSdk } from '../../toolchain';
import { type Action, type ActionInput, type Step, contentInput } from '../actions';
import type { FileDigester } from '../hashing';
import type { Digest } from '../util';
import type { SourceFile } from './compile-action';
import { EXEC_ROOT, inExecRoot } from './exec-root';

/**
 * The builder: a small Go program (toolchain/builder) for the steps of an action that are not SDK
 * tools, today cmd/go's in-process `pack` (appending assembly objects to a package archive). It
 * is built from its source with the selected SDK by one action ({@link builderAction}), cached
 * like any other, and every action that runs it declares the resulting binary as an input.
 */
export interface Builder {
  /** The builder binary as an input (from the CAS, executable). */
  readonly input: ActionInput;
  /** `${EXECROOT}/<input path>`. */
  readonly argv0: string;
}

/** Where actions that run the builder see it. */
const BUILDER_INPUT_PATH = '_tools/builder';
/** The builder action's output (the binary). */
export const BUILDER_OUTPUT = '_out/builder';
/** The builder's source files, in the order they are declared. */
const BUILDER_SOURCES = ['go.mod', 'main.go'] as const;
/** Where the builder's sources sit in the exec root of the action that builds it. */
const BUILDER_SOURCE_DIR = 'builder';
/** The SDK's go command inside the exec root (a declared input of the builder action). */
const GO_COMMAND = `${EXEC_ROOT.goroot}/bin/go`;

/** The builder binary with this digest, as an input of an action. */
export function builderInput(digest: Digest): Builder {
  return {
    input: { path: BUILDER_INPUT_PATH, digest, source: { kind: 'cas' }, executable: true },
    argv0: inExecRoot(BUILDER_INPUT_PATH),
  };
}

/**
 * `builder pack r <archive> <members…>` (cmd/go prints its in-process pack the same way): appends
 * the members, exec-root relative, to the archive, byte for byte as cmd/go's `packInternal`.
 */
export function packStep(builder: Builder, archive: string, members: readonly string[]): Step {
  return { kind: 'spawn', cwd: '', argv: [builder.argv0, 'pack', 'r', archive, ...members] };
}

/**
 * The directory holding the builder's Go source: `toolchain/builder` at the package root, found
 * from this file both when compiled (dist/src/go) and when run from source (src/go).
 */
export function builderSourceDir(): string {
  for (const up of ['../..', '../../..']) {
    const dir = path.resolve(__dirname, up, 'toolchain', 'builder');
    if (fs.existsSync(path.join(dir, 'main.go'))) return dir;
  }
  throw new Error(
    `bug: the builder's source (toolchain/builder/main.go) is not installed near ${__dirname}`,
  );
}

/** The builder's source files with their digests (the stat cache makes this cheap when unchanged). */
export async function builderSources(digester: FileDigester): Promise<SourceFile[]> {
  const dir = builderSourceDir();
  return Promise.all(
    BUILDER_SOURCES.map(async (name) => {
      const absPath = path.join(dir, name);
      return { name, absPath, digest: await digester.digest(absPath) };
    }),
  );
}

/**
 * The action that builds the builder: `go build -trimpath -buildvcs=false` with CGO_ENABLED=0 in
 * a clean environment (private GOCACHE, GOPATH, HOME and TMPDIR inside the exec root, GOENV=off,
 * GOFLAGS empty, GOTOOLCHAIN=local, GOPROXY=off: the builder imports only the standard library),
 * for the host platform. Its key holds the sources' digests, the go command's digest and the
 * toolchain identity (version and tool digests, which pin the SDK sources `go build` reads from
 * `${GOROOT}`), so it runs once per SDK and builder version and is a cache hit after that.
 */
export function builderAction(
  sources: readonly SourceFile[],
  sdk: GoSdk,
  goCommandDigest: Digest,
): Action {
  const tmp = '_tmp';
  return {
    mnemonic: 'GoBuilder',
    description: `builder (${sdk.version})`,
    steps: [
      {
        kind: 'spawn',
        cwd: BUILDER_SOURCE_DIR,
        argv: [
          inExecRoot(GO_COMMAND),
          'build',
          '-trimpath',
          '-buildvcs=false',
          '-o',
          inExecRoot(BUILDER_OUTPUT),
          '.',
        ],
      },
    ],
    env: {
      GOROOT: '${GOROOT}',
      GOOS: sdk.hostOs,
      GOARCH: sdk.hostArch,
      CGO_ENABLED: '0',
      GO111MODULE: 'on',
      GOTOOLCHAIN: 'local',
      GOENV: 'off',
      GOFLAGS: '',
      GOPROXY: 'off',
      GOTELEMETRY: 'off',
      GOCACHE: inExecRoot(`${tmp}/gocache`),
      GOPATH: inExecRoot(`${tmp}/gopath`),
      HOME: inExecRoot(tmp),
      TMPDIR: inExecRoot(tmp),
    },
    inputs: [
      {
        path: GO_COMMAND,
        digest: goCommandDigest,
        source: { kind: 'file', absPath: path.join(sdk.goroot, 'bin', 'go') },
        executable: true,
      },
      ...sources.map((f) => ({
        path: `${BUILDER_SOURCE_DIR}/${f.name}`,
        digest: f.digest,
        source: { kind: 'file' as const, absPath: f.absPath },
      })),
      contentInput(`${tmp}/.keep`, ''),
    ],
    outputs: [BUILDER_OUTPUT],
  };
}
