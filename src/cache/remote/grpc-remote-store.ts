import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { ActionKey } from '../../actions/action-key';
import type { Result } from '../../util/result';
import { err, ok } from '../../util/result';
import type { BlobRef } from '../action-result';
import { reapiDigest } from './reapi-action-result';
import type { ReapiMessageName } from './reapi-messages';
import { DIGEST_FUNCTION_SHA256, decodeReapi, encodeReapi, int64ToNumber } from './reapi-messages';
import type { RemoteCacheOptions } from './remote-cache-options';
import { basicAuthorization } from './remote-cache-options';
import { formatSeconds } from './network-error';
import type { RemoteFailure, RemoteStore, UploadSource } from './remote-store';

const REAPI = 'build.bazel.remote.execution.v2';

/**
 * Blobs up to this size travel in batch calls; larger ones through ByteStream. Batches stay well
 * under gRPC's default 4 MiB message limit (bazel-remote advertises no batch limit of its own).
 */
const BATCH_BLOB_LIMIT = 1 << 20;
/** ByteStream write chunk size. */
const WRITE_CHUNK = 256 << 10;
/** Digests per FindMissingBlobs call. */
const FIND_MISSING_CHUNK = 1000;

/**
 * The size pgobuild gives an action key in REAPI `action_digest`s. pgobuild's key is the SHA-256
 * of its own key record, not of a REAPI `Action` message, so there is no message size to name;
 * servers key the action cache on the hash (bazel-remote rejects only a zero size), and every
 * pgobuild client uses this same value, so keys agree between machines and with the HTTP `/ac/`.
 */
export const ACTION_KEY_SIZE_BYTES = 32;

/**
 * REAPI v2 over gRPC (reference/remote-cache-protocols.md §3): `ActionCache.GetActionResult` /
 * `UpdateActionResult`, `ContentAddressableStorage.FindMissingBlobs`, `BatchReadBlobs` and
 * `BatchUpdateBlobs` for small blobs, `google.bytestream.ByteStream` `Read`/`Write` for large ones.
 * Messages are encoded by our protobufjs 8 descriptors (canonical bytes, no default fields),
 * not by proto-loader. The empty instance name and SHA-256 are used throughout.
 *
 * bazel-remote's `GetActionResult` answers only when every referenced blob is present
 * (its dependency check), so this store {@link checksCompleteness}.
 */
export class GrpcRemoteStore implements RemoteStore {
  readonly url: string;
  readonly checksCompleteness = true;
  private readonly client: grpc.Client;
  private readonly metadata: grpc.Metadata;

  constructor(private readonly opts: RemoteCacheOptions) {
    this.url = opts.url;
    const credentials = opts.tls
      ? grpc.credentials.createSsl(opts.caCertificate ?? null)
      : grpc.credentials.createInsecure();
    this.client = new grpc.Client(opts.hostPort, credentials, {
      'grpc.max_receive_message_length': 16 << 20,
      'grpc.max_send_message_length': 16 << 20,
    });
    this.metadata = new grpc.Metadata();
    const auth = basicAuthorization(opts);
    if (auth !== undefined) this.metadata.set('authorization', auth);
    for (const [name, value] of opts.headers) this.metadata.add(name.toLowerCase(), value);
  }

  /** @inheritdoc */
  async getActionResult(key: ActionKey): Promise<Result<Uint8Array | undefined, RemoteFailure>> {
    const r = await this.unary(`/${REAPI}.ActionCache/GetActionResult`, 'GetActionResultRequest', {
      actionDigest: { hash: key, sizeBytes: ACTION_KEY_SIZE_BYTES },
      digestFunction: DIGEST_FUNCTION_SHA256,
    });
    if (r.ok) return r;
    return r.failure.code === grpc.status.NOT_FOUND
      ? ok(undefined)
      : err(this.failure(r.failure, `reading action result ${key}`));
  }

  /** @inheritdoc */
  async updateActionResult(
    key: ActionKey,
    actionResult: Uint8Array,
  ): Promise<Result<void, RemoteFailure>> {
    const decoded = decodeReapi('ActionResult', actionResult);
    if (!decoded.ok) throw new Error(`bug: not an ActionResult: ${decoded.failure}`);
    const r = await this.unary(
      `/${REAPI}.ActionCache/UpdateActionResult`,
      'UpdateActionResultRequest',
      {
        actionDigest: { hash: key, sizeBytes: ACTION_KEY_SIZE_BYTES },
        actionResult: decoded.value,
        digestFunction: DIGEST_FUNCTION_SHA256,
      },
    );
    return r.ok ? ok(undefined) : err(this.failure(r.failure, `uploading action result ${key}`));
  }

