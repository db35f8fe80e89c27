/**
 * The samples of a profile in typed arrays: sample `i` has the location IDs
 * `locationIds[offsets[i] .. offsets[i + 1])` (leaf first) and the values
 * `values[i * valuesPerSample .. (i + 1) * valuesPerSample)`. A million-sample profile takes
 * about 80 MB this way, where one object and three arrays per sample took well over 1 GB.
 */
export interface CompactSamples {
  readonly count: number;
  readonly offsets: Uint32Array;
  readonly locationIds: Uint32Array;
  readonly values: Float64Array;
  /** How many values every sample has (0 when there are no samples). */
  readonly valuesPerSample: number;
  /** The largest string index a label key or string value refers to, or -1. */
  readonly maxLabelString: number;
}

/** A Profile message split into its samples and every other top-level field. */
export interface SplitProfile {
  readonly samples: CompactSamples;
  /** The Profile message without its `sample` fields, for the general decoder. */
  readonly rest: Uint8Array;
}

/**
 * Splits the `sample` fields (Profile field 2) out of a Profile message and decodes them into
 * {@link CompactSamples}, for the common case only: well-formed fields with the wire types Go's
 * decoder accepts, location IDs below 2^32, non-negative values below 2^53, and the same number
 * of values in every sample. Anything else returns undefined and the caller decodes the whole
 * profile with the general decoder, which then gives the exact failure (or result) Go gives; so
 * this function only ever has to be right about the profiles it accepts.
 */
export function splitSamples(data: Uint8Array): SplitProfile | undefined {
  const builder = new SamplesBuilder();
  const restParts: Uint8Array[] = [];
  let restStart = 0;
  let pos = 0;
  while (pos < data.length) {
    const fieldStart = pos;
    const tag = readVarint(data, pos);
    if (tag < 8) return undefined;
    pos = varintEnd;
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    const end = skipValue(data, pos, wireType);
    if (end < 0) return undefined;
    if (field === 2 && wireType === 2) {
      const len = readVarint(data, pos);
      if (!builder.addSample(data, varintEnd, varintEnd + len)) return undefined;
      if (fieldStart > restStart) restParts.push(data.subarray(restStart, fieldStart));
      restStart = end;
    }
    pos = end;
  }
  if (restStart < data.length) restParts.push(data.subarray(restStart));
  const samples = builder.finish();
  if (samples === undefined) return undefined;
  return { samples, rest: Buffer.concat(restParts) };
}

/** Where the last {@link readVarint} ended. */
let varintEnd = 0;

/**
 * A varint of at most 8 bytes (anything below 2^53 fits), or -1 when it is longer or the data
 * ends inside it. Sets {@link varintEnd}.
 */
function readVarint(data: Uint8Array, pos: number): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    const b = data[pos + i];
    if (b === undefined) return -1;
    value += (b & 0x7f) * scale;
    if (b < 0x80) {
      varintEnd = pos + i + 1;
      return value <= Number.MAX_SAFE_INTEGER ? value : -1;
    }
    scale *= 128;
  }
  return -1;
}

/** The end of a field value of `wireType` starting at `pos`, or -1 (groups, bad data). */
function skipValue(data: Uint8Array, pos: number, wireType: number): number {
  switch (wireType) {
    case 0:
      // Any varint Go reads: up to ten bytes (timestamps and label numbers need nine or ten).
      for (let i = 0; i < 10; i++) {
        const b = data[pos + i];
        if (b === undefined) return -1;
        if (b < 0x80) return pos + i + 1;
      }
      return -1;
    case 1:
      return pos + 8 <= data.length ? pos + 8 : -1;
    case 2: {
      const len = readVarint(data, pos);
      return len < 0 || varintEnd + len > data.length ? -1 : varintEnd + len;
    }
    case 5:
      return pos + 4 <= data.length ? pos + 4 : -1;
    default:
      return -1;
  }
}

/** Growing typed arrays for {@link CompactSamples}. */
class SamplesBuilder {
  private count = 0;
  private offsets = new Uint32Array(1024);
  private ids = new Uint32Array(16384);
  private idCount = 0;
  private values = new Float64Array(2048);
  private valueCount = 0;
  private valuesPerSample = -1;
  private maxLabelString = -1;

