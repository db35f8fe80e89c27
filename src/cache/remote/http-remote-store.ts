import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { ActionKey } from '../../actions/action-key';
import type { Result } from '../../util/result';
import { err, ok } from '../../util/result';
import type { BlobRef } from '../action-result';
import type { RemoteCacheOptions } from './remote-cache-options';
import { basicAuthorization } from './remote-cache-options';
import { classifyNetworkError } from './network-error';
import type { RemoteFailure, RemoteStore, UploadSource } from './remote-store';

/** Most requests in flight to one server (Bazel's default is 100 over HTTP/1.1; we are smaller). */
const MAX_SOCKETS = 16;

interface HttpAnswer {
  readonly status: number;
  readonly body: Buffer;
}

/**
 * Bazel's HTTP cache protocol (reference/remote-cache-protocols.md §1): `GET`/`PUT`
 * `{base}/ac/{key}` with a serialized REAPI `ActionResult`, `GET`/`PUT` `{base}/cas/{hash}` with
 * the raw bytes, `404` (or `204`) a miss. Presence checks use `HEAD` (a bazel-remote extension
 * that nginx and other WebDAV servers also answer); HTTP gives no completeness guarantee, so the
 * caller checks an action's blobs with {@link findMissing}.
 *
 * Credentials from the URL become `Authorization: Basic …`; `--remote_header`s are sent with every
 * request; every request is cancelled after the timeout.
 */
export class HttpRemoteStore implements RemoteStore {
  readonly url: string;
  readonly checksCompleteness = false;
  private readonly agent: http.Agent;
  private readonly headers: Record<string, string>;
  private readonly base: string;

