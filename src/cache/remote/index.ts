// The gRPC store (grpc-remote-store.ts) is not re-exported: it loads @grpc/grpc-js, which only
// grpc:// and grpcs:// remotes should pay for; openRemoteStore imports it on demand.
export * from './http-remote-store';
export * from './network-error';
export * from './open-remote-store';
export * from './reapi-action-result';
export * from './reapi-messages';
export * from './remote-backed-cache';
export * from './remote-cache-options';
export * from './remote-cache-warning';
export * from './remote-store';
