import { isUtf8 } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { err, ok, type Result } from '../util/result';
import { IdTable } from './id-table';
import { Int64Reader } from './int64-reader';
import { int64Key, int64ToBigInt, int64ToSafeNumber, type WireInt64 } from './int64';
import type {
  PprofFunction,
  PprofLabel,
  PprofLine,
  PprofLocation,
  PprofMapping,
  PprofProfile,
  PprofSample,
  PprofValueType,
} from './profile';
import { profileFailure, type ProfileFailure } from './profile-failure';
import { errorMessage } from './error-message';
import { GO_DECODED_FIELDS, pprofMessageType, type PprofMessageName } from './profile-proto';
import { scanTopLevelFields } from './scan-top-level-fields';
import { splitSamples } from './compact-samples';
import { sampleStacks, type SampleStacks } from './profile-edges';

/**
 * Decodes a pprof profile (gzip-compressed or raw protobuf) with protobufjs and checks it the way
 * Go's `internal/profile.Parse` does, so that we accept and reject the same files as
 * `go tool preprofile`. Returns `'empty'` for a zero-length input (or a gzip stream that inflates
 * to nothing), which Go treats as a valid profile with no samples.
 *
 * One deliberate difference: a sample that names a location ID missing from the location table
 * is rejected here; Go keeps a nil location and only crashes if it is one of the two leaf frames.
 */
export function decodeProfile(
  bytes: Uint8Array,
  displayPath: string,
): Result<PprofProfile | 'empty', ProfileFailure> {
  const inflated = inflate(bytes, displayPath);
  if (!inflated.ok) {
    return inflated;
  }
  return decodeInflated(inflated.value, displayPath, -1);
}

/** What preprocessing needs of a profile: its sample types and its samples' stacks. */
export interface ProfileStacks {
  readonly sampleTypes: readonly PprofValueType[];
  readonly stacks: SampleStacks;
}

/**
 * {@link decodeProfile} for preprocessing: accepts and rejects exactly the same inputs, but a
 * profile in the common shape (see {@link splitSamples}) keeps its samples in typed arrays
 * rather than as one object per sample, which for a million-sample profile is the difference
 * between about 100 MB and well over 1 GB.
 */
export function decodeProfileStacks(
  bytes: Uint8Array,
  displayPath: string,
): Result<ProfileStacks | 'empty', ProfileFailure> {
  const inflated = inflate(bytes, displayPath);
  if (!inflated.ok) {
    return inflated;
  }
  const data = inflated.value;
  const compact = data.length === 0 ? undefined : compactStacks(data, displayPath);
  if (compact !== undefined) {
    return ok(compact);
  }
  // Anything uncommon, including every invalid profile, takes the general decoder.
  const full = decodeInflated(data, displayPath, -1);
  if (!full.ok) {
    return full;
  }
  if (full.value === 'empty') {
    return ok('empty');
  }
  return ok({ sampleTypes: full.value.sampleTypes, stacks: sampleStacks(full.value.samples) });
}

/**
 * The profile with compact samples, or undefined when it is not in the common shape or when the
 * general decoder must decide (any problem at all: it gives Go's first failure).
 */
function compactStacks(data: Uint8Array, displayPath: string): ProfileStacks | undefined {
  const split = splitSamples(data);
  if (split === undefined) {
    return undefined;
  }
  const { count, offsets, locationIds, values, valuesPerSample, maxLabelString } = split.samples;
  const rest = decodeInflated(split.rest, displayPath, maxLabelString);
  if (!rest.ok || rest.value === 'empty') {
    return undefined;
  }
  const { sampleTypes, locations } = rest.value;
  if (count > 0 && (sampleTypes.length === 0 || valuesPerSample !== sampleTypes.length)) {
    return undefined;
  }
  const locationById = new IdTable<PprofLocation>();
  for (const l of locations) {
    if (l.id <= 0xffffffffn) {
      locationById.set(Number(l.id), l);
    }
  }
  for (const id of locationIds) {
    if (locationById.get(id) === undefined) {
      return undefined;
    }
  }
  const stacks: SampleStacks = {
    count,
    value: (i, valueIndex) =>
      valueIndex < valuesPerSample ? (values[i * valuesPerSample + valueIndex] as number) : 0,
    depth: (i) => (offsets[i + 1] as number) - (offsets[i] as number),
    location: (i, frame) =>
      locationById.get(locationIds[(offsets[i] as number) + frame] as number) as PprofLocation,
  };
  return { sampleTypes, stacks };
}

