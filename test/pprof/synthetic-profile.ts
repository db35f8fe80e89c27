import { gzipSync } from 'node:zlib';
import { pprofMessageType } from '../../src/pprof';

/** A function of a synthetic profile; `startLine` 0 means "absent", as in pre-1.20 profiles. */
export interface SynthFunction {
  readonly name: string;
  readonly startLine: number;
}

/** A location: its inline chain innermost first; `fn: undefined` gives function ID 0. */
export interface SynthLocation {
  readonly address?: number;
  readonly lines: readonly { readonly fn: string | undefined; readonly line: number }[];
}

/** A sample: location indices (into `locations`), leaf first, and one value per sample type. */
export interface SynthSample {
  readonly stack: readonly number[];
  readonly values: readonly number[];
}

/** Everything a synthetic profile is built from. */
export interface SynthProfile {
  readonly sampleTypes?: readonly (readonly [string, string])[];
  readonly functions: readonly SynthFunction[];
  readonly locations: readonly SynthLocation[];
  readonly samples: readonly SynthSample[];
  readonly timeNanos?: number;
  readonly durationNanos?: number;
}

/**
 * Encodes a synthetic profile with protobufjs, gzip-compressed like runtime/pprof output. IDs are
 * 1-based positions; the string table is built as Go builds it (index 0 is "").
 */
export function encodeSyntheticProfile(p: SynthProfile): Buffer {
  const strings: string[] = [''];
  const index = (s: string): number => {
    let i = strings.indexOf(s);
    if (i < 0) {
      i = strings.length;
      strings.push(s);
    }
    return i;
  };
  const functionIds = new Map<string, number>();
  const fns = p.functions.map((f, i) => {
    functionIds.set(f.name, i + 1);
    return {
      id: i + 1,
      name: index(f.name),
      system_name: index(f.name),
      filename: index('x.go'),
      start_line: f.startLine,
    };
  });
  const sampleTypes = (
    p.sampleTypes ?? [
      ['samples', 'count'],
      ['cpu', 'nanoseconds'],
    ]
  ).map(([t, u]) => ({
    type: index(t),
    unit: index(u),
  }));
  const periodType = { type: index('cpu'), unit: index('nanoseconds') };
  const mappingFile = index('/bin/x');
  // Every index() call must happen before string_table is read below.
  const message = {
    sample_type: sampleTypes,
    sample: p.samples.map((s) => ({
      location_id: s.stack.map((l) => l + 1),
      value: [...s.values],
    })),
    mapping: [
      {
        id: 1,
        memory_start: 0x400000,
        memory_limit: 0x800000,
        filename: mappingFile,
        has_functions: true,
      },
    ],
    location: p.locations.map((l, i) => ({
      id: i + 1,
      mapping_id: 1,
      address: l.address ?? 0x401000 + i * 16,
      line: l.lines.map((ln) => ({
        function_id: ln.fn === undefined ? 0 : functionIds.get(ln.fn),
        line: ln.line,
      })),
    })),
    function: fns,
    string_table: strings.map((s) => Buffer.from(s, 'utf8')),
    time_nanos: p.timeNanos ?? 1700000000000000000,
    duration_nanos: p.durationNanos ?? 30000000000,
    period_type: periodType,
    period: 10000000,
  };
  const type = pprofMessageType('Profile');
  return gzipSync(type.encode(type.fromObject(message)).finish());
}
