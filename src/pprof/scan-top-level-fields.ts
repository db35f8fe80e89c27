/** How a scan of a message's top-level fields ended. */
export type TopLevelScanOutcome =
  /** Every field was complete and well-typed up to the end of the data. */
  | 'complete'
  /** The data ended inside a field whose tag was well-typed: what truncation looks like. */
  | 'ends-inside-field'
  /** A tag named a field the message does not have, or used the wrong wire type. */
  | 'unexpected-field';

/** The result of {@link scanTopLevelFields}. */
export interface TopLevelScan {
  readonly outcome: TopLevelScanOutcome;
  /** How many complete, well-typed fields preceded the end of the scan. */
  readonly completeFields: number;
}

/**
 * Walks the top-level fields of a protobuf message without decoding them, accepting only the
 * field numbers and wire types in `expected`. Used after a decode error to tell a cut-off
 * profile (good fields, then the data ends mid-field) from bytes that were never a profile
 * (which almost always show a wrong field or wire type within the first few bytes).
 */
export function scanTopLevelFields(
  data: Uint8Array,
  expected: ReadonlyMap<number, readonly number[]>,
): TopLevelScan {
  let pos = 0;
  let completeFields = 0;
  const endsInside: TopLevelScan = { outcome: 'ends-inside-field', completeFields: 0 };
  while (pos < data.length) {
    const tag = readVarint(data, pos);
    if (tag === 'overlong') {
      return { outcome: 'unexpected-field', completeFields };
    }
    if (tag === 'ends') {
      return { ...endsInside, completeFields };
    }
    pos = tag.next;
    const field = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    if (!(expected.get(field) ?? []).includes(wireType)) {
      return { outcome: 'unexpected-field', completeFields };
    }
    switch (wireType) {
      case 0: {
        const v = readVarint(data, pos);
        if (v === 'overlong') {
          return { outcome: 'unexpected-field', completeFields };
        }
        if (v === 'ends') {
          return { ...endsInside, completeFields };
        }
        pos = v.next;
        break;
      }
      case 2: {
        const len = readVarint(data, pos);
        if (len === 'overlong') {
          return { outcome: 'unexpected-field', completeFields };
        }
        if (len === 'ends' || len.next + len.value > data.length) {
          return { ...endsInside, completeFields };
        }
        pos = len.next + len.value;
        break;
      }
      default:
        // The pprof schema only uses varint and length-delimited fields.
        return { outcome: 'unexpected-field', completeFields };
    }
    completeFields++;
  }
  return { outcome: 'complete', completeFields };
}

/**
 * Reads a varint: `'ends'` when the data ends inside it, `'overlong'` past 10 bytes (malformed,
 * as in Go's decoder).
 */
function readVarint(
  data: Uint8Array,
  pos: number,
): { value: number; next: number } | 'ends' | 'overlong' {
  let value = 0;
  for (let i = 0; i < 10; i++) {
    const b = data[pos + i];
    if (b === undefined) {
      return 'ends';
    }
    // Floating-point accumulation: exact below 2^53, which covers any length that fits in memory.
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) {
      return { value, next: pos + i + 1 };
    }
  }
  return 'overlong';
}