/** Decodes an inflated profile; `maxLabelString` is a label string index to check too, or -1. */
function decodeInflated(
  data: Uint8Array,
  displayPath: string,
  maxLabelString: number,
): Result<PprofProfile | 'empty', ProfileFailure> {
  if (data.length === 0) {
    return ok('empty');
  }

  let raw: RawProfile;
  try {
    // The cast is the one place where protobufjs' untyped message meets our types; the shape
    // is fixed by PPROF_PROTO_SCHEMA (keepCase field names).
    raw = pprofMessageType('Profile').decode(new Int64Reader(data)) as unknown as RawProfile;
  } catch (e) {
    return err(classifyDecodeError(data, e, displayPath));
  }

  const rejected = findFieldGoRejects(raw);
  if (rejected !== undefined) {
    return err(profileFailure('profile-not-pprof', displayPath, `${rejected}; ${EXPECTED_PPROF}`));
  }
  return resolveProfile(raw, displayPath, maxLabelString);
}

const EXPECTED_PPROF =
  'expected a pprof protobuf (perftools.profiles.Profile, optionally gzip-compressed) as written ' +
  'by runtime/pprof or `go tool pprof -proto`';

/** Inflates gzip input (magic 1f 8b), exactly as Go decides: by the first two bytes only. */
/** The largest decompressed profile decoded. */
const MAX_INFLATED_BYTES = 1024 * 1024 * 1024;

function inflate(bytes: Uint8Array, displayPath: string): Result<Uint8Array, ProfileFailure> {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    return ok(bytes);
  }
  try {
    // A gzip bomb must not take all memory: the inflated profile is bounded too.
    return ok(gunzipSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES }));
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const detail = errorMessage(e);
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      return err(
        profileFailure(
          'profile-unsupported',
          displayPath,
          `inflates to more than ${MAX_INFLATED_BYTES} bytes; profiles that large are not read`,
        ),
      );
    }
    if (code === 'Z_BUF_ERROR') {
      return err(
        profileFailure(
          'profile-truncated',
          displayPath,
          `the gzip stream ends early (${detail}); expected a complete gzip-compressed pprof file`,
        ),
      );
    }
    return err(
      profileFailure(
        'profile-not-pprof',
        displayPath,
        `starts with the gzip magic bytes but is not a valid gzip stream (${detail}); ${EXPECTED_PPROF}`,
      ),
    );
  }
}

/**
 * protobufjs throws when the bytes are not a well-formed protobuf. A cut-off profile and random
 * bytes can fail the same way (a length running past the end), so tell them apart by scanning
 * the top-level fields: a truncated profile is a run of complete, well-typed Profile fields
 * followed by one that the data ends inside.
 */
function classifyDecodeError(data: Uint8Array, e: unknown, displayPath: string): ProfileFailure {
  const detail = errorMessage(e);
  const scan = scanTopLevelFields(data, GO_DECODED_FIELDS.Profile);
  if (scan.outcome === 'ends-inside-field' && scan.completeFields > 0) {
    return profileFailure(
      'profile-truncated',
      displayPath,
      `the protobuf data ends inside a field after ${scan.completeFields} complete Profile fields ` +
        `(${detail}); expected a complete perftools.profiles.Profile message`,
    );
  }
  return profileFailure(
    'profile-not-pprof',
    displayPath,
    `cannot decode it as a protobuf Profile message (${detail}); ${EXPECTED_PPROF}`,
  );
}

/**
 * protobufjs keeps a field whose wire type does not match the schema as an unknown field, and it
 * skips groups; Go's decoder rejects both. Returns a description of the first such field.
 */
