import { err, ok, type Result } from '../util/result';
import type {
  PprofFunction,
  PprofLabel,
  PprofLocation,
  PprofMapping,
  PprofProfile,
  PprofSample,
  PprofValueType,
} from './profile';
import { profileFailure, type ProfileFailure } from './profile-failure';

/** One profile to merge, with the factor its sample values are multiplied by. */
export interface MergeInput {
  /** The decoded profile (`'empty'` for a zero-length file, which adds nothing). */
  readonly profile: PprofProfile | 'empty';
  /** How the user named the file, for failures and reports. */
  readonly file: string;
  /** `--weight FILE=W`; 1 when not given. */
  readonly weight: number;
}

/** What {@link mergeProfiles} did with one input. */
export interface MergedInputReport {
  readonly file: string;
  /** Samples in the input. */
  readonly samples: number;
  /** Sum of the input's PGO value (samples/count, else cpu/nanoseconds) before scaling. */
  readonly total: number;
  /** The factor its values were multiplied by (weight × normalization). */
  readonly factor: number;
  /** Its share of the merged total, 0..1. */
  readonly share: number;
  readonly durationNanos: bigint;
}

/** The merged profile and a per-input account of it. */
export interface MergeResult {
  readonly profile: PprofProfile;
  readonly inputs: readonly MergedInputReport[];
  /** Sum of the merged profile's PGO value. */
  readonly total: number;
}

/**
 * Merges profiles as `go tool pprof -proto a b > merged` does (reference §10): only the sample
 * types every profile has (in the first one's order), samples with the same stack and labels
 * summed, functions/locations/mappings de-duplicated, `Period` the maximum, `DurationNanos` the
 * sum, `TimeNanos` the earliest. So each call edge of the preprocessed result weighs the sum of
 * its weights in the inputs.
 *
 * Beyond pprof: each input's values are multiplied by its `weight`, and with `normalize` also by
 * `max total / own total`, so that every input counts as much as the heaviest one (profiles
 * taken over windows of different length). Scaled values are rounded to integers and samples
 * that become all zero are dropped, as pprof does when it scales.
 */
export function mergeProfiles(
  inputs: readonly MergeInput[],
  options: { readonly normalize: boolean },
): Result<MergeResult, ProfileFailure> {
  const present = inputs.filter(
    (i): i is MergeInput & { profile: PprofProfile } => i.profile !== 'empty',
  );
  const first = present[0];
  if (first === undefined) {
    const names = inputs.map((i) => i.file).join(', ');
    return err(profileFailure('profile-empty', names, 'every input is empty; nothing to merge'));
  }
  const common = commonSampleTypes(present);
  if (!common.ok) return common;
  const types = common.value;
  const pgoIndex = pgoValueIndex(types);

  const totals = present.map((i) => totalOf(i.profile, i.profile.sampleTypes, types, pgoIndex));
  const target = Math.max(0, ...totals);
  const factors = present.map((i, k) => {
    const own = totals[k] ?? 0;
    return i.weight * (options.normalize && own > 0 ? target / own : 1);
  });

  const builder = new MergedProfileBuilder(types.length);
  present.forEach((input, k) => {
    builder.add(input.profile, types, factors[k] ?? 1);
  });

  let period = 0n;
  let duration = 0n;
  let time = 0n;
  const comments: string[] = [];
  for (const { profile: p } of present) {
    if (p.period > period) period = p.period;
    duration += p.durationNanos;
    if (p.timeNanos !== 0n && (time === 0n || p.timeNanos < time)) time = p.timeNanos;
    for (const c of p.comments) if (!comments.includes(c)) comments.push(c);
  }
  const merged: PprofProfile = {
    sampleTypes: types,
    samples: builder.samples,
    mappings: builder.mappings,
    locations: builder.locations,
    functions: builder.functions,
    timeNanos: time,
    durationNanos: duration,
    periodType: first.profile.periodType,
    period,
    comments,
    dropFrames: first.profile.dropFrames,
    keepFrames: first.profile.keepFrames,
    defaultSampleType: first.profile.defaultSampleType,
  };
  const mergedTotal = totalOf(merged, types, types, pgoIndex);
  const reports: MergedInputReport[] = inputs.map((i) => {
    const k = present.findIndex((p) => p === i);
    if (k < 0) {
      return { file: i.file, samples: 0, total: 0, factor: i.weight, share: 0, durationNanos: 0n };
    }
    const own = totals[k] ?? 0;
    const factor = factors[k] ?? 1;
    return {
      file: i.file,
      samples: present[k]?.profile.samples.length ?? 0,
      total: own,
      factor,
      share: mergedTotal > 0 ? (own * factor) / mergedTotal : 0,
      durationNanos: present[k]?.profile.durationNanos ?? 0n,
    };
  });
  return ok({ profile: merged, inputs: reports, total: mergedTotal });
}