  constructor(private readonly opts: RemoteCacheOptions) {
    this.url = opts.url;
    this.base = `${opts.tls ? 'https' : 'http'}://${opts.hostPort}${opts.pathPrefix}`;
    this.agent = opts.tls
      ? new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, ca: opts.caCertificate })
      : new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
    const headers: Record<string, string> = {};
    const auth = basicAuthorization(opts);
    if (auth !== undefined) headers['authorization'] = auth;
    for (const [name, value] of opts.headers) headers[name.toLowerCase()] = value;
    this.headers = headers;
  }

  /** @inheritdoc */
  async getActionResult(key: ActionKey): Promise<Result<Uint8Array | undefined, RemoteFailure>> {
    const r = await this.request('GET', `/ac/${key}`);
    return r.ok ? this.downloaded(r.value, `action result ${key}`) : r;
  }

  /** @inheritdoc */
  async updateActionResult(
    key: ActionKey,
    actionResult: Uint8Array,
  ): Promise<Result<void, RemoteFailure>> {
    const r = await this.request('PUT', `/ac/${key}`, { kind: 'bytes', bytes: actionResult });
    return r.ok ? this.uploaded(r.value, `action result ${key}`) : r;
  }

  /** @inheritdoc */
  async findMissing(refs: readonly BlobRef[]): Promise<Result<BlobRef[], RemoteFailure>> {
    const answers = await Promise.all(
      refs.map((ref) => this.request('HEAD', `/cas/${ref.digest}`)),
    );
    const missing: BlobRef[] = [];
    for (const [i, a] of answers.entries()) {
      if (!a.ok) return a;
      const { status } = a.value;
      if (status === 404) missing.push(refs[i] as BlobRef);
      else if (status === 401 || status === 403) return err(denied(status, 'a presence check'));
      // Any success, and a server without HEAD (405/501): treat as present; a later read that
      // finds nothing is a miss like any other.
      else if (status >= 500) return err(httpError(status, a.value.body, 'a presence check'));
    }
    return ok(missing);
  }

  /** @inheritdoc */
  async readBlob(ref: BlobRef): Promise<Result<Uint8Array | undefined, RemoteFailure>> {
    const r = await this.request('GET', `/cas/${ref.digest}`, undefined, ref.size);
    return r.ok ? this.downloaded(r.value, `blob ${ref.digest}`) : r;
  }

  /** @inheritdoc */
  async writeBlob(ref: BlobRef, source: UploadSource): Promise<Result<void, RemoteFailure>> {
    const r = await this.request('PUT', `/cas/${ref.digest}`, source, ref.size);
    return r.ok ? this.uploaded(r.value, `blob ${ref.digest}`) : r;
  }

  /** @inheritdoc */
  blobLocation(ref: BlobRef): string {
    return `${this.url}/cas/${ref.digest}`;
  }

  /** @inheritdoc */
  actionLocation(key: ActionKey): string {
    return `${this.url}/ac/${key}`;
  }

  /** @inheritdoc */
  close(): void {
    this.agent.destroy();
  }

  private downloaded(a: HttpAnswer, what: string): Result<Uint8Array | undefined, RemoteFailure> {
    if (a.status === 200) return ok(a.body);
    // 204: nginx WebDAV's answer for a missing key, as Bazel accepts.
    if (a.status === 404 || a.status === 204) return ok(undefined);
    if (a.status === 401 || a.status === 403) return err(denied(a.status, `reading ${what}`));
    return err(httpError(a.status, a.body, `reading ${what}`));
  }

  private uploaded(a: HttpAnswer, what: string): Result<void, RemoteFailure> {
    if ([200, 201, 202, 204].includes(a.status)) return ok(undefined);
    if (a.status === 401 || a.status === 403) return err(denied(a.status, `uploading ${what}`));
    return err(httpError(a.status, a.body, `uploading ${what}`));
  }

  /**
   * One request with the configured headers and timeout. A body larger than `expectedSize` is cut
   * there (the caller's digest check then fails), so a misbehaving server cannot exhaust memory.
   */
  private request(
    method: 'GET' | 'PUT' | 'HEAD',
    path: string,
    body?: UploadSource,
    expectedSize?: number,
  ): Promise<Result<HttpAnswer, RemoteFailure>> {
    const signal = AbortSignal.timeout(this.opts.timeoutMs);
    const headers: Record<string, string> = { ...this.headers };
    if (body !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      headers['content-length'] = String(
        body.kind === 'bytes' ? body.bytes.byteLength : (expectedSize ?? 0),
      );
    }
    const lib = this.opts.tls ? https : http;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (r: Result<HttpAnswer, RemoteFailure>): void => {
        if (settled) return;
        settled = true;
        resolve(r);
      };
      const fail = (e: unknown): void => {
        settle(err(classifyNetworkError(e, signal, this.opts.timeoutMs, `${method} ${path}`)));
      };
      const req = lib.request(`${this.base}${path}`, {
        method,
        headers,
        agent: this.agent,
        signal,
      });
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let received = 0;
        const limit = expectedSize === undefined ? Infinity : expectedSize + 1;
        res.on('data', (chunk: Buffer) => {
          if (received >= limit) return;
          chunks.push(chunk);
          received += chunk.length;
          if (received >= limit) res.destroy();
        });
        res.on('error', (e) => {
          if (received >= limit)
            settle(ok({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          else fail(e);
        });
        res.on('close', () => {
          if (!res.complete && received < limit) fail(new Error('connection closed mid-response'));
          else settle(ok({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        });
      });
      if (body === undefined) req.end();
      else if (body.kind === 'bytes') req.end(body.bytes);
      else {
        const file = fs.createReadStream(body.path);
        file.on('error', (e) => {
          req.destroy(e);
          fail(e);
        });
        file.pipe(req);
      }
    });
  }
}

function denied(status: number, doing: string): RemoteFailure {
  return {
    reason: 'remote-denied',
    message: `${doing}: HTTP ${status} ${http.STATUS_CODES[status] ?? ''}`.trimEnd(),
  };
}

function httpError(status: number, body: Buffer, doing: string): RemoteFailure {
  const text = body.toString('utf8', 0, Math.min(body.length, 200)).trim();
  return {
    reason: 'remote-error',
    message: `${doing}: HTTP ${status} ${http.STATUS_CODES[status] ?? ''}${text === '' ? '' : ` (${text})`}`,
  };
}