function findFieldGoRejects(p: RawProfile): string | undefined {
  // Walks the tree without collecting it first: a large profile has about 100,000 messages, and
  // only the rare one with unknown fields needs a look.
  const check = (m: WithUnknowns, name: PprofMessageName): string | undefined => {
    if (m.$unknowns === undefined) {
      return undefined;
    }
    for (const rawField of m.$unknowns) {
      const tag = readTag(rawField);
      const known = GO_DECODED_FIELDS[name].get(tag.field);
      if (tag.wireType === 3 || tag.wireType === 4) {
        return `${name} field ${tag.field} uses the group wire type, which pprof never uses`;
      }
      if (known !== undefined) {
        const fieldName = pprofMessageType(name).fieldsById[tag.field]?.name ?? '?';
        return (
          `${name} field ${tag.field} (${fieldName}) has wire type ${tag.wireType}, ` +
          `expected ${known.join(' or ')}`
        );
      }
    }
    return undefined;
  };
  let problem = check(p, 'Profile');
  for (const st of p.sample_type) problem ??= check(st, 'ValueType');
  if (p.period_type) problem ??= check(p.period_type, 'ValueType');
  for (const s of p.sample) {
    problem ??= check(s, 'Sample');
    for (const l of s.label) problem ??= check(l, 'Label');
  }
  for (const m of p.mapping) problem ??= check(m, 'Mapping');
  for (const l of p.location) {
    problem ??= check(l, 'Location');
    for (const ln of l.line) problem ??= check(ln, 'Line');
  }
  for (const f of p.function) problem ??= check(f, 'Function');
  return problem;
}

/** The field number and wire type at the start of an unknown field's raw bytes. */
function readTag(raw: Uint8Array): { field: number; wireType: number } {
  let tag = 0;
  for (let i = 0, shift = 0; i < raw.length && i < 5; i++, shift += 7) {
    const b = raw[i] ?? 0;
    tag += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
  }
  return { field: Math.floor(tag / 8), wireType: tag % 8 };
}

/**
 * Resolves string indices and IDs and applies Go's `postDecode` and `CheckValid` rules.
 * The first problem found wins, as in Go.
 */
