import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Result, err, isProcessAlive, ok } from '../src/util';
import { lookupChecksum } from './checksum-database';
import { moduleProxy } from './go-proxy';
import type { GoHostPlatform } from './host-platform';
import type { HttpGet } from './http-get';
import { type ZipEntry, readZipDirectory, readZipEntry } from './zip-archive';
import { hashZipFiles, type HashedZipFile } from './zip-hash';

/** The module every Go release is published as, one version per release and platform. */
export const TOOLCHAIN_MODULE = 'golang.org/toolchain';

/** Why a pinned SDK could not be made available. */
export type SdkDownloadFailure =
  | {
      /** No usable proxy, the proxy is unreachable, or it has no such version (404/410). */
      readonly reason: 'go-sdk-download';
      readonly message: string;
    }
  | {
      /** The zip's `h1:` hash differs from the pinned sum or the checksum database's. */
      readonly reason: 'go-sdk-verify';
      readonly message: string;
    };

/** Which SDK to make available, and the sum pinned for this platform, if any. */
export interface SdkDownloadRequest {
  /** `1.26.8` (no `go` prefix). */
  readonly version: string;
  readonly pinnedSum?: string;
}

/** Where and how to download. */
export interface SdkDownloadOptions {
  /** The SDK cache (`<disk_cache>/v1/sdk`); each SDK is a directory in it. */
  readonly cacheDir: string;
  readonly platform: GoHostPlatform;
  /** The `GOPROXY` value in effect (undefined: cmd/go's default). */
  readonly goproxy: string | undefined;
  readonly get: HttpGet;
  readonly signal?: AbortSignal;
}

/** An SDK available on disk. */
export interface AvailableSdk {
  /** `golang.org/toolchain@v0.0.1-go1.26.8.linux-amd64`. */
  readonly module: string;
  /** The unpacked GOROOT. */
  readonly goroot: string;
  /** The zip's `h1:` hash, verified when it was downloaded. */
  readonly sum: string;
  /** How this call verified it: a fresh download, or the copy a previous download verified. */
  readonly verifiedBy: 'pinned-sum' | 'checksum-database' | 'cache';
  /** Proxy it came from (only when downloaded now). */
  readonly proxy?: string;
}

/** Name of the file, beside the GOROOT, that records the verified `h1:` sum of the zip. */
const SUM_FILE = 'h1';
/** Toolchain zips are ~250 MB unpacked; refuse archives claiming far more. */
const MAX_UNPACKED_BYTES = 2 * 1024 ** 3;

/**
 * Makes the SDK of `request.version` for the host platform available under `opts.cacheDir`,
 * downloading it once as the module `golang.org/toolchain@v0.0.1-go<version>.<goos>-<goarch>`
 * from the first module proxy of GOPROXY, as cmd/go's toolchain switch does.
 *
 * The zip's `h1:` hash (dirhash over its files) must equal the pinned sum or, without one, the
 * checksum database's answer (through the same proxy, signature verified). The zip is unpacked
 * into a temp directory that is renamed into place only after verification, so a failure or a kill
 * leaves no partial SDK; temp directories of dead processes are removed on the next download.
 * Later calls use the unpacked copy without network, checking a pinned sum against the recorded one.
 */
export async function ensureSdk(
  request: SdkDownloadRequest,
  opts: SdkDownloadOptions,
): Promise<Result<AvailableSdk, SdkDownloadFailure>> {
  const name = `go${request.version}.${opts.platform.goos}-${opts.platform.goarch}`;
  const moduleVersion = `v0.0.1-${name}`;
  const module = `${TOOLCHAIN_MODULE}@${moduleVersion}`;
  const dir = path.join(opts.cacheDir, name);
  const goroot = path.join(dir, module);

  const recorded = readRecordedSum(dir);
  if (recorded !== undefined) {
    if (request.pinnedSum !== undefined && request.pinnedSum !== recorded)
      return err(mismatch(module, recorded, request.pinnedSum, 'cached'));
    return ok({ module, goroot, sum: recorded, verifiedBy: 'cache' });
  }

  const proxy = moduleProxy(opts.goproxy);
  if (!proxy.ok) return err({ reason: 'go-sdk-download', message: proxy.failure });
  const url = `${proxy.value}/${TOOLCHAIN_MODULE}/@v/${moduleVersion}.zip`;
  const res = await opts.get(url, opts.signal);
  if (!res.ok)
    return err({
      reason: 'go-sdk-download',
      message: `cannot download ${module} from ${proxy.value}: ${res.failure}`,
    });
  const { status, body } = res.value;
  if (status === 404 || status === 410)
    return err({
      reason: 'go-sdk-download',
      message: `Go ${request.version} for ${opts.platform.goos}/${opts.platform.goarch} does not exist: ${url} answered ${status}${firstLine(body)}`,
    });
  if (status !== 200)
    return err({
      reason: 'go-sdk-download',
      message: `Go ${request.version} for ${opts.platform.goos}/${opts.platform.goarch} is not available from ${proxy.value}: ${url} answered ${status}${firstLine(body)}`,
    });

  let expected = request.pinnedSum;
  let verifiedBy: AvailableSdk['verifiedBy'] = 'pinned-sum';
  if (expected === undefined) {
    const looked = await lookupChecksum(
      proxy.value,
      TOOLCHAIN_MODULE,
      moduleVersion,
      opts.get,
      opts.signal,
    );
    if (!looked.ok)
      return err({
        reason: 'go-sdk-verify',
        message: `cannot verify ${module} against the Go checksum database: ${looked.failure}`,
      });
    expected = looked.value.sum;
    verifiedBy = 'checksum-database';
  }

  fs.mkdirSync(opts.cacheDir, { recursive: true });
  removeAbandonedTempDirs(opts.cacheDir, name);
  const temp = path.join(
    opts.cacheDir,
    `${tempPrefix(name)}${process.pid}.${randomBytes(4).toString('hex')}`,
  );
  const unpacked = unpackVerified(body, `${module}/`, temp, expected, module);
  if (!unpacked.ok) {
    fs.rmSync(temp, { recursive: true, force: true });
    return unpacked;
  }
  try {
    fs.writeFileSync(path.join(temp, SUM_FILE), `${expected}\n`);
    fs.renameSync(temp, dir);
  } catch (e) {
    fs.rmSync(temp, { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code;
    // Another build unpacked the same SDK first: its copy was verified the same way.
    const theirs = readRecordedSum(dir);
    if ((code === 'ENOTEMPTY' || code === 'EEXIST') && theirs === expected)
      return ok({ module, goroot, sum: expected, verifiedBy, proxy: proxy.value });
    return err({
      reason: 'go-sdk-download',
      message: `cannot move ${module} into ${dir}: ${(e as Error).message}`,
    });
  }
  return ok({ module, goroot, sum: expected, verifiedBy, proxy: proxy.value });
}

function readRecordedSum(dir: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dir, SUM_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
}

function firstLine(body: Buffer): string {
  const line = (body.toString('utf8').trim().split('\n')[0] ?? '').slice(0, 200);
  return line === '' ? '' : `: ${line}`;
}

function mismatch(
  module: string,
  actual: string,
  pinned: string,
  what: 'downloaded' | 'cached',
): SdkDownloadFailure {
  return {
    reason: 'go-sdk-verify',
    message:
      `checksum mismatch for ${module}\n` +
      `    ${what}: ${actual}\n` +
      `    pinned:     ${pinned}\n` +
      `the SDK was not used; check the pinned sum (it is per platform: golang.org/toolchain publishes one zip per GOOS-GOARCH)`,
  };
}

/** Temp directories carry the host name and pid, so only this host's dead builds' are removed. */
function tempPrefix(name: string): string {
  return `.tmp-${name}-${os.hostname()}-`;
}

function removeAbandonedTempDirs(cacheDir: string, name: string): void {
  const prefix = tempPrefix(name);
  for (const entry of fs.readdirSync(cacheDir)) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !isProcessAlive(pid))
      fs.rmSync(path.join(cacheDir, entry), { recursive: true, force: true });
  }
}

