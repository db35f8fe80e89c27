import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { GoSdk } from '../../toolchain';
import { type Result, err, ok, writeFileAtomically } from '../util';
import type { Platform } from './platform';

const execFileAsync = promisify(execFile);

/** A standard-library package as the SDK's own `go list` sees it for one platform. */
export interface StdPackage {
  readonly importPath: string;
  readonly name: string;
  /** Directory relative to GOROOT, e.g. `src/runtime` or `src/vendor/golang.org/x/net/dns/dnsmessage`. */
  readonly dir: string;
  readonly goFiles: readonly string[];
  readonly sFiles: readonly string[];
  readonly hFiles: readonly string[];
  /** Resolved import paths (vendored ones as `vendor/…`), in `go list` order. */
  readonly imports: readonly string[];
  /** Import path as written → resolved path, for imports that differ (vendored packages). */
  readonly importMap: Readonly<Record<string, string>>;
}

/** Why standard-library metadata could not be listed. */
export type StdlibFailure = { readonly reason: 'stdlib-list-failed'; readonly message: string };

/** Bumped when the stored listing format changes. */
const LISTING_VERSION = 1;

/**
 * The standard library for `platform`, listed once per (toolchain identity, platform) with the
 * SDK's own `go list -deps std` (so file selection and vendoring are exactly cmd/go's) and kept in
 * `<stateDir>/stdlib/`. Only GOROOT is read; the listing runs with a clean environment. Build
 * tags (`--gotags`) select std files as `go build -tags` does (`netgo`, `osusergo`, …), so they
 * are passed to the listing and name its file.
 */
export async function loadStdlib(
  sdk: GoSdk,
  platform: Platform,
  stateDir: string,
  tags: readonly string[] = [],
): Promise<Result<ReadonlyMap<string, StdPackage>, StdlibFailure>> {
  const tagged = tags.length === 0 ? '' : `-tags_${tags.join(',')}`;
  const file = path.join(
    stateDir,
    'stdlib',
    `v${LISTING_VERSION}-${sdk.identity}-${platform.goos}_${platform.goarch}_${platform.archLevel}${tagged}.json`,
  );
  try {
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as StdPackage[];
    return ok(new Map(stored.map((p) => [p.importPath, p])));
  } catch {
    // Not listed yet (or damaged): list again below.
  }
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(
      path.join(sdk.goroot, 'bin', 'go'),
      [
        'list',
        '-e',
        '-deps',
        ...(tags.length === 0 ? [] : [`-tags=${tags.join(',')}`]),
        '-json=ImportPath,Name,Dir,GoFiles,SFiles,HFiles,Imports,ImportMap,Error',
        'std',
      ],
      {
        cwd: sdk.goroot,
        maxBuffer: 64 << 20,
        env: {
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          HOME: process.env['HOME'] ?? '/',
          GOTOOLCHAIN: 'local',
          GOENV: 'off',
          GOFLAGS: '',
          CGO_ENABLED: platform.cgoEnabled ? '1' : '0',
          GOOS: platform.goos,
          GOARCH: platform.goarch,
          ...(platform.archEnv !== undefined ? { [platform.archEnv]: platform.archLevel } : {}),
        },
      },
    ));
  } catch (e) {
    return err({ reason: 'stdlib-list-failed', message: `go list std: ${(e as Error).message}` });
  }
  const packages: StdPackage[] = [];
  // `go list -json` prints concatenated JSON objects; split them at top-level boundaries.
  for (const chunk of stdout.split(/\n(?=\{)/)) {
    if (chunk.trim() === '') continue;
    const p = JSON.parse(chunk) as {
      ImportPath: string;
      Name: string;
      Dir: string;
      GoFiles?: string[];
      SFiles?: string[];
      HFiles?: string[];
      Imports?: string[];
      ImportMap?: Record<string, string>;
      Error?: { Err: string };
    };
    if (p.Error !== undefined)
      return err({ reason: 'stdlib-list-failed', message: `${p.ImportPath}: ${p.Error.Err}` });
    packages.push({
      importPath: p.ImportPath,
      name: p.Name,
      dir: path.relative(sdk.goroot, p.Dir),
      goFiles: p.GoFiles ?? [],
      sFiles: p.SFiles ?? [],
      hFiles: p.HFiles ?? [],
      imports: p.Imports ?? [],
      importMap: p.ImportMap ?? {},
    });
  }
  await writeFileAtomically(file, JSON.stringify(packages));
  return ok(new Map(packages.map((p) => [p.importPath, p])));
}
