/** The two protocols a remote cache URL can name. */
export type RemoteProtocol = 'http' | 'grpc';

/**
 * A validated remote cache set-up (from `--remote_cache` and the flags around it, see
 * src/cli/remote-flags.ts). Credentials are kept apart from the URL so that the URL can appear in
 * messages.
 */
export interface RemoteCacheOptions {
  /** `http://host:port/prefix`, `https://…`, `grpc://host:port` or `grpcs://…`, no credentials. */
  readonly url: string;
  readonly protocol: RemoteProtocol;
  /** https:// or grpcs://. */
  readonly tls: boolean;
  /** Host and port (`127.0.0.1:9092`); the port defaults to the scheme's. */
  readonly hostPort: string;
  /** HTTP: the path prefix before `/ac/` and `/cas/` (`''` or `/cache`, no trailing slash). */
  readonly pathPrefix: string;
  /** Basic-auth credentials from the URL's user info, decoded. */
  readonly credentials?: { readonly user: string; readonly password: string };
  /** `--remote_header=NAME=VALUE`, in order. */
  readonly headers: readonly (readonly [name: string, value: string])[];
  /** `--remote_timeout`, in milliseconds: the longest any one remote call may take. */
  readonly timeoutMs: number;
  /** `--remote_upload_local_results`: upload results of actions run locally. */
  readonly uploadLocalResults: boolean;
  /** `--tls_certificate`: PEM bytes of the CA that signs the server's certificate. */
  readonly caCertificate?: Buffer;
}

/** The `Authorization` header value of the options' basic-auth credentials, if any. */
export function basicAuthorization(opts: RemoteCacheOptions): string | undefined {
  const c = opts.credentials;
  if (c === undefined) return undefined;
  return `Basic ${Buffer.from(`${c.user}:${c.password}`).toString('base64')}`;
}