/** The index of the value PGO weighs edges by (§5.4 step 2), or -1. */
export function pgoValueIndex(types: readonly PprofValueType[]): number {
  return types.findIndex(
    (t) =>
      (t.type === 'samples' && t.unit === 'count') ||
      (t.type === 'cpu' && t.unit === 'nanoseconds'),
  );
}

/** pprof's common sample types: those whose type name every profile has, same unit required. */
function commonSampleTypes(
  inputs: readonly { readonly profile: PprofProfile; readonly file: string }[],
): Result<PprofValueType[], ProfileFailure> {
  const [first, ...rest] = inputs;
  if (first === undefined) return ok([]);
  const types: PprofValueType[] = [];
  for (const t of first.profile.sampleTypes) {
    let everywhere = true;
    for (const other of rest) {
      const match = other.profile.sampleTypes.find((o) => o.type === t.type);
      if (match === undefined) {
        everywhere = false;
        break;
      }
      if (match.unit !== t.unit) {
        return err(
          profileFailure(
            'profiles-incompatible',
            other.file,
            `sample type ${t.type} is measured in ${match.unit} but in ${t.unit} in ${first.file}; expected the same unit in every profile`,
          ),
        );
      }
    }
    if (everywhere) types.push(t);
  }
  if (types.length === 0) {
    const list = inputs
      .map(
        (i) => `${i.file} [${i.profile.sampleTypes.map((t) => `${t.type}/${t.unit}`).join(' ')}]`,
      )
      .join(', ');
    return err(
      profileFailure(
        'profiles-incompatible',
        inputs.map((i) => i.file).join(', '),
        `the profiles have no sample type in common (${list}); expected profiles of one kind, e.g. CPU profiles`,
      ),
    );
  }
  for (const other of rest) {
    const a = first.profile.periodType;
    const b = other.profile.periodType;
    if (a.type.replace(/s$/, '') !== b.type.replace(/s$/, '') || a.unit !== b.unit) {
      return err(
        profileFailure(
          'profiles-incompatible',
          other.file,
          `its period type is ${b.type}/${b.unit} but ${first.file}'s is ${a.type}/${a.unit}; expected the same period type`,
        ),
      );
    }
  }
  return ok(types);
}

/** Sum of the value at `types[index]` over a profile whose own sample types are `own`. */
function totalOf(
  p: PprofProfile,
  own: readonly PprofValueType[],
  types: readonly PprofValueType[],
  index: number,
): number {
  const t = types[index];
  if (t === undefined) return 0;
  const j = own.findIndex((o) => o.type === t.type);
  let total = 0;
  for (const s of p.samples) total += s.values[j] ?? 0;
  return total;
}

/** Accumulates de-duplicated tables and summed samples across the merged profiles. */
class MergedProfileBuilder {
  readonly samples: PprofSample[] = [];
  readonly mappings: PprofMapping[] = [];
  readonly locations: PprofLocation[] = [];
  readonly functions: PprofFunction[] = [];
  private readonly mappingByKey = new Map<string, PprofMapping>();
  private readonly functionByKey = new Map<string, PprofFunction>();
  private readonly locationByKey = new Map<string, PprofLocation>();
  private readonly sampleByKey = new Map<string, { values: number[]; sample: PprofSample }>();
  private readonly locationIndex = new Map<PprofLocation, number>();
  private readonly mappingIndex = new Map<PprofMapping, number>();
  private readonly functionIndex = new Map<PprofFunction, number>();

  constructor(private readonly width: number) {}

