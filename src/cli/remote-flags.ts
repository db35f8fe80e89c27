import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { RemoteCacheOptions, RemoteProtocol } from '../cache/remote/remote-cache-options';
import type { Result } from '../util/result';
import { err, ok } from '../util/result';
import { unreachable } from '../util/unreachable';
import type { SourcedArg } from './rc-file';

/** Bazel's default `--remote_timeout`, in seconds. */
export const DEFAULT_REMOTE_TIMEOUT_SECONDS = 60;

/** The remote cache flags, named as Bazel names them. */
export const REMOTE_FLAGS = {
  remote_cache: 'string',
  remote_upload_local_results: 'boolean',
  remote_timeout: 'string',
  remote_header: 'string',
  tls_certificate: 'string',
} as const;

type RemoteFlagName = keyof typeof REMOTE_FLAGS;

/** One occurrence of a remote flag, with where it came from. */
interface FlagUse {
  readonly name: RemoteFlagName;
  readonly value: string;
  readonly source: SourcedArg;
}

/** The remote flags found in the arguments, and the other arguments, in order. */
export interface ExtractedRemoteFlags {
  readonly uses: readonly FlagUse[];
  readonly rest: readonly SourcedArg[];
}

/**
 * Takes the remote cache flags out of the arguments (rc-file ones first, then the command line's,
 * so later ones win), in every form Bazel and yargs accept: `--name=value`, `--name value`, and for
 * the boolean `--name`, `--noname`, `--no-name`. Stops at `--` (what follows belongs to the program
 * of `pgobuild run`).
 */
export function extractRemoteFlags(
  args: readonly SourcedArg[],
): Result<ExtractedRemoteFlags, string> {
  const uses: FlagUse[] = [];
  const rest: SourcedArg[] = [];
  for (let i = 0; i < args.length; i++) {
    const source = args[i] as SourcedArg;
    const a = source.arg;
    if (a === '--') {
      rest.push(...args.slice(i));
      break;
    }
    const m = /^--(no-?)?([a-z_]+)(?:=(.*))?$/s.exec(a);
    const negated = m?.[1] !== undefined;
    const name = m?.[2];
    if (m === null || name === undefined || !(name in REMOTE_FLAGS)) {
      rest.push(source);
      continue;
    }
    const flag = name as RemoteFlagName;
    const inline = m[3];
    if (REMOTE_FLAGS[flag] === 'boolean') {
      if (negated && inline !== undefined) {
        return err(`${a} (${source.origin}): a negated flag takes no value`);
      }
      uses.push({ name: flag, value: negated ? 'false' : (inline ?? 'true'), source });
      continue;
    }
    if (negated) {
      rest.push(source); // not one of ours (e.g. --no-remote_cache is not a flag)
      continue;
    }
    if (inline !== undefined) {
      uses.push({ name: flag, value: inline, source });
      continue;
    }
    const next = args[i + 1];
    if (next === undefined || next.arg.startsWith('--')) {
      return err(`--${flag} (${source.origin}) needs a value: --${flag}=VALUE`);
    }
    uses.push({ name: flag, value: next.arg, source });
    i++;
  }
  return ok({ uses, rest });
}

/**
 * Validates the remote flags into {@link RemoteCacheOptions} (undefined when no
 * `--remote_cache`, or an empty one, is given). A bad value is an error naming the flag and where
 * it came from (`command line` or `.pgobuildrc:LINE`); the CA file of `--tls_certificate` is read
 * here.
 */
