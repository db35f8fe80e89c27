import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { FileDigester } from '../src/hashing';
import {
  type Digest,
  type Result,
  type SourceSpan,
  err,
  ok,
  sha256,
  writeFileAtomicallySync,
} from '../src/util';

const execFileAsync = promisify(execFile);

/** The Go tools pgobuild runs. Their digests are part of every action key. */
export const GO_TOOLS = ['compile', 'asm', 'link', 'preprofile'] as const;
/** Name of one tool pgobuild runs. */
export type GoToolName = (typeof GO_TOOLS)[number];

/** A selected Go SDK, pinned by its version and the SHA-256 of every tool binary it runs. */
export interface GoSdk {
  /** Absolute GOROOT. Never part of a key: only tool digests and the version are. */
  readonly goroot: string;
  /** Full version, e.g. `go1.26.8` (from `$GOROOT/VERSION`, experiment suffix removed). */
  readonly version: string;
  /** Minor version: 26 for go1.26.8. */
  readonly minor: number;
  readonly hostOs: string;
  readonly hostArch: string;
  /** Absolute paths of the tools, for running them. */
  readonly toolPaths: Readonly<Record<GoToolName, string>>;
  /** `${GOROOT}`-relative tool path used in argv (so keys hold no absolute path). */
  readonly toolArgv: Readonly<Record<GoToolName, string>>;
  readonly toolDigests: Readonly<Partial<Record<GoToolName, Digest>>>;
  /** SHA-256 over version and tool digests: the toolchain identity in action keys. */
  readonly identity: Digest;
}

/** Why an SDK could not be selected. */
export type GoSdkFailure = { readonly reason: 'go-sdk-not-found'; readonly message: string };

/** The line that asked for a downloaded SDK (`go_sdk(version = …)` or go.mod's `toolchain`). */
export interface GoSdkOrigin {
  readonly span: SourceSpan;
  readonly sourceLine: string;
}

/**
 * How the workspace selects the SDK: a GOROOT path, the `go` found on PATH, or a version that
 * pgobuild downloads through the Go module proxy (`go_sdk(version = …)` or go.mod's `toolchain`).
 */
export type GoSdkSelection =
  | { readonly kind: 'path'; readonly goroot: string }
  | { readonly kind: 'host' }
  | {
      readonly kind: 'download';
      /** `1.26.8`, without the `go` prefix. */
      readonly version: string;
      /** `sum = "h1:…"`: the pinned hash of the host platform's zip. */
      readonly sum?: string;
      /** `sum = {"linux-amd64": "h1:…", …}`: pinned hashes per `<goos>-<goarch>`. */
      readonly platformSums?: Readonly<Record<string, string>>;
      readonly origin: GoSdkOrigin;
    };

/** A selection of an SDK already on disk: what {@link loadGoSdk} pins. */
export type GoSdkLocation = Exclude<GoSdkSelection, { readonly kind: 'download' }>;

/** The oldest Go whose tools and flags pgobuild knows (see reference §1). */
const MIN_GO_MINOR = 21;

/**
 * Finds and pins the Go SDK. `go env` runs with a clean environment (GOTOOLCHAIN=local, no GOFLAGS)
 * so the user's shell cannot switch toolchains behind the build's back.
 */
export async function loadGoSdk(
  selection: GoSdkLocation,
  digester: FileDigester,
  stateDir?: string,
): Promise<Result<GoSdk, GoSdkFailure>> {
  const goBinary =
    selection.kind === 'path' ? path.join(selection.goroot, 'bin', 'go') : findOnPath('go');
  const env = await goEnv(goBinary, stateDir);
  if (!env.ok) {
    const where =
      selection.kind === 'path'
        ? `go_sdk(path = "${selection.goroot}")`
        : 'the `go` command on PATH';
    return err({ reason: 'go-sdk-not-found', message: `cannot run ${where}: ${env.failure}` });
  }
  return pinSdk(env.value, digester);
}

/** The first executable `name` on PATH (or `name` itself, for a clear spawn error). */
function findOnPath(name: string): string {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return name;
}

