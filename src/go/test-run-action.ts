import * as path from 'node:path';
import { type Action, contentInput } from '../actions';
import type { Digest } from '../util';
import type { SourceFile } from './compile-action';
import { inExecRoot } from './exec-root';
import { type Platform, platformEnv } from './platform';

/** Where the test binary sits in the exec root of its run (its file name is `binaryName`). */
const TEST_BINARY_DIR = '_test';

/** One run of a test binary. */
export interface TestRun {
  /** Package directory (workspace-relative): the test's working directory. */
  readonly pkgDir: string;
  readonly binary: Digest;
  /** The binary's file name, see {@link testBinaryName}. */
  readonly binaryName: string;
  /** Files named relative to `pkgDir` (`../other/x` for another package's). */
  readonly dataFiles: readonly SourceFile[];
  /** Arguments after cmd/go's own. */
  readonly args: readonly string[];
}

/**
 * Runs a test binary the way `go test` does (`<pkg>.test -test.paniconexit0 -test.timeout=10m0s`
 * then the user's arguments, in the package directory), with only the package's files around it
 * and a private temp dir. Its key is the binary's digest, those files and the arguments, so a
 * passing result is cached per set of arguments.
 */
export function testRunAction(run: TestRun, platform: Platform, description: string): Action {
  const binary = `${TEST_BINARY_DIR}/${run.binaryName}`;
  return {
    mnemonic: 'GoTestRun',
    description,
    steps: [
      {
        kind: 'spawn',
        cwd: run.pkgDir,
        // cmd/go puts its defaults first: a user's -test.timeout, given later, wins.
        argv: [inExecRoot(binary), '-test.paniconexit0', '-test.timeout=10m0s', ...run.args],
      },
    ],
    env: {
      ...platformEnv(platform),
      HOME: inExecRoot('_tmp'),
      TMPDIR: inExecRoot('_tmp'),
      PATH: '/usr/bin:/bin',
    },
    inputs: [
      { path: binary, digest: run.binary, source: { kind: 'cas' }, executable: true },
      // The private temp dir exists because a file is declared in it.
      contentInput('_tmp/.keep', ''),
      ...run.dataFiles.map((f) => ({
        path: path.posix.normalize(path.posix.join(run.pkgDir, f.name)),
        digest: f.digest,
        source: { kind: 'file' as const, absPath: f.absPath },
      })),
    ],
    outputs: [],
  };
}

/**
 * cmd/go's `testBinaryName`: the last element of the import path (the one before a `/vN` major
 * version element, as `DefaultExecName` does in module mode) plus `.test`. `go test` runs the
 * binary by that name, so it is the test's `os.Args[0]` base name.
 */
export function testBinaryName(importPath: string): string {
  const elems = importPath.split('/');
  let elem = elems[elems.length - 1] ?? importPath;
  // load.isVersionElement: v2, v3, … v10 (not v1, v0 or v01).
  if (elems.length > 1 && /^v[1-9][0-9]*$/.test(elem) && elem !== 'v1')
    elem = elems[elems.length - 2] ?? elem;
  return `${elem}.test`;
}