export async function remoteCacheOptions(
  uses: readonly FlagUse[],
): Promise<Result<RemoteCacheOptions | undefined, string>> {
  const last = (name: RemoteFlagName): FlagUse | undefined =>
    uses.filter((u) => u.name === name).at(-1);
  const bad = (u: FlagUse, why: string): Result<never, string> =>
    err(`--${u.name}=${u.value} (${u.source.origin}): ${why}`);
  // Every value is checked, even when a later one overrides it: a typo should not hide.
  for (const u of uses) {
    const checked = checkValue(u);
    if (!checked.ok) return bad(u, checked.failure);
  }
  const cache = last('remote_cache');
  if (cache === undefined || cache.value === '') return ok(undefined);
  const endpoint = parseRemoteCacheUrl(cache.value);
  if (!endpoint.ok) return bad(cache, endpoint.failure);
  const timeout = last('remote_timeout');
  const timeoutMs =
    timeout === undefined
      ? DEFAULT_REMOTE_TIMEOUT_SECONDS * 1000
      : (parseTimeoutMs(timeout.value) as number);
  const upload = last('remote_upload_local_results');
  const headers = uses
    .filter((u) => u.name === 'remote_header')
    .map((u) => parseHeader(u.value) as [string, string]);
  let caCertificate: Buffer | undefined;
  const ca = last('tls_certificate');
  if (ca !== undefined && ca.value !== '' && endpoint.value.tls) {
    const file = path.resolve(ca.source.baseDir, ca.value);
    try {
      caCertificate = await fs.readFile(file);
    } catch (e) {
      return bad(ca, `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    if (!caCertificate.includes('-----BEGIN CERTIFICATE-----')) {
      return bad(ca, `${file} holds no PEM certificate`);
    }
  }
  return ok({
    ...endpoint.value,
    headers,
    timeoutMs,
    uploadLocalResults: upload === undefined ? true : parseBoolean(upload.value) === true,
    caCertificate,
  });
}

/** The parts of {@link RemoteCacheOptions} a `--remote_cache` URL decides. */
export type RemoteEndpoint = Pick<
  RemoteCacheOptions,
  'url' | 'protocol' | 'tls' | 'hostPort' | 'pathPrefix' | 'credentials'
>;

/**
 * Parses a `--remote_cache` URL: `http://`, `https://` (Bazel's HTTP cache protocol, an optional
 * path prefix), `grpc://`, `grpcs://` (REAPI; no path), optional `user:password@` for basic auth.
 */
export function parseRemoteCacheUrl(value: string): Result<RemoteEndpoint, string> {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return err('not a URL (expected e.g. grpc://host:9092 or http://host:8080)');
  }
  const schemes: Record<string, { protocol: RemoteProtocol; tls: boolean }> = {
    'http:': { protocol: 'http', tls: false },
    'https:': { protocol: 'http', tls: true },
    'grpc:': { protocol: 'grpc', tls: false },
    'grpcs:': { protocol: 'grpc', tls: true },
  };
  const scheme = schemes[u.protocol];
  if (scheme === undefined) {
    return err(`unsupported scheme ${u.protocol} (use http://, https://, grpc:// or grpcs://)`);
  }
  if (u.hostname === '') return err('no host');
  if (u.search !== '' || u.hash !== '') return err('a query or fragment is not allowed');
  const pathPrefix = u.pathname.replace(/\/+$/, '');
  if (scheme.protocol === 'grpc' && pathPrefix !== '') {
    return err('a grpc:// URL has no path (instance names are not supported)');
  }
  let port = u.port;
  if (port === '') {
    if (u.protocol === 'grpc:') return err('grpc:// needs a port (e.g. grpc://host:9092)');
    port = u.protocol === 'http:' ? '80' : '443';
  }
  const host = u.hostname;
  const hostPort = `${host}:${port}`;
  let credentials: RemoteEndpoint['credentials'];
  if (u.username !== '' || u.password !== '') {
    try {
      credentials = {
        user: decodeURIComponent(u.username),
        password: decodeURIComponent(u.password),
      };
    } catch {
      return err('the credentials are not valid percent-encoding');
    }
  }
  return ok({
    url: `${u.protocol}//${u.host}${pathPrefix}`,
    protocol: scheme.protocol,
    tls: scheme.tls,
    hostPort,
    pathPrefix,
    credentials,
  });
}

function checkValue(u: FlagUse): Result<void, string> {
  switch (u.name) {
    case 'remote_cache': {
      if (u.value === '') return ok(undefined);
      const r = parseRemoteCacheUrl(u.value);
      return r.ok ? ok(undefined) : r;
    }
    case 'remote_timeout':
      return parseTimeoutMs(u.value) === undefined
        ? err('not a positive number of seconds (e.g. 60 or 2.5)')
        : ok(undefined);
    case 'remote_upload_local_results':
      return parseBoolean(u.value) === undefined ? err('not true or false') : ok(undefined);
    case 'remote_header':
      return parseHeader(u.value) === undefined
        ? err('expected NAME=VALUE with an HTTP header name and a one-line value')
        : ok(undefined);
    case 'tls_certificate':
      return ok(undefined);
    default:
      return unreachable(u.name);
  }
}

/** Seconds as Bazel accepts them (`60`, `2.5`, `10s`), in ms; undefined when not positive. */
function parseTimeoutMs(v: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)s?$/.exec(v.trim());
  if (m === null) return undefined;
  const ms = Math.round(Number(m[1]) * 1000);
  return ms > 0 && Number.isFinite(ms) ? ms : undefined;
}

function parseBoolean(v: string): boolean | undefined {
  switch (v.toLowerCase()) {
    case 'true':
    case '1':
    case 'yes':
      return true;
    case 'false':
    case '0':
    case 'no':
      return false;
    default:
      return undefined;
  }
}

function parseHeader(v: string): [string, string] | undefined {
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)=([^\r\n]*)$/.exec(v);
  return m === null ? undefined : [m[1] as string, m[2] as string];
}