// No CC: the host's C compiler must not reach an action (keys would not travel; see link-action.ts).
const GO_ENV_VARS = ['GOROOT', 'GOHOSTOS', 'GOHOSTARCH', 'GOTOOLDIR'] as const;

/**
 * `go env` of a go binary. Running it costs tens of milliseconds, so the answer is remembered in
 * `stateDir`, keyed by the binary's real path, size and modification time.
 */
async function goEnv(
  goBinary: string,
  stateDir: string | undefined,
): Promise<Result<Record<string, string>, string>> {
  let memo: string | undefined;
  try {
    const real = fs.realpathSync(goBinary);
    const st = fs.statSync(real);
    const id = sha256(`${real}\0${st.size}\0${st.mtimeMs}\0${st.ino}`).slice(0, 32);
    if (stateDir !== undefined) memo = path.join(stateDir, 'go-env', `${id}.json`);
  } catch {
    memo = undefined;
  }
  if (memo !== undefined) {
    try {
      return ok(JSON.parse(fs.readFileSync(memo, 'utf8')) as Record<string, string>);
    } catch {
      // not remembered yet
    }
  }
  let env: Record<string, string>;
  try {
    const { stdout } = await execFileAsync(goBinary, ['env', '-json', ...GO_ENV_VARS], {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: process.env['HOME'] ?? '/',
        GOTOOLCHAIN: 'local',
        GOFLAGS: '',
        GOENV: 'off',
      },
    });
    env = JSON.parse(stdout) as Record<string, string>;
  } catch (e) {
    return err((e as Error).message.split('\n')[0] ?? 'failed');
  }
  if (memo !== undefined) {
    writeFileAtomicallySync(memo, JSON.stringify(env));
  }
  return ok(env);
}

async function pinSdk(
  env: Record<string, string>,
  digester: FileDigester,
): Promise<Result<GoSdk, GoSdkFailure>> {
  const goroot = env['GOROOT'] ?? '';
  let versionText: string;
  try {
    versionText = await fsp.readFile(path.join(goroot, 'VERSION'), 'utf8');
  } catch {
    return err({ reason: 'go-sdk-not-found', message: `${goroot}: no VERSION file; not a Go SDK` });
  }
  const version = (versionText.split('\n')[0] ?? '').trim().replace(/[ -]X:.*$/, '');
  const match = /^go1\.(\d+)/.exec(version);
  if (match === null)
    return err({
      reason: 'go-sdk-not-found',
      message: `${goroot}: unrecognized Go version "${version}"`,
    });
  const minor = Number(match[1]);
  if (minor < MIN_GO_MINOR) {
    return err({
      reason: 'go-sdk-not-found',
      message: `${goroot}: ${version} is too old; pgobuild supports Go 1.${MIN_GO_MINOR} and newer`,
    });
  }
  const hostOs = env['GOHOSTOS'] ?? '';
  const hostArch = env['GOHOSTARCH'] ?? '';
  const toolDir = path.join(goroot, 'pkg', 'tool', `${hostOs}_${hostArch}`);
  const toolPaths = {} as Record<GoToolName, string>;
  const toolArgv = {} as Record<GoToolName, string>;
  const toolDigests: Partial<Record<GoToolName, Digest>> = {};
  for (const tool of GO_TOOLS) {
    toolPaths[tool] = path.join(toolDir, tool);
    toolArgv[tool] = `\${GOROOT}/pkg/tool/${hostOs}_${hostArch}/${tool}`;
    try {
      toolDigests[tool] = await digester.digest(toolPaths[tool]);
    } catch {
      // preprofile exists only from Go 1.23; other tools must exist.
      if (tool !== 'preprofile' || minor >= 23) {
        return err({ reason: 'go-sdk-not-found', message: `${toolPaths[tool]}: missing Go tool` });
      }
    }
  }
  const identity = sha256(
    JSON.stringify({ version, tools: GO_TOOLS.map((t) => [t, toolDigests[t] ?? null]) }),
  );
  return ok({
    goroot,
    version,
    minor,
    hostOs,
    hostArch,
    toolPaths,
    toolArgv,
    toolDigests,
    identity,
  });
}
