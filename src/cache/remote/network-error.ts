import type { RemoteFailure } from './remote-store';

/** Error codes that mean "no server there" (as opposed to a server that answered badly). */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

/**
 * Classifies an exception thrown by a network call (node:http, a socket) as a
 * {@link RemoteFailure}: aborted by the timeout signal → `remote-timeout`; refused, reset,
 * unresolvable or a failed TLS handshake → `remote-unavailable`; anything else → `remote-error`.
 */
export function classifyNetworkError(
  e: unknown,
  timeout: AbortSignal,
  timeoutMs: number,
  doing: string,
): RemoteFailure {
  if (timeout.aborted) {
    return {
      reason: 'remote-timeout',
      message: `${doing}: no answer within ${formatSeconds(timeoutMs)} (--remote_timeout)`,
    };
  }
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  if (
    typeof code === 'string' &&
    (UNAVAILABLE_CODES.has(code) || code.startsWith('ERR_TLS') || code.includes('CERT'))
  ) {
    return { reason: 'remote-unavailable', message: `${doing}: ${message}` };
  }
  if (/socket hang up|certificate|self.signed/i.test(message)) {
    return { reason: 'remote-unavailable', message: `${doing}: ${message}` };
  }
  return { reason: 'remote-error', message: `${doing}: ${message}` };
}

/** `60 s`, `2.5 s`. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