  /** @inheritdoc */
  async findMissing(refs: readonly BlobRef[]): Promise<Result<BlobRef[], RemoteFailure>> {
    const missing: BlobRef[] = [];
    for (let i = 0; i < refs.length; i += FIND_MISSING_CHUNK) {
      const chunk = refs.slice(i, i + FIND_MISSING_CHUNK);
      const r = await this.unary(
        `/${REAPI}.ContentAddressableStorage/FindMissingBlobs`,
        'FindMissingBlobsRequest',
        { blobDigests: chunk.map(reapiDigest), digestFunction: DIGEST_FUNCTION_SHA256 },
      );
      if (!r.ok) return err(this.failure(r.failure, 'checking which blobs the server has'));
      const decoded = decodeReapi('FindMissingBlobsResponse', r.value);
      if (!decoded.ok) return err(malformed('FindMissingBlobsResponse', decoded.failure));
      const wanted = new Map(chunk.map((ref) => [`${ref.digest}/${ref.size}`, ref]));
      for (const d of asArray(decoded.value['missingBlobDigests'])) {
        const rec = d as Record<string, unknown>;
        const ref = wanted.get(`${String(rec['hash'])}/${int64ToNumber(rec['sizeBytes'])}`);
        if (ref !== undefined) missing.push(ref);
      }
    }
    return ok(missing);
  }

  /** @inheritdoc */
  async readBlob(ref: BlobRef): Promise<Result<Uint8Array | undefined, RemoteFailure>> {
    if (ref.size > BATCH_BLOB_LIMIT) return this.byteStreamRead(ref);
    const r = await this.unary(
      `/${REAPI}.ContentAddressableStorage/BatchReadBlobs`,
      'BatchReadBlobsRequest',
      { digests: [reapiDigest(ref)], digestFunction: DIGEST_FUNCTION_SHA256 },
    );
    if (!r.ok) return err(this.failure(r.failure, `reading blob ${ref.digest}`));
    const decoded = decodeReapi('BatchReadBlobsResponse', r.value);
    if (!decoded.ok) return err(malformed('BatchReadBlobsResponse', decoded.failure));
    for (const response of asArray(decoded.value['responses'])) {
      const rec = response as Record<string, unknown>;
      const digest = rec['digest'] as Record<string, unknown> | undefined;
      if (digest?.['hash'] !== ref.digest) continue;
      const code = (rec['status'] as Record<string, unknown> | undefined)?.['code'] ?? 0;
      // A per-blob error (NOT_FOUND, or INVALID_ARGUMENT for a size the server disagrees with)
      // is a miss for that blob, not a broken server.
      if (code !== 0) return ok(undefined);
      if ((rec['compressor'] ?? 0) !== 0)
        return err(malformed('BatchReadBlobsResponse', 'compressed data was not asked for'));
      return ok(rec['data'] instanceof Uint8Array ? rec['data'] : new Uint8Array());
    }
    return ok(undefined);
  }

  /** @inheritdoc */
  async writeBlob(ref: BlobRef, source: UploadSource): Promise<Result<void, RemoteFailure>> {
    if (ref.size === 0) return ok(undefined); // REAPI: the empty blob is always present.
    if (ref.size > BATCH_BLOB_LIMIT) return this.byteStreamWrite(ref, source);
    const data = source.kind === 'bytes' ? source.bytes : await fs.promises.readFile(source.path);
    const r = await this.unary(
      `/${REAPI}.ContentAddressableStorage/BatchUpdateBlobs`,
      'BatchUpdateBlobsRequest',
      { requests: [{ digest: reapiDigest(ref), data }], digestFunction: DIGEST_FUNCTION_SHA256 },
    );
    if (!r.ok) return err(this.failure(r.failure, `uploading blob ${ref.digest}`));
    const decoded = decodeReapi('BatchUpdateBlobsResponse', r.value);
    if (!decoded.ok) return err(malformed('BatchUpdateBlobsResponse', decoded.failure));
    for (const response of asArray(decoded.value['responses'])) {
      const status = (response as Record<string, unknown>)['status'] as
        Record<string, unknown> | undefined;
      const code = Number(status?.['code'] ?? 0);
      if (code !== 0) {
        return err(
          this.failure(
            { code, details: String(status?.['message'] ?? '') },
            `uploading blob ${ref.digest}`,
          ),
        );
      }
    }
    return ok(undefined);
  }

  /** @inheritdoc */
  blobLocation(ref: BlobRef): string {
    return `${this.url}/blobs/${ref.digest}/${ref.size}`;
  }

  /** @inheritdoc */
  actionLocation(key: ActionKey): string {
    return `${this.url}/actionResults/${key}`;
  }

  /** @inheritdoc */
  close(): void {
    this.client.close();
  }

  private deadline(): Date {
    return new Date(Date.now() + this.opts.timeoutMs);
  }

  /** One unary call; the response stays raw bytes so that decoding failures are values. */
  private unary(
    method: string,
    requestType: ReapiMessageName,
    request: Record<string, unknown>,
  ): Promise<Result<Buffer, { code: number; details: string }>> {
    return new Promise((resolve) => {
      this.client.makeUnaryRequest<Record<string, unknown>, Buffer>(
        method,
        (v) => Buffer.from(encodeReapi(requestType, v)),
        (b) => b,
        request,
        this.metadata,
        { deadline: this.deadline() },
        (e, response) => {
          if (e !== null) resolve(err({ code: e.code, details: e.details }));
          else resolve(ok(response ?? Buffer.alloc(0)));
        },
      );
    });
  }