  /** Decodes one Sample message in `data[start, end)`; false for anything uncommon. */
  addSample(data: Uint8Array, start: number, end: number): boolean {
    const valuesBefore = this.valueCount;
    let pos = start;
    while (pos < end) {
      const tag = readVarint(data, pos);
      // Field 0 is invalid; leave its handling to the general decoder.
      if (tag < 8 || varintEnd > end) return false;
      pos = varintEnd;
      const field = Math.floor(tag / 8);
      const wireType = tag % 8;
      if (field === 1 || field === 2) {
        const push = field === 1 ? (v: number) => this.pushId(v) : (v: number) => this.pushValue(v);
        if (wireType === 0) {
          const v = readVarint(data, pos);
          if (v < 0 || varintEnd > end || !push(v)) return false;
          pos = varintEnd;
        } else if (wireType === 2) {
          const len = readVarint(data, pos);
          if (len < 0 || varintEnd + len > end) return false;
          const packedEnd = varintEnd + len;
          pos = varintEnd;
          while (pos < packedEnd) {
            const v = readVarint(data, pos);
            if (v < 0 || varintEnd > packedEnd || !push(v)) return false;
            pos = varintEnd;
          }
        } else {
          return false;
        }
      } else if (field === 3) {
        if (wireType !== 2) return false;
        const len = readVarint(data, pos);
        if (len < 0 || varintEnd + len > end) return false;
        const labelEnd = varintEnd + len;
        if (!this.checkLabel(data, varintEnd, labelEnd)) return false;
        pos = labelEnd;
      } else {
        const next = skipValue(data, pos, wireType);
        if (next < 0 || next > end) return false;
        pos = next;
      }
    }
    const n = this.valueCount - valuesBefore;
    if (this.valuesPerSample === -1) {
      this.valuesPerSample = n;
    } else if (n !== this.valuesPerSample) {
      return false;
    }
    this.count++;
    if (this.count >= this.offsets.length) {
      this.offsets = grow(this.offsets);
    }
    this.offsets[this.count] = this.idCount;
    return true;
  }

  /** Reads a Label's key and string value (string indices; the number is not needed). */
  private checkLabel(data: Uint8Array, start: number, end: number): boolean {
    let key = 0;
    let str = 0;
    let pos = start;
    while (pos < end) {
      const tag = readVarint(data, pos);
      // Field 0 is invalid; leave its handling to the general decoder.
      if (tag < 8 || varintEnd > end) return false;
      pos = varintEnd;
      const field = Math.floor(tag / 8);
      const wireType = tag % 8;
      if (field >= 1 && field <= 3) {
        if (wireType !== 0) return false;
        const v = readVarint(data, pos);
        // A negative number (ten bytes) is fine for `num` but not as a string index.
        if (v < 0) {
          if (field !== 3) return false;
          const next = skipValue(data, pos, 0);
          if (next < 0 || next > end) return false;
          pos = next;
          continue;
        }
        if (varintEnd > end) return false;
        if (field === 1) key = v;
        if (field === 2) str = v;
        pos = varintEnd;
      } else {
        const next = skipValue(data, pos, wireType);
        if (next < 0 || next > end) return false;
        pos = next;
      }
    }
    this.maxLabelString = Math.max(this.maxLabelString, key, str);
    return true;
  }

  private pushId(v: number): boolean {
    if (v > 0xffffffff) return false;
    if (this.idCount >= this.ids.length) this.ids = grow(this.ids);
    this.ids[this.idCount++] = v;
    return true;
  }

  private pushValue(v: number): boolean {
    if (this.valueCount >= this.values.length) this.values = grow(this.values);
    this.values[this.valueCount++] = v;
    return true;
  }

  finish(): CompactSamples | undefined {
    return {
      count: this.count,
      offsets: this.offsets.subarray(0, this.count + 1),
      locationIds: this.ids.subarray(0, this.idCount),
      values: this.values.subarray(0, this.valueCount),
      valuesPerSample: Math.max(this.valuesPerSample, 0),
      maxLabelString: this.maxLabelString,
    };
  }
}

function grow<T extends Uint32Array | Float64Array>(a: T): T {
  const bigger = new (a.constructor as new (n: number) => T)(a.length * 2);
  bigger.set(a);
  return bigger;
}
