/**
 * The message of a caught error. Duck-typed, because errors thrown by Node's core modules come
 * from another realm under jest's sandbox and fail `instanceof Error`.
 */
export function errorMessage(e: unknown): string {
  const message = (e as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : String(e);
}