  /** `ByteStream.Read` of `blobs/{hash}/{size}`; reading stops once more than `size` arrived. */
  private byteStreamRead(ref: BlobRef): Promise<Result<Uint8Array | undefined, RemoteFailure>> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let received = 0;
      let settled = false;
      const settle = (r: Result<Uint8Array | undefined, RemoteFailure>): void => {
        if (settled) return;
        settled = true;
        resolve(r);
      };
      const call = this.client.makeServerStreamRequest<Record<string, unknown>, Buffer>(
        '/google.bytestream.ByteStream/Read',
        (v) => Buffer.from(encodeReapi('ReadRequest', v)),
        (b) => b,
        { resourceName: `blobs/${ref.digest}/${ref.size}` },
        this.metadata,
        { deadline: this.deadline() },
      );
      call.on('data', (b: Buffer) => {
        const decoded = decodeReapi('ReadResponse', b);
        if (!decoded.ok) {
          call.cancel();
          settle(err(malformed('ReadResponse', decoded.failure)));
          return;
        }
        const data = decoded.value['data'];
        if (data instanceof Uint8Array) {
          chunks.push(Buffer.from(data));
          received += data.length;
        }
        if (received > ref.size) {
          // More than the blob's size: the digest check will reject it; stop reading.
          call.cancel();
          settle(ok(Buffer.concat(chunks)));
        }
      });
      call.on('error', (e: grpc.ServiceError) => {
        if (e.code === grpc.status.NOT_FOUND) settle(ok(undefined));
        else settle(err(this.failure(e, `reading blob ${ref.digest}`)));
      });
      call.on('end', () => settle(ok(Buffer.concat(chunks))));
    });
  }

  /** `ByteStream.Write` to `uploads/{uuid}/blobs/{hash}/{size}` in chunks, with backpressure. */
  private async byteStreamWrite(
    ref: BlobRef,
    source: UploadSource,
  ): Promise<Result<void, RemoteFailure>> {
    let done = false;
    let call: grpc.ClientWritableStream<Record<string, unknown>> | undefined;
    const finished = new Promise<Result<void, RemoteFailure>>((resolve) => {
      call = this.client.makeClientStreamRequest<Record<string, unknown>, Buffer>(
        '/google.bytestream.ByteStream/Write',
        (v) => Buffer.from(encodeReapi('WriteRequest', v)),
        (b) => b,
        this.metadata,
        { deadline: this.deadline() },
        (e) => {
          done = true;
          resolve(
            e === null ? ok(undefined) : err(this.failure(e, `uploading blob ${ref.digest}`)),
          );
        },
      );
    });
    if (call === undefined) throw new Error('unreachable: the executor runs synchronously');
    const stream = call;
    const resourceName = `uploads/${randomUUID()}/blobs/${ref.digest}/${ref.size}`;
    let offset = 0;
    try {
      for await (const chunk of chunksOf(source)) {
        // The server may answer before the last chunk: it already has the blob, or it failed.
        if (done) return finished;
        const message: Record<string, unknown> = { writeOffset: offset, data: chunk };
        if (offset === 0) message['resourceName'] = resourceName;
        offset += chunk.length;
        if (offset >= ref.size) message['finishWrite'] = true;
        if (!stream.write(message)) {
          await Promise.race([new Promise((r) => stream.once('drain', r)), finished]);
        }
      }
    } catch (e) {
      stream.cancel();
      return err({
        reason: 'remote-error',
        message: `reading ${ref.digest} to upload it: ${e instanceof Error ? e.message : String(e)}`,
      });
    }
    stream.end();
    return finished;
  }

  private failure(e: { code: number; details: string }, doing: string): RemoteFailure {
    const name = grpcStatusName(e.code);
    const message = `${doing}: ${name}${e.details === '' ? '' : ` (${e.details})`}`;
    switch (e.code) {
      case grpc.status.UNAVAILABLE:
        return { reason: 'remote-unavailable', message };
      case grpc.status.DEADLINE_EXCEEDED:
        return {
          reason: 'remote-timeout',
          message: `${doing}: no answer within ${formatSeconds(this.opts.timeoutMs)} (--remote_timeout)`,
        };
      case grpc.status.UNAUTHENTICATED:
      case grpc.status.PERMISSION_DENIED:
        return { reason: 'remote-denied', message };
      default:
        return { reason: 'remote-error', message };
    }
  }
}

async function* chunksOf(source: UploadSource): AsyncGenerator<Uint8Array> {
  if (source.kind === 'bytes') {
    for (let i = 0; i < source.bytes.length; i += WRITE_CHUNK)
      yield source.bytes.subarray(i, i + WRITE_CHUNK);
    return;
  }
  for await (const chunk of fs.createReadStream(source.path, { highWaterMark: WRITE_CHUNK })) {
    yield chunk as Buffer;
  }
}

function grpcStatusName(code: number): string {
  const entry = Object.entries(grpc.status).find(([, v]) => v === code);
  return entry === undefined ? `gRPC status ${code}` : entry[0];
}

function malformed(what: string, detail: string): RemoteFailure {
  return { reason: 'remote-error', message: `malformed ${what} from the server: ${detail}` };
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
