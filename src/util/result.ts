/**
 * Expected failures are values, not exceptions (house style rule 2).
 * A `Result<T, F>` is either `{ ok: true, value }` or `{ ok: false, failure }`.
 */
export type Result<T, F> = Ok<T> | Err<F>;

/** The success arm of a {@link Result}. */
export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
}

/** The failure arm of a {@link Result}. */
export interface Err<F> {
  readonly ok: false;
  readonly failure: F;
}

/** Wraps a value as a successful {@link Result}. */
export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

/** Wraps a failure as a failed {@link Result}. */
export function err<F>(failure: F): Err<F> {
  return { ok: false, failure };
}
