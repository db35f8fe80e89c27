/**
 * Marks the default branch of an exhaustive `switch` over a union. The compiler rejects the call
 * when a case is missing; at run time reaching it is a bug.
 */
export function unreachable(value: never): never {
  throw new Error(`unreachable: unexpected value ${JSON.stringify(value)}`);
}
