// protobufjs' light build: the JSON descriptor below needs no .proto parser, and every call of a
// profile command is a fresh process that would otherwise load and run one (start-up cost).
import * as protobuf from 'protobufjs/light';

/**
 * The pprof schema (`perftools.profiles`, github.com/google/pprof/proto/profile.proto), kept as a
 * string so that it always ships inside `dist/` with the code that parses it.
 *
 * One deliberate difference from upstream: `string_table` is declared `bytes` (wire-compatible
 * with `string`) so that we see the exact bytes Go sees. protobufjs would otherwise replace
 * invalid UTF-8 silently, and the preprocessed output must be byte-identical to Go's.
 */
export const PPROF_PROTO_SCHEMA = `
syntax = "proto3";
package perftools.profiles;

message Profile {
  repeated ValueType sample_type = 1;
  repeated Sample sample = 2;
  repeated Mapping mapping = 3;
  repeated Location location = 4;
  repeated Function function = 5;
  repeated bytes string_table = 6;
  int64 drop_frames = 7;
  int64 keep_frames = 8;
  int64 time_nanos = 9;
  int64 duration_nanos = 10;
  ValueType period_type = 11;
  int64 period = 12;
  repeated int64 comment = 13;
  int64 default_sample_type = 14;
  string doc_url = 15;
}

message ValueType {
  int64 type = 1;
  int64 unit = 2;
}

message Sample {
  repeated uint64 location_id = 1;
  repeated int64 value = 2;
  repeated Label label = 3;
}

message Label {
  int64 key = 1;
  int64 str = 2;
  int64 num = 3;
  int64 num_unit = 4;
}

message Mapping {
  uint64 id = 1;
  uint64 memory_start = 2;
  uint64 memory_limit = 3;
  uint64 file_offset = 4;
  int64 filename = 5;
  int64 build_id = 6;
  bool has_functions = 7;
  bool has_filenames = 8;
  bool has_line_numbers = 9;
  bool has_inline_frames = 10;
}

message Location {
  uint64 id = 1;
  uint64 mapping_id = 2;
  uint64 address = 3;
  repeated Line line = 4;
  bool is_folded = 5;
}

message Line {
  uint64 function_id = 1;
  int64 line = 2;
  int64 column = 3;
}

message Function {
  uint64 id = 1;
  int64 name = 2;
  int64 system_name = 3;
  int64 filename = 4;
  int64 start_line = 5;
}
`;

/** The names of the pprof message types, as used by {@link pprofMessageType}. */
export type PprofMessageName =
  'Profile' | 'ValueType' | 'Sample' | 'Label' | 'Mapping' | 'Location' | 'Line' | 'Function';

/**
 * {@link PPROF_PROTO_SCHEMA} as protobufjs' JSON descriptor (what
 * `protobuf.parse(PPROF_PROTO_SCHEMA, { keepCase: true }).root.toJSON()` gives, which a unit test
 * checks), so that start-up loads it without the .proto parser.
 */
