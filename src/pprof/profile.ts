/**
 * The decoded form of a pprof profile: string-table indices resolved to strings and IDs resolved
 * to objects, as Go's `internal/profile` presents it after `postDecode`.
 *
 * Integer fields that PGO computes with (sample values, line numbers) are JS numbers, and the
 * decoder refuses a profile where one of them is not a safe integer. uint64 identifiers and
 * addresses, timestamps and numeric labels, which are only compared or shown, are `bigint`.
 */
export interface PprofProfile {
  /** What each entry of `PprofSample.values` measures, e.g. `samples/count`, `cpu/nanoseconds`. */
  readonly sampleTypes: readonly PprofValueType[];
  readonly samples: readonly PprofSample[];
  readonly mappings: readonly PprofMapping[];
  readonly locations: readonly PprofLocation[];
  readonly functions: readonly PprofFunction[];
  /** Wall-clock time the profile was taken, nanoseconds since the Unix epoch (0 if unknown). */
  readonly timeNanos: bigint;
  /** Length of the profiled interval in nanoseconds (0 if unknown). */
  readonly durationNanos: bigint;
  /** The kind of event between samples, e.g. `cpu/nanoseconds` (empty strings if absent). */
  readonly periodType: PprofValueType;
  /** The number of `periodType` units between samples, e.g. 10000000 for 100 Hz CPU profiles. */
  readonly period: bigint;
  readonly comments: readonly string[];
  readonly dropFrames: string;
  readonly keepFrames: string;
  readonly defaultSampleType: string;
}

/** A (type, unit) pair such as `samples/count`. */
export interface PprofValueType {
  readonly type: string;
  readonly unit: string;
}

/** One stack with its measured values. */
export interface PprofSample {
  /** The stack, leaf first: `locations[0]` is where the sample was taken. */
  readonly locations: readonly PprofLocation[];
  /** One value per entry of `PprofProfile.sampleTypes`, in that order. */
  readonly values: readonly number[];
  readonly labels: readonly PprofLabel[];
}

/** A sample label: a string label when `str` is set, a numeric label otherwise (as in Go). */
export interface PprofLabel {
  readonly key: string;
  readonly str: string | undefined;
  readonly num: bigint;
}

/** A memory mapping of the profiled process (usually one per binary or shared library). */
export interface PprofMapping {
  readonly id: bigint;
  readonly start: bigint;
  readonly limit: bigint;
  readonly offset: bigint;
  readonly file: string;
  readonly buildId: string;
  readonly hasFunctions: boolean;
  readonly hasFilenames: boolean;
  readonly hasLineNumbers: boolean;
  readonly hasInlineFrames: boolean;
}

/** A program counter, with the source lines it belongs to. */
export interface PprofLocation {
  readonly id: bigint;
  /** Undefined when the location names no mapping or a mapping ID that does not exist. */
  readonly mapping: PprofMapping | undefined;
  readonly address: bigint;
  /**
   * The inline chain at this address, **innermost first**: `lines[0]` is the frame that was
   * executing and the last entry is the function the code was compiled into.
   */
  readonly lines: readonly PprofLine[];
  readonly isFolded: boolean;
}

/** One frame of a location's inline chain. */
export interface PprofLine {
  /** Undefined when the line has function ID 0 (Go treats the frame as address-only). */
  readonly function: PprofFunction | undefined;
  readonly line: number;
  readonly column: number;
}

/** A function, named by its linker symbol name (which is what the Go compiler matches on). */
export interface PprofFunction {
  readonly id: bigint;
  readonly name: string;
  readonly systemName: string;
  readonly filename: string;
  /** Line of the `func` keyword (0 when the profiled binary predates Go 1.20). */
  readonly startLine: number;
}