/**
 * Unpacks every entry of `zip` below `temp` (names must lie under `prefix`), hashing each file as
 * it goes, and checks the zip's `h1:` hash against `expected`. File modes come from the zip; for a
 * zip without them, cmd/go's rule applies (bin/, pkg/tool/ and lib/…/go_*_*_exec executable).
 * Each `_go.mod` is also copied to `go.mod` beside it, as cmd/go does after downloading a toolchain
 * (module zips cannot hold nested go.mod files; GOROOT/src needs them).
 */
function unpackVerified(
  zip: Buffer,
  prefix: string,
  temp: string,
  expected: string,
  module: string,
): Result<void, SdkDownloadFailure> {
  const bad = (detail: string): Result<void, SdkDownloadFailure> =>
    err({ reason: 'go-sdk-verify', message: `${module}: bad zip from the proxy: ${detail}` });
  const listed = readZipDirectory(zip);
  if (!listed.ok) return bad(listed.failure);
  let total = 0;
  for (const e of listed.value) {
    total += e.uncompressedSize;
    if (!safeName(e.name, prefix)) return bad(`entry ${JSON.stringify(e.name)} outside ${prefix}`);
  }
  if (total > MAX_UNPACKED_BYTES) return bad(`claims ${total} bytes unpacked`);
  const hashed: HashedZipFile[] = [];
  const goMods: string[] = [];
  try {
    fs.mkdirSync(temp, { recursive: true });
    const made = new Set<string>();
    for (const e of listed.value) {
      const data = readZipEntry(zip, e);
      if (!data.ok) return bad(data.failure);
      hashed.push({ name: e.name, sha256: createHash('sha256').update(data.value).digest('hex') });
      const target = path.join(temp, ...e.name.split('/'));
      if (e.name.endsWith('/')) {
        fs.mkdirSync(target, { recursive: true });
        continue;
      }
      const parent = path.dirname(target);
      if (!made.has(parent)) {
        fs.mkdirSync(parent, { recursive: true });
        made.add(parent);
      }
      fs.writeFileSync(target, data.value, { mode: fileMode(e, prefix) });
      if (path.basename(target) === '_go.mod') goMods.push(target);
    }
  } catch (e) {
    return err({
      reason: 'go-sdk-download',
      message: `cannot unpack ${module} into ${temp}: ${(e as Error).message}`,
    });
  }
  const actual = hashZipFiles(hashed);
  if (!actual.ok) return bad(actual.failure);
  if (actual.value !== expected) return err(mismatch(module, actual.value, expected, 'downloaded'));
  for (const g of goMods) fs.copyFileSync(g, path.join(path.dirname(g), 'go.mod'));
  return ok(undefined);
}

function safeName(name: string, prefix: string): boolean {
  if (!name.startsWith(prefix) || name.includes('\\') || name.includes('\0')) return false;
  return !name.split('/').some((part) => part === '..' || part === '.');
}

function fileMode(e: ZipEntry, prefix: string): number {
  if (e.unixMode !== undefined) return (e.unixMode & 0o777) | 0o600;
  const rel = e.name.slice(prefix.length);
  const executable =
    rel.startsWith('bin/') ||
    rel.startsWith('pkg/tool/') ||
    (rel.startsWith('lib/') && /^go_.+_.+_exec$/.test(path.posix.basename(rel)));
  return executable ? 0o755 : 0o644;
}
