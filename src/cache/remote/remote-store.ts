import type { ActionKey } from '../../actions/action-key';
import type { Result } from '../../util/result';
import type { BlobRef } from '../action-result';

/**
 * Why a call to a remote cache failed. None of these ever fails a build: the remote-backed cache
 * reports the first one and goes on without the remote (or, for `remote-denied` on an upload,
 * without uploading).
 */
export interface RemoteFailure {
  readonly reason:
    /** Connection refused or reset, DNS, TLS handshake: the server is not there. */
    | 'remote-unavailable'
    /** No answer within `--remote_timeout`. */
    | 'remote-timeout'
    /** 401/403, gRPC UNAUTHENTICATED/PERMISSION_DENIED: credentials missing or refused. */
    | 'remote-denied'
    /** Any other error status or malformed answer. */
    | 'remote-error';
  /** What happened, for humans (no credentials in it). */
  readonly message: string;
}

/** Where a blob to upload comes from. */
export type UploadSource =
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  /** A file that holds exactly the blob's bytes and stays unchanged while it is read. */
  | { readonly kind: 'file'; readonly path: string };

/**
 * One remote cache protocol (Bazel's HTTP cache, REAPI over gRPC): raw, unverified transport of
 * action results and blobs. Verification, fallback and reporting live in the caller
 * ({@link RemoteBackedCache}); a store only moves bytes and classifies failures.
 */
export interface RemoteStore {
  /** The server's URL without credentials, for messages. */
  readonly url: string;
  /**
   * True when the server answers an action result only if every blob it references is present
   * (bazel-remote's gRPC dependency check); otherwise the caller checks with {@link findMissing}.
   */
  readonly checksCompleteness: boolean;
  /** The serialized REAPI `ActionResult` stored under `key`, or undefined when absent. */
  getActionResult(key: ActionKey): Promise<Result<Uint8Array | undefined, RemoteFailure>>;
  /** Stores a serialized REAPI `ActionResult` under `key` (upload its blobs first). */
  updateActionResult(
    key: ActionKey,
    actionResult: Uint8Array,
  ): Promise<Result<void, RemoteFailure>>;
  /** The blobs of `refs` the server does not have. */
  findMissing(refs: readonly BlobRef[]): Promise<Result<BlobRef[], RemoteFailure>>;
  /** The bytes the server sends for a blob (unverified), or undefined when it has none. */
  readBlob(ref: BlobRef): Promise<Result<Uint8Array | undefined, RemoteFailure>>;
  /** Uploads one blob. */
  writeBlob(ref: BlobRef, source: UploadSource): Promise<Result<void, RemoteFailure>>;
  /** Where a blob lives on the server, for reports (no credentials). */
  blobLocation(ref: BlobRef): string;
  /** Where an action result lives on the server, for reports (no credentials). */
  actionLocation(key: ActionKey): string;
  /** Releases connections; calls after this fail. */
  close(): void;
}
