import { err, ok, type Result } from '../util/result';
import { unreachable } from '../util/unreachable';

/**
 * Why a running instance gave no profile:
 * - `instance-bad-url`: the `--from` value is not an http(s) URL;
 * - `instance-unreachable`: connecting failed, or the connection broke before the body was
 *   complete (the instance died mid-window);
 * - `instance-http-status`: it answered with a status other than 200;
 * - `instance-timeout`: no complete answer within the window plus the grace period.
 */
export type InstanceFailureReason =
  'instance-bad-url' | 'instance-unreachable' | 'instance-http-status' | 'instance-timeout';

/** An instance that gave no profile, and what happened. */
export interface InstanceFailure {
  readonly reason: InstanceFailureReason;
  readonly url: string;
  readonly message: string;
}

/** Renders an instance failure as one line, e.g. `http://10.0.0.5:6060: unreachable: ECONNRESET`. */
export function formatInstanceFailure(f: InstanceFailure): string {
  return `${f.url}: ${phrase(f.reason)}${f.message}`;
}

function phrase(reason: InstanceFailureReason): string {
  switch (reason) {
    case 'instance-bad-url':
      return 'bad --from URL: ';
    case 'instance-unreachable':
      return 'instance failed: ';
    case 'instance-http-status':
      return 'instance refused: ';
    case 'instance-timeout':
      return 'timed out: ';
    default:
      return unreachable(reason);
  }
}

/**
 * The CPU profile URL for an instance given as `--from`: a bare `http://host:port` (or one
 * ending in `/debug/pprof/`) gets `/debug/pprof/profile`; a full profile URL is kept; in every
 * case `seconds=N` is set.
 */
export function profileUrl(from: string, seconds: number): Result<URL, InstanceFailure> {
  let url: URL;
  try {
    url = new URL(from);
  } catch {
    return err({
      reason: 'instance-bad-url',
      url: from,
      message: 'expected http://host:port or a /debug/pprof/profile URL',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return err({
      reason: 'instance-bad-url',
      url: from,
      message: `scheme ${url.protocol} is not http or https`,
    });
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/debug/pprof/profile';
  else if (url.pathname.endsWith('/debug/pprof/') || url.pathname.endsWith('/debug/pprof'))
    url.pathname = `${url.pathname.replace(/\/$/, '')}/profile`;
  url.searchParams.set('seconds', String(seconds));
  return ok(url);
}

/**
 * Fetches one instance's profile body. Gives up after `timeoutMs` or when `signal` aborts; an
 * instance killed mid-window breaks the connection and is reported as unreachable.
 */
export async function fetchInstanceProfile(
  from: string,
  url: URL,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Result<Uint8Array, InstanceFailure>> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, { signal: AbortSignal.any([signal, timeout]) });
    if (response.status !== 200) {
      const text = (await response.text()).trim().slice(0, 200);
      return err({
        reason: 'instance-http-status',
        url: from,
        message: `HTTP ${response.status}${text === '' ? '' : ` (${text})`}; expected 200 with a CPU profile`,
      });
    }
    return ok(new Uint8Array(await response.arrayBuffer()));
  } catch (e) {
    if (timeout.aborted) {
      return err({
        reason: 'instance-timeout',
        url: from,
        message: `no complete profile within ${Math.round(timeoutMs / 1000)} s`,
      });
    }
    return err({ reason: 'instance-unreachable', url: from, message: networkMessage(e) });
  }
}

/** undici's "fetch failed" hides the useful part in `cause`. */
function networkMessage(e: unknown): string {
  const { message, cause } = (e ?? {}) as { message?: unknown; cause?: unknown };
  const c = (cause ?? {}) as { code?: unknown; message?: unknown };
  const detail = [c.code, c.message].filter((x) => typeof x === 'string').join(' ');
  const head = typeof message === 'string' ? message : String(e);
  return detail === '' ? head : `${head}: ${detail}`;
}