function resolveProfile(
  raw: RawProfile,
  file: string,
  maxLabelString: number,
): Result<PprofProfile, ProfileFailure> {
  const malformed = (message: string): Result<never, ProfileFailure> =>
    err(profileFailure('profile-not-pprof', file, `${message}; ${EXPECTED_PPROF}`));
  const unsupported = (message: string): Result<never, ProfileFailure> =>
    err(profileFailure('profile-unsupported', file, message));

  // pprof writers put the string table last, so a profile cut at a field boundary decodes
  // cleanly but has no string table, or only part of it. Go rejects both as malformed; when the
  // message otherwise looks like a profile, say what most likely happened.
  const looksLikeProfile =
    raw.sample_type.length + raw.sample.length + raw.location.length + raw.function.length > 0;
  const missingStrings = (message: string): Result<never, ProfileFailure> =>
    looksLikeProfile
      ? err(
          profileFailure(
            'profile-truncated',
            file,
            `${message}; the string table comes last in a pprof file, so the file was probably cut off`,
          ),
        )
      : malformed(message);

  const table = raw.string_table;
  const first = table[0];
  if (first === undefined) {
    // Go looks up index 0 for drop_frames even when nothing else uses strings, so a message
    // without a string table is never a valid profile.
    return missingStrings('it has no string table');
  }
  if (first.length !== 0) {
    return malformed('string_table[0] is not the empty string');
  }
  const decoded = new Array<string | undefined>(table.length);
  let badIndex: string | undefined;
  /** Go's getString: an out-of-range index makes the whole profile malformed. */
  const str = (x: WireInt64, what: string): string => {
    const i = int64ToSafeNumber(x);
    if (i === undefined || i < 0 || i >= table.length) {
      badIndex ??= `${what} refers to string ${int64ToBigInt(x)} but the string table has ${table.length} entries`;
      return '';
    }
    let s = decoded[i];
    if (s === undefined) {
      s = bufferOf(table[i] as Uint8Array).toString('utf8');
      decoded[i] = s;
    }
    return s;
  };

  const mappings: PprofMapping[] = [];
  const mappingById = new IdTable<PprofMapping>();
  for (const m of raw.mapping) {
    const mapping: PprofMapping = {
      id: int64ToBigInt(m.id),
      start: int64ToBigInt(m.memory_start),
      limit: int64ToBigInt(m.memory_limit),
      offset: int64ToBigInt(m.file_offset),
      file: str(m.filename, 'a mapping file name'),
      buildId: str(m.build_id, 'a mapping build ID'),
      hasFunctions: m.has_functions,
      hasFilenames: m.has_filenames,
      hasLineNumbers: m.has_line_numbers,
      hasInlineFrames: m.has_inline_frames,
    };
    mappings.push(mapping);
    mappingById.set(int64Key(m.id), mapping);
  }

  const functions: PprofFunction[] = [];
  const functionById = new IdTable<PprofFunction>();
  for (const f of raw.function) {
    const startLine = int64ToSafeNumber(f.start_line);
    if (startLine === undefined) {
      return unsupported(
        `function ${int64ToBigInt(f.id)} has start_line ${int64ToBigInt(f.start_line)}, beyond 2^53`,
      );
    }
    const nameIndex = int64ToSafeNumber(f.name);
    const nameBytes = nameIndex === undefined ? undefined : table[nameIndex];
    if (nameBytes !== undefined && !isUtf8(nameBytes)) {
      // Go writes such a name byte for byte; we could only write it lossily.
      return unsupported(`function ${int64ToBigInt(f.id)} has a name that is not valid UTF-8`);
    }
    const fn: PprofFunction = {
      id: int64ToBigInt(f.id),
      name: str(f.name, 'a function name'),
      systemName: str(f.system_name, 'a function system name'),
      filename: str(f.filename, 'a function file name'),
      startLine,
    };
    functions.push(fn);
    functionById.set(int64Key(f.id), fn);
  }

  const locations: PprofLocation[] = [];
  const locationById = new IdTable<PprofLocation>();
  for (const l of raw.location) {
    const lines: PprofLine[] = [];
    for (const ln of l.line) {
      const fnKey = int64Key(ln.function_id);
      let fn: PprofFunction | undefined;
      if (fnKey !== 0) {
        fn = functionById.get(fnKey);
        if (fn === undefined) {
          return malformed(
            `a location refers to function ID ${int64ToBigInt(ln.function_id)}, which is not in the function table`,
          );
        }
      }
      const line = int64ToSafeNumber(ln.line);
      if (line === undefined) {
        return unsupported(
          `location ${int64ToBigInt(l.id)} has line ${int64ToBigInt(ln.line)}, beyond 2^53`,
        );
      }
      lines.push({ function: fn, line, column: Number(int64ToBigInt(ln.column)) });
    }
    const location: PprofLocation = {
      id: int64ToBigInt(l.id),
      mapping: mappingById.get(int64Key(l.mapping_id)),
      address: int64ToBigInt(l.address),
      lines,
      isFolded: l.is_folded,
    };
    locations.push(location);
    locationById.set(int64Key(l.id), location);
  }

  const sampleTypes: PprofValueType[] = raw.sample_type.map((st) => ({
    type: str(st.type, 'a sample type'),
    unit: str(st.unit, 'a sample unit'),
  }));

  const samples: PprofSample[] = [];
  for (let index = 0; index < raw.sample.length; index++) {
    const s = raw.sample[index] as RawSample;
    const labels: PprofLabel[] = s.label.map((l) => {
      const key = str(l.key, 'a label key');
      const isString = int64Key(l.str) !== 0;
      return {
        key,
        str: isString ? str(l.str, 'a label value') : undefined,
        num: int64ToBigInt(l.num),
      };
    });
    const ids = s.location_id;
    const sampleLocations = new Array<PprofLocation>(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as WireInt64;
      const location = locationById.get(typeof id === 'number' ? id : int64Key(id));
      if (location === undefined) {
        return malformed(
          `sample ${index} refers to location ID ${int64ToBigInt(id)}, which is not in the location table`,
        );
      }
      sampleLocations[i] = location;
    }
    const values: number[] = [];
    for (const v of s.value) {
      const n = int64ToSafeNumber(v);
      if (n === undefined) {
        return unsupported(`sample ${index} has value ${int64ToBigInt(v)}, beyond 2^53`);
      }
      values.push(n);
    }
    samples.push({ locations: sampleLocations, values, labels });
  }

  const dropFrames = str(raw.drop_frames, 'drop_frames');
  const keepFrames = str(raw.keep_frames, 'keep_frames');
  const periodType: PprofValueType = raw.period_type
    ? {
        type: str(raw.period_type.type, 'the period type'),
        unit: str(raw.period_type.unit, 'the period unit'),
      }
    : { type: '', unit: '' };
  const comments = raw.comment.map((c) => str(c, 'a comment'));
  const defaultSampleType = str(raw.default_sample_type, 'default_sample_type');
  if (maxLabelString >= 0) {
    // Samples decoded elsewhere (compactStacks): their label strings must exist too.
    str(maxLabelString, 'a label key');
  }
  if (badIndex !== undefined) {
    return missingStrings(badIndex);
  }

  const invalid = checkValid(sampleTypes, samples, raw);
  if (invalid !== undefined) {
    return malformed(invalid);
  }

  return ok({
    sampleTypes,
    samples,
    mappings,
    locations,
    functions,
    timeNanos: int64ToBigInt(raw.time_nanos),
    durationNanos: int64ToBigInt(raw.duration_nanos),
    periodType,
    period: int64ToBigInt(raw.period),
    comments,
    dropFrames,
    keepFrames,
    defaultSampleType,
  });
}

