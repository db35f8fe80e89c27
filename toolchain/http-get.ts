import { type Result, err, ok } from '../src/util';

/** An HTTP response: its status and whole body. */
export interface HttpResponse {
  readonly status: number;
  readonly body: Buffer;
}

/**
 * GETs a URL. A failure to connect or a stalled transfer is a failure value (with the cause, e.g.
 * `connect ECONNREFUSED 127.0.0.1:9`); any HTTP status is a response. Injected where tests need
 * to control the network.
 */
export type HttpGet = (url: string, signal?: AbortSignal) => Promise<Result<HttpResponse, string>>;

/** How long the server may stay silent (before headers, or between body chunks). */
const STALL_MS = 60_000;

/** {@link HttpGet} over Node's fetch, with a stall timeout rather than a whole-transfer one. */
export const fetchGet: HttpGet = async (url, signal) => {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  let stalled = false;
  let timer = setTimeout(() => ((stalled = true), controller.abort()), STALL_MS);
  const rearm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => ((stalled = true), controller.abort()), STALL_MS);
  };
  try {
    const res = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    const chunks: Buffer[] = [];
    if (res.body !== null) {
      const reader = res.body.getReader();
      for (;;) {
        rearm();
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(Buffer.from(value));
      }
    }
    return ok({ status: res.status, body: Buffer.concat(chunks) });
  } catch (e) {
    if (stalled) return err(`no data from the server for ${STALL_MS / 1000} s`);
    if (signal?.aborted === true) return err('cancelled');
    const cause = (e as { cause?: { message?: string } }).cause;
    return err(cause?.message ?? (e as Error).message);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
};
