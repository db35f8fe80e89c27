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
 * The exact value as a number, or undefined when it is not a safe integer (|v| > 2^53 - 1).
 * Exact because `high * 2^32` is a power-of-two multiple and rounding is monotonic: a true
 * value beyond the safe range can never round back into it.
 */
export function int64ToSafeNumber(v: WireInt64): number | undefined {
  if (typeof v === 'number') {
    return Number.isSafeInteger(v) ? v : undefined;
  }
  if (typeof v === 'bigint') {
    return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : undefined;
  }
  const high = v.unsigned ? v.high >>> 0 : v.high | 0;
  const n = high * TWO_32 + (v.low >>> 0);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The exact value as a bigint, honouring the signedness protobufjs recorded. */
export function int64ToBigInt(v: WireInt64): bigint {
  if (typeof v === 'number') {
    return BigInt(v);
  }
  if (typeof v === 'bigint') {
    return v;
  }
  const bits = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return v.unsigned ? bits : BigInt.asIntN(64, bits);
}

/**
 * A value usable as a Map key that equals another key exactly when the integers are equal:
 * a number when safe (fast, the common case), a bigint otherwise.
 */
export function int64Key(v: WireInt64): number | bigint {
  return int64ToSafeNumber(v) ?? int64ToBigInt(v);
}