/** Go's `Profile.CheckValid`: consistent value counts and unique, non-zero IDs. */
function checkValid(
  sampleTypes: readonly PprofValueType[],
  samples: readonly PprofSample[],
  raw: RawProfile,
): string | undefined {
  if (sampleTypes.length === 0 && samples.length !== 0) {
    return 'it has samples but no sample types';
  }
  for (const [i, s] of samples.entries()) {
    if (s.values.length !== sampleTypes.length) {
      return `sample ${i} has ${s.values.length} values but there are ${sampleTypes.length} sample types`;
    }
  }
  const tables: [string, readonly { id: WireInt64 }[]][] = [
    ['mapping', raw.mapping],
    ['function', raw.function],
    ['location', raw.location],
  ];
  for (const [what, entries] of tables) {
    const seen = new Set<number | bigint>();
    for (const e of entries) {
      const key = int64Key(e.id);
      if (key === 0) {
        return `a ${what} has the reserved ID 0`;
      }
      if (seen.has(key)) {
        return `two ${what}s have ID ${int64ToBigInt(e.id)}`;
      }
      seen.add(key);
    }
  }
  return undefined;
}

/** Node's Buffer view of a protobufjs `bytes` value without copying. */
function bufferOf(u8: Uint8Array): Buffer {
  return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

/** Every decoded message may carry the fields protobufjs did not match against the schema. */
interface WithUnknowns {
  readonly $unknowns?: readonly Uint8Array[];
}

/** The decoded `Profile` message as protobufjs returns it (snake_case, keepCase). */
interface RawProfile extends WithUnknowns {
  readonly sample_type: readonly RawValueType[];
  readonly sample: readonly RawSample[];
  readonly mapping: readonly RawMapping[];
  readonly location: readonly RawLocation[];
  readonly function: readonly RawFunction[];
  readonly string_table: readonly Uint8Array[];
  readonly drop_frames: WireInt64;
  readonly keep_frames: WireInt64;
  readonly time_nanos: WireInt64;
  readonly duration_nanos: WireInt64;
  readonly period_type: RawValueType | null | undefined;
  readonly period: WireInt64;
  readonly comment: readonly WireInt64[];
  readonly default_sample_type: WireInt64;
}

interface RawValueType extends WithUnknowns {
  readonly type: WireInt64;
  readonly unit: WireInt64;
}

interface RawSample extends WithUnknowns {
  readonly location_id: readonly WireInt64[];
  readonly value: readonly WireInt64[];
  readonly label: readonly RawLabel[];
}

interface RawLabel extends WithUnknowns {
  readonly key: WireInt64;
  readonly str: WireInt64;
  readonly num: WireInt64;
}

interface RawMapping extends WithUnknowns {
  readonly id: WireInt64;
  readonly memory_start: WireInt64;
  readonly memory_limit: WireInt64;
  readonly file_offset: WireInt64;
  readonly filename: WireInt64;
  readonly build_id: WireInt64;
  readonly has_functions: boolean;
  readonly has_filenames: boolean;
  readonly has_line_numbers: boolean;
  readonly has_inline_frames: boolean;
}

interface RawLocation extends WithUnknowns {
  readonly id: WireInt64;
  readonly mapping_id: WireInt64;
  readonly address: WireInt64;
  readonly line: readonly RawLine[];
  readonly is_folded: boolean;
}

interface RawLine extends WithUnknowns {
  readonly function_id: WireInt64;
  readonly line: WireInt64;
  readonly column: WireInt64;
}

interface RawFunction extends WithUnknowns {
  readonly id: WireInt64;
  readonly name: WireInt64;
  readonly system_name: WireInt64;
  readonly filename: WireInt64;
  readonly start_line: WireInt64;
}
