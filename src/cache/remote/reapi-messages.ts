import * as protobuf from 'protobufjs';
import { type Result, err, ok } from '../../util/result';

/**
 * The few REAPI v2 (`build.bazel.remote.execution.v2`), ByteStream (`google.bytestream`) and
 * `google.rpc`/`google.protobuf` messages the remote cache client sends and receives, with the
 * field numbers of the published `.proto` files (remote_execution.proto v2.x, bytestream.proto,
 * status.proto, any.proto). Fields the client never reads or writes are left out: protobufjs keeps
 * them as unknown fields when decoding, which is harmless because nothing decoded here is hashed.
 *
 * Declared as proto3 (`edition: 'proto3'`) so that protobufjs 8 omits every field equal to its
 * default, as Go and Java do: the bytes are canonical REAPI encodings (see
 * reference/remote-cache-protocols.md §2.2; the golden vectors are checked in a unit test).
 * Field names are camelCase (`sizeBytes`); int64 fields decode as Long and are converted with
 * {@link int64ToNumber}.
 */
const REAPI_DESCRIPTOR: protobuf.INamespace = {
  nested: {
    build: {
      nested: {
        bazel: {
          nested: {
            remote: {
              nested: {
                execution: {
                  nested: {
                    v2: {
                      edition: 'proto3',
                      nested: {
                        Digest: {
                          fields: {
                            hash: { type: 'string', id: 1 },
                            sizeBytes: { type: 'int64', id: 2 },
                          },
                        },
                        OutputFile: {
                          fields: {
                            path: { type: 'string', id: 1 },
                            digest: { type: 'Digest', id: 2 },
                            isExecutable: { type: 'bool', id: 4 },
                            contents: { type: 'bytes', id: 5 },
                          },
                        },
                        OutputDirectory: {
                          fields: { path: { type: 'string', id: 1 } },
                        },
                        OutputSymlink: {
                          fields: { path: { type: 'string', id: 1 } },
                        },
                        ExecutedActionMetadata: {
                          fields: {
                            worker: { type: 'string', id: 1 },
                            auxiliaryMetadata: {
                              rule: 'repeated',
                              type: 'google.protobuf.Any',
                              id: 11,
                            },
                          },
                        },
                        ActionResult: {
                          fields: {
                            outputFiles: { rule: 'repeated', type: 'OutputFile', id: 2 },
                            outputDirectories: {
                              rule: 'repeated',
                              type: 'OutputDirectory',
                              id: 3,
                            },
                            exitCode: { type: 'int32', id: 4 },
                            stdoutRaw: { type: 'bytes', id: 5 },
                            stdoutDigest: { type: 'Digest', id: 6 },
                            stderrRaw: { type: 'bytes', id: 7 },
                            stderrDigest: { type: 'Digest', id: 8 },
                            executionMetadata: { type: 'ExecutedActionMetadata', id: 9 },
                            outputFileSymlinks: { rule: 'repeated', type: 'OutputSymlink', id: 10 },
                            outputDirectorySymlinks: {
                              rule: 'repeated',
                              type: 'OutputSymlink',
                              id: 11,
                            },
                            outputSymlinks: { rule: 'repeated', type: 'OutputSymlink', id: 12 },
                          },
                        },
                        GetActionResultRequest: {
                          fields: {
                            instanceName: { type: 'string', id: 1 },
                            actionDigest: { type: 'Digest', id: 2 },
                            inlineStdout: { type: 'bool', id: 3 },
                            inlineStderr: { type: 'bool', id: 4 },
                            digestFunction: { type: 'int32', id: 6 },
                          },
                        },
                        UpdateActionResultRequest: {
                          fields: {
                            instanceName: { type: 'string', id: 1 },
                            actionDigest: { type: 'Digest', id: 2 },
                            actionResult: { type: 'ActionResult', id: 3 },
                            digestFunction: { type: 'int32', id: 5 },
                          },
                        },
                        FindMissingBlobsRequest: {
                          fields: {
                            instanceName: { type: 'string', id: 1 },
                            blobDigests: { rule: 'repeated', type: 'Digest', id: 2 },
                            digestFunction: { type: 'int32', id: 3 },
                          },
                        },
                        FindMissingBlobsResponse: {
                          fields: {
                            missingBlobDigests: { rule: 'repeated', type: 'Digest', id: 2 },
                          },
                        },
                        BatchUpdateBlobsRequest: {
                          fields: {
                            instanceName: { type: 'string', id: 1 },
                            requests: { rule: 'repeated', type: 'BatchUpdateRequest', id: 2 },
                            digestFunction: { type: 'int32', id: 5 },
                          },
                        },
                        // BatchUpdateBlobsRequest.Request, flattened (same wire format).
                        BatchUpdateRequest: {
                          fields: {
                            digest: { type: 'Digest', id: 1 },
                            data: { type: 'bytes', id: 2 },
                          },
                        },
                        BatchUpdateBlobsResponse: {
                          fields: {
                            responses: { rule: 'repeated', type: 'BatchUpdateResponse', id: 1 },
                          },
                        },
                        // BatchUpdateBlobsResponse.Response
                        BatchUpdateResponse: {
                          fields: {
                            digest: { type: 'Digest', id: 1 },
                            status: { type: 'google.rpc.Status', id: 2 },
                          },
                        },
                        BatchReadBlobsRequest: {
                          fields: {
                            instanceName: { type: 'string', id: 1 },
                            digests: { rule: 'repeated', type: 'Digest', id: 2 },
                            digestFunction: { type: 'int32', id: 4 },
                          },
                        },
                        BatchReadBlobsResponse: {
                          fields: {
                            responses: { rule: 'repeated', type: 'BatchReadResponse', id: 1 },
                          },
                        },
                        // BatchReadBlobsResponse.Response
                        BatchReadResponse: {
                          fields: {
                            digest: { type: 'Digest', id: 1 },
                            data: { type: 'bytes', id: 2 },
                            status: { type: 'google.rpc.Status', id: 3 },
                            compressor: { type: 'int32', id: 4 },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    google: {
      nested: {
        protobuf: {
          edition: 'proto3',
          nested: {
            Any: {
              fields: {
                typeUrl: { type: 'string', id: 1 },
                value: { type: 'bytes', id: 2 },
              },
            },
          },
        },
        rpc: {
          edition: 'proto3',
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
              },
            },
          },
        },
        bytestream: {
          edition: 'proto3',
          nested: {
            ReadRequest: {
              fields: {
                resourceName: { type: 'string', id: 1 },
                readOffset: { type: 'int64', id: 2 },
                readLimit: { type: 'int64', id: 3 },
              },
            },
            ReadResponse: { fields: { data: { type: 'bytes', id: 10 } } },
            WriteRequest: {
              fields: {
                resourceName: { type: 'string', id: 1 },
                writeOffset: { type: 'int64', id: 2 },
                finishWrite: { type: 'bool', id: 3 },
                data: { type: 'bytes', id: 10 },
              },
            },
            WriteResponse: { fields: { committedSize: { type: 'int64', id: 1 } } },
          },
        },
      },
    },
    pgobuild: {
      edition: 'proto3',
      nested: {
        // pgobuild's free-form result metadata (e.g. a test's duration), packed into
        // ExecutedActionMetadata.auxiliary_metadata as an Any of this type.
        ActionMetadata: {
          fields: {
            entries: { keyType: 'string', type: 'string', id: 1 } as protobuf.IMapField,
          },
        },
      },
    },
  },
};

/** The message types {@link reapiType} knows, by short name. */
export type ReapiMessageName =
  | 'Digest'
  | 'ActionResult'
  | 'GetActionResultRequest'
  | 'UpdateActionResultRequest'
  | 'FindMissingBlobsRequest'
  | 'FindMissingBlobsResponse'
  | 'BatchUpdateBlobsRequest'
  | 'BatchUpdateBlobsResponse'
  | 'BatchReadBlobsRequest'
  | 'BatchReadBlobsResponse'
  | 'ReadRequest'
  | 'ReadResponse'
  | 'WriteRequest'
  | 'WriteResponse'
  | 'ActionMetadata';

const FULL_NAMES: Readonly<Record<ReapiMessageName, string>> = {
  Digest: 'build.bazel.remote.execution.v2.Digest',
  ActionResult: 'build.bazel.remote.execution.v2.ActionResult',
  GetActionResultRequest: 'build.bazel.remote.execution.v2.GetActionResultRequest',
  UpdateActionResultRequest: 'build.bazel.remote.execution.v2.UpdateActionResultRequest',
  FindMissingBlobsRequest: 'build.bazel.remote.execution.v2.FindMissingBlobsRequest',
  FindMissingBlobsResponse: 'build.bazel.remote.execution.v2.FindMissingBlobsResponse',
  BatchUpdateBlobsRequest: 'build.bazel.remote.execution.v2.BatchUpdateBlobsRequest',
  BatchUpdateBlobsResponse: 'build.bazel.remote.execution.v2.BatchUpdateBlobsResponse',
  BatchReadBlobsRequest: 'build.bazel.remote.execution.v2.BatchReadBlobsRequest',
  BatchReadBlobsResponse: 'build.bazel.remote.execution.v2.BatchReadBlobsResponse',
  ReadRequest: 'google.bytestream.ReadRequest',
  ReadResponse: 'google.bytestream.ReadResponse',
  WriteRequest: 'google.bytestream.WriteRequest',
  WriteResponse: 'google.bytestream.WriteResponse',
  ActionMetadata: 'pgobuild.ActionMetadata',
};

/** The Any type URL of pgobuild's {@link ReapiMessageName} `ActionMetadata`. */
export const ACTION_METADATA_TYPE_URL = 'type.googleapis.com/pgobuild.ActionMetadata';

/** `DigestFunction.SHA256`: the only digest function pgobuild uses. */
export const DIGEST_FUNCTION_SHA256 = 1;

let root: protobuf.Root | undefined;

/** The protobufjs type of one REAPI message (the schema is built on first use). */
export function reapiType(name: ReapiMessageName): protobuf.Type {
  root ??= protobuf.Root.fromJSON(REAPI_DESCRIPTOR);
  return root.lookupType(FULL_NAMES[name]);
}

/** Canonical bytes of a message given as a plain object (camelCase field names). */
export function encodeReapi(name: ReapiMessageName, value: Record<string, unknown>): Uint8Array {
  const type = reapiType(name);
  return type.encode(type.fromObject(value)).finish();
}

/**
 * Decodes untrusted bytes into a plain object (int64 as numbers or strings, bytes as Buffers);
 * a malformed message is a failure value, never an exception.
 */
export function decodeReapi(
  name: ReapiMessageName,
  bytes: Uint8Array,
): Result<Record<string, unknown>, string> {
  const type = reapiType(name);
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (e) {
    // protobufjs reports malformed input by throwing; here that is an expected failure.
    return err(e instanceof Error ? e.message : String(e));
  }
  return ok(type.toObject(message, { longs: String, bytes: Buffer, defaults: false }));
}

/**
 * An int64 decoded as a decimal string (see {@link decodeReapi}) or absent (= 0), as a safe
 * non-negative integer; undefined when it is not one.
 */
export function int64ToNumber(v: unknown): number | undefined {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