  /** Adds one profile's samples, values reordered to `types` and multiplied by `factor`. */
  add(p: PprofProfile, types: readonly PprofValueType[], factor: number): void {
    const columns = types.map((t) => p.sampleTypes.findIndex((o) => o.type === t.type));
    const mappingMap = new Map<PprofMapping, PprofMapping>();
    for (const m of p.mappings) mappingMap.set(m, this.mapping(m));
    const functionMap = new Map<PprofFunction, PprofFunction>();
    for (const f of p.functions) functionMap.set(f, this.function(f));
    const locationMap = new Map<PprofLocation, PprofLocation>();
    for (const l of p.locations) locationMap.set(l, this.location(l, mappingMap, functionMap));

    for (const s of p.samples) {
      const values = columns.map((c) => {
        const v = s.values[c] ?? 0;
        return factor === 1 ? v : Math.round(v * factor);
      });
      if (values.every((v) => v === 0)) continue;
      const locations = s.locations.map((l) => locationMap.get(l) ?? l);
      const key = `${locations.map((l) => this.locationIndex.get(l)).join(',')}|${labelKey(s.labels)}`;
      const existing = this.sampleByKey.get(key);
      if (existing !== undefined) {
        for (let i = 0; i < this.width; i++) {
          existing.values[i] = (existing.values[i] ?? 0) + (values[i] ?? 0);
        }
        continue;
      }
      const sample: PprofSample = { locations, values, labels: s.labels };
      this.sampleByKey.set(key, { values, sample });
      this.samples.push(sample);
    }
  }

  private mapping(m: PprofMapping): PprofMapping {
    // pprof keys a mapping by its size, offset and build ID (or file when there is none).
    const key = `${m.limit - m.start}|${m.offset}|${m.buildId !== '' ? `b:${m.buildId}` : `f:${m.file}`}`;
    let found = this.mappingByKey.get(key);
    if (found === undefined) {
      found = m;
      this.mappingByKey.set(key, m);
      this.mappingIndex.set(m, this.mappings.length);
      this.mappings.push(m);
    }
    return found;
  }

  private function(f: PprofFunction): PprofFunction {
    const key = JSON.stringify([f.startLine, f.name, f.systemName, f.filename]);
    let found = this.functionByKey.get(key);
    if (found === undefined) {
      found = f;
      this.functionByKey.set(key, f);
      this.functionIndex.set(f, this.functions.length);
      this.functions.push(f);
    }
    return found;
  }

  private location(
    l: PprofLocation,
    mappings: ReadonlyMap<PprofMapping, PprofMapping>,
    functions: ReadonlyMap<PprofFunction, PprofFunction>,
  ): PprofLocation {
    const mapping = l.mapping === undefined ? undefined : mappings.get(l.mapping);
    const lines = l.lines.map((ln) => ({
      function: ln.function === undefined ? undefined : functions.get(ln.function),
      line: ln.line,
      column: ln.column,
    }));
    const mappingPos = mapping === undefined ? -1 : (this.mappingIndex.get(mapping) ?? -1);
    // The raw address, not pprof's address − mapping start: the preprocessed graph's nodes are
    // keyed by raw address, and both give the same edges.
    const key = JSON.stringify([
      mappingPos,
      l.address.toString(),
      l.isFolded,
      lines.map((ln) => [
        ln.function === undefined ? -1 : (this.functionIndex.get(ln.function) ?? -1),
        ln.line,
        ln.column,
      ]),
    ]);
    let found = this.locationByKey.get(key);
    if (found === undefined) {
      found = {
        id: BigInt(this.locations.length + 1),
        mapping,
        address: l.address,
        lines,
        isFolded: l.isFolded,
      };
      this.locationByKey.set(key, found);
      this.locationIndex.set(found, this.locations.length);
      this.locations.push(found);
    }
    return found;
  }
}

/** Labels as an order-independent key (pprof sorts string and numeric labels). */
function labelKey(labels: readonly PprofLabel[]): string {
  return labels
    .map((l) => (l.str !== undefined ? `s:${l.key}=${l.str}` : `n:${l.key}=${l.num}`))
    .sort()
    .join('\u0000');
}
