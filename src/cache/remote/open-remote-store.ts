import { unreachable } from '../../util/unreachable';
import { HttpRemoteStore } from './http-remote-store';
import type { RemoteCacheOptions } from './remote-cache-options';
import type { RemoteStore } from './remote-store';

/**
 * The {@link RemoteStore} for a validated `--remote_cache` set-up. No connection is made here:
 * the first call connects, and a server that is not there is reported then (once).
 * The gRPC client (and @grpc/grpc-js) is loaded only for grpc:// and grpcs:// URLs.
 */
export async function openRemoteStore(opts: RemoteCacheOptions): Promise<RemoteStore> {
  switch (opts.protocol) {
    case 'http':
      return new HttpRemoteStore(opts);
    case 'grpc': {
      const { GrpcRemoteStore } = await import('./grpc-remote-store');
      return new GrpcRemoteStore(opts);
    }
    default:
      return unreachable(opts.protocol);
  }
}
