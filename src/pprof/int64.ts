/**
 * A 64-bit integer as the decoder sees it: a number when it is a safe integer and an exact bigint
 * otherwise (as {@link Int64Reader} reads them), or a `Long` object, which is how protobufjs
 * represents the default of an absent field when the `long` package is present (it is a
 * protobufjs dependency).
 */
export type WireInt64 =
  number | bigint | { readonly low: number; readonly high: number; readonly unsigned: boolean };

const TWO_32 = 4294967296;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The 64-bit integer made of two 32-bit halves (as a `Long` or a varint carries it): a number
 * when it is a safe integer, an exact bigint otherwise. The safe test is exact because
 * `high * 2^32` is a power-of-two multiple and rounding is monotonic: a true value beyond the safe
 * range can never round back into it.
 */
export function int64FromBits(low: number, high: number, unsigned: boolean): number | bigint {
  const n = (unsigned ? high >>> 0 : high | 0) * TWO_32 + (low >>> 0);
  if (Number.isSafeInteger(n)) {
    return n;
  }
  const bits = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
  return unsigned ? bits : BigInt.asIntN(64, bits);
}

/** The exact value as a number, or undefined when it is not a safe integer (|v| > 2^53 - 1). */
export function int64ToSafeNumber(v: WireInt64): number | undefined {
  if (typeof v === 'number') {
    return Number.isSafeInteger(v) ? v : undefined;
  }
  if (typeof v === 'bigint') {
    return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : undefined;
  }
  const n = int64FromBits(v.low, v.high, v.unsigned);
  return typeof n === 'number' ? n : undefined;
}

/** The exact value as a bigint, honouring the signedness protobufjs recorded. */
export function int64ToBigInt(v: WireInt64): bigint {
  if (typeof v === 'number') {
    return BigInt(v);
  }
  if (typeof v === 'bigint') {
    return v;
  }
  return BigInt(int64FromBits(v.low, v.high, v.unsigned));
}

/**
 * A value usable as a Map key that equals another key exactly when the integers are equal:
 * a number when safe (fast, the common case), a bigint otherwise.
 */
export function int64Key(v: WireInt64): number | bigint {
  return int64ToSafeNumber(v) ?? int64ToBigInt(v);
}
