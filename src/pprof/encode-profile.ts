import { gzipSync } from 'node:zlib';
import type { PprofFunction, PprofLocation, PprofMapping, PprofProfile } from './profile';
import { pprofMessageType } from './profile-proto';

/** A 64-bit value in the shape protobufjs' writer accepts for int64/uint64 fields. */
interface LongBits {
  readonly low: number;
  readonly high: number;
  readonly unsigned: boolean;
}

/** Two's-complement 64-bit split of a bigint, for protobufjs (it has no bigint support). */
function longOf(v: bigint): LongBits | number {
  if (v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER)) {
    return Number(v);
  }
  const u = BigInt.asUintN(64, v);
  return { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0, unsigned: true };
}

/**
 * Encodes a profile as runtime/pprof and `go tool pprof -proto` write it: a gzip-compressed
 * `perftools.profiles.Profile`. IDs are renumbered 1..n in table order (they are only
 * references inside the file), and the string table is built in first-use order with "" first.
 */
export function encodeProfile(p: PprofProfile): Uint8Array {
  const strings: string[] = [''];
  const stringIndex = new Map<string, number>([['', 0]]);
  const s = (v: string): number => {
    let i = stringIndex.get(v);
    if (i === undefined) {
      i = strings.length;
      strings.push(v);
      stringIndex.set(v, i);
    }
    return i;
  };
  const mappingId = new Map<PprofMapping, number>();
  p.mappings.forEach((m, i) => mappingId.set(m, i + 1));
  const functionId = new Map<PprofFunction, number>();
  p.functions.forEach((f, i) => functionId.set(f, i + 1));
  const locationId = new Map<PprofLocation, number>();
  p.locations.forEach((l, i) => locationId.set(l, i + 1));

  const message = {
    sample_type: p.sampleTypes.map((t) => ({ type: s(t.type), unit: s(t.unit) })),
    sample: p.samples.map((smp) => ({
      location_id: smp.locations.map((l) => locationId.get(l) ?? 0),
      value: [...smp.values],
      label: smp.labels.map((l) =>
        l.str !== undefined
          ? { key: s(l.key), str: s(l.str) }
          : { key: s(l.key), num: longOf(l.num) },
      ),
    })),
    mapping: p.mappings.map((m, i) => ({
      id: i + 1,
      memory_start: longOf(m.start),
      memory_limit: longOf(m.limit),
      file_offset: longOf(m.offset),
      filename: s(m.file),
      build_id: s(m.buildId),
      has_functions: m.hasFunctions,
      has_filenames: m.hasFilenames,
      has_line_numbers: m.hasLineNumbers,
      has_inline_frames: m.hasInlineFrames,
    })),
    location: p.locations.map((l, i) => ({
      id: i + 1,
      mapping_id: l.mapping === undefined ? 0 : (mappingId.get(l.mapping) ?? 0),
      address: longOf(l.address),
      line: l.lines.map((ln) => ({
        function_id: ln.function === undefined ? 0 : (functionId.get(ln.function) ?? 0),
        line: ln.line,
        column: ln.column,
      })),
      is_folded: l.isFolded,
    })),
    function: p.functions.map((f, i) => ({
      id: i + 1,
      name: s(f.name),
      system_name: s(f.systemName),
      filename: s(f.filename),
      start_line: f.startLine,
    })),
    drop_frames: s(p.dropFrames),
    keep_frames: s(p.keepFrames),
    time_nanos: longOf(p.timeNanos),
    duration_nanos: longOf(p.durationNanos),
    period_type: { type: s(p.periodType.type), unit: s(p.periodType.unit) },
    period: longOf(p.period),
    comment: p.comments.map(s),
    default_sample_type: s(p.defaultSampleType),
    // Every s() call happens above; the table is complete now.
    string_table: [] as Buffer[],
  };
  message.string_table = strings.map((v) => Buffer.from(v, 'utf8'));
  return gzipSync(pprofMessageType('Profile').encode(message).finish());
}
