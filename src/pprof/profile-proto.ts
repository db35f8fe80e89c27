import * as protobuf from 'protobufjs';

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

let cachedRoot: protobuf.Root | undefined;

/**
 * The protobufjs type for one pprof message, parsed from {@link PPROF_PROTO_SCHEMA} on first use.
 * Field names keep their snake_case spelling (`keepCase`) so they match the schema text.
 * Tests and profile tools use `pprofMessageType('Profile')` to encode synthetic profiles.
 */
export function pprofMessageType(name: PprofMessageName): protobuf.Type {
  if (cachedRoot === undefined) {
    cachedRoot = protobuf.parse(PPROF_PROTO_SCHEMA, { keepCase: true }).root;
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