export const PPROF_DESCRIPTOR: protobuf.INamespace = {
  nested: {
    perftools: {
      nested: {
        profiles: {
          nested: {
            Profile: {
              fields: {
                sample_type: { rule: 'repeated', type: 'ValueType', id: 1 },
                sample: { rule: 'repeated', type: 'Sample', id: 2 },
                mapping: { rule: 'repeated', type: 'Mapping', id: 3 },
                location: { rule: 'repeated', type: 'Location', id: 4 },
                function: { rule: 'repeated', type: 'Function', id: 5 },
                string_table: { rule: 'repeated', type: 'bytes', id: 6 },
                drop_frames: { type: 'int64', id: 7 },
                keep_frames: { type: 'int64', id: 8 },
                time_nanos: { type: 'int64', id: 9 },
                duration_nanos: { type: 'int64', id: 10 },
                period_type: { type: 'ValueType', id: 11 },
                period: { type: 'int64', id: 12 },
                comment: { rule: 'repeated', type: 'int64', id: 13 },
                default_sample_type: { type: 'int64', id: 14 },
                doc_url: { type: 'string', id: 15 },
              },
            },
            ValueType: {
              fields: {
                type: { type: 'int64', id: 1 },
                unit: { type: 'int64', id: 2 },
              },
            },
            Sample: {
              fields: {
                location_id: { rule: 'repeated', type: 'uint64', id: 1 },
                value: { rule: 'repeated', type: 'int64', id: 2 },
                label: { rule: 'repeated', type: 'Label', id: 3 },
              },
            },
            Label: {
              fields: {
                key: { type: 'int64', id: 1 },
                str: { type: 'int64', id: 2 },
                num: { type: 'int64', id: 3 },
                num_unit: { type: 'int64', id: 4 },
              },
            },
            Mapping: {
              fields: {
                id: { type: 'uint64', id: 1 },
                memory_start: { type: 'uint64', id: 2 },
                memory_limit: { type: 'uint64', id: 3 },
                file_offset: { type: 'uint64', id: 4 },
                filename: { type: 'int64', id: 5 },
                build_id: { type: 'int64', id: 6 },
                has_functions: { type: 'bool', id: 7 },
                has_filenames: { type: 'bool', id: 8 },
                has_line_numbers: { type: 'bool', id: 9 },
                has_inline_frames: { type: 'bool', id: 10 },
              },
            },
            Location: {
              fields: {
                id: { type: 'uint64', id: 1 },
                mapping_id: { type: 'uint64', id: 2 },
                address: { type: 'uint64', id: 3 },
                line: { rule: 'repeated', type: 'Line', id: 4 },
                is_folded: { type: 'bool', id: 5 },
              },
            },
            Line: {
              fields: {
                function_id: { type: 'uint64', id: 1 },
                line: { type: 'int64', id: 2 },
                column: { type: 'int64', id: 3 },
              },
            },
            Function: {
              fields: {
                id: { type: 'uint64', id: 1 },
                name: { type: 'int64', id: 2 },
                system_name: { type: 'int64', id: 3 },
                filename: { type: 'int64', id: 4 },
                start_line: { type: 'int64', id: 5 },
              },
            },
          },
        },
      },
    },
  },
};

let cachedRoot: protobuf.Root | undefined;

/**
 * The protobufjs type for one pprof message, built from {@link PPROF_DESCRIPTOR} on first use.
 * Field names keep their snake_case spelling, as in the schema text.
 * Tests and profile tools use `pprofMessageType('Profile')` to encode synthetic profiles.
 */
export function pprofMessageType(name: PprofMessageName): protobuf.Type {
  if (cachedRoot === undefined) {
    cachedRoot = protobuf.Root.fromJSON(PPROF_DESCRIPTOR);
  }
  return cachedRoot.lookupType(`perftools.profiles.${name}`);
}

/** Wire types (protobuf encoding) that appear in the pprof schema. */
type WireType = 0 | 2;

/**
 * For each message, the fields that Go's hand-written decoder (`internal/profile/encode.go`)
 * knows, with the wire types it accepts. Go rejects a known field that arrives with any other
 * wire type ("type mismatch"); protobufjs instead keeps it as an unknown field, so the decoder
 * checks unknown fields against this table to reject exactly what Go rejects. Fields Go does not
 * know (`doc_url`, `is_folded`, `column`, `num_unit`) are skipped by Go whatever their wire type.
 */
export const GO_DECODED_FIELDS: Readonly<
  Record<PprofMessageName, ReadonlyMap<number, readonly WireType[]>>
> = {
  Profile: new Map<number, readonly WireType[]>([
    [1, [2]],
    [2, [2]],
    [3, [2]],
    [4, [2]],
    [5, [2]],
    [6, [2]],
    [7, [0]],
    [8, [0]],
    [9, [0]],
    [10, [0]],
    [11, [2]],
    [12, [0]],
    [13, [0, 2]],
    [14, [0]],
  ]),
  ValueType: new Map<number, readonly WireType[]>([
    [1, [0]],
    [2, [0]],
  ]),
  Sample: new Map<number, readonly WireType[]>([
    [1, [0, 2]],
    [2, [0, 2]],
    [3, [2]],
  ]),
  Label: new Map<number, readonly WireType[]>([
    [1, [0]],
    [2, [0]],
    [3, [0]],
  ]),
  Mapping: new Map<number, readonly WireType[]>(
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((f) => [f, [0]] as const),
  ),
  Location: new Map<number, readonly WireType[]>([
    [1, [0]],
    [2, [0]],
    [3, [0]],
    [4, [2]],
  ]),
  Line: new Map<number, readonly WireType[]>([
    [1, [0]],
    [2, [0]],
  ]),
  Function: new Map<number, readonly WireType[]>([1, 2, 3, 4, 5].map((f) => [f, [0]] as const)),
};
