import { type Result, err, ok, unreachable } from '../util';

/**
 * Checks a numeric command-line flag as yargs parsed it. yargs turns `--x=abc` into NaN and a
 * repeated flag into an array; both, and values out of range, are usage errors naming the flag
 * (a NaN or zero `--disk_cache_max_size` would otherwise evict the whole cache).
 *
 * @param name the flag without dashes, e.g. `disk_cache_max_size`
 * @param value what yargs produced
 * @param kind `integer`: a whole number ≥ 1; `positive`: any finite number > 0
 */
export function checkNumericFlag(
  name: string,
  value: unknown,
  kind: 'integer' | 'positive',
): Result<number, string> {
  const shown = Array.isArray(value) ? value.join(', ') : String(value);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return err(
      Array.isArray(value)
        ? `--${name} is given more than once (${shown})`
        : `--${name} must be a number`,
    );
  }
  switch (kind) {
    case 'integer':
      if (!Number.isInteger(value) || value < 1)
        return err(`--${name} must be a positive integer, got ${shown}`);
      return ok(value);
    case 'positive':
      if (value <= 0) return err(`--${name} must be greater than 0, got ${shown}`);
      return ok(value);
    default:
      return unreachable(kind);
  }
}
