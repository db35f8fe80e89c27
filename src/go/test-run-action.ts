import type { Action } from '../actions';
import type { Digest } from '../util';
import type { SourceFile } from './compile-action';
import { inExecRoot } from './exec-root';
import { type Platform, platformEnv } from './platform';

/** Where the test binary sits in the exec root of its run. */
const TEST_BINARY = '_test/pkg.test';

/**
 * Runs a test binary the way `go test` does (`pkg.test -test.paniconexit0 -test.timeout=10m0s`,
 * in the package directory), with only the package's files around it and a private temp dir.
 * Its key is the binary's digest plus those files, so a passing result is cached.
 */
export function testRunAction(
  pkgDir: string,
  binary: Digest,
  dataFiles: readonly SourceFile[],
  platform: Platform,
  description: string,
): Action {
  return {
    mnemonic: 'GoTestRun',
    description,
    steps: [
      { kind: 'write-file', path: '_tmp/.keep', content: '' },
      {
        kind: 'spawn',
        cwd: pkgDir,
        argv: [inExecRoot(TEST_BINARY), '-test.paniconexit0', '-test.timeout=10m0s'],
      },
    ],
    env: {
      ...platformEnv(platform),
      HOME: inExecRoot('_tmp'),
      TMPDIR: inExecRoot('_tmp'),
      PATH: '/usr/bin:/bin',
    },
    inputs: [
      { path: TEST_BINARY, digest: binary, source: { kind: 'cas' } },
      ...dataFiles.map((f) => ({
        path: pkgDir === '' ? f.name : `${pkgDir}/${f.name}`,
        digest: f.digest,
        source: { kind: 'file' as const, absPath: f.absPath },
      })),
    ],
    outputs: [],
  };
}
