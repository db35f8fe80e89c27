import type { ActionKey } from '../../src/actions/action-key';
import { sha256 } from '../../src/util/digest';

/** An action key for tests (any 64-hex string is a well-formed key). */
export function testKey(name: string): ActionKey {
  return sha256(`action:${name}`) as string as ActionKey;
}

/** Deterministic pseudo-random bytes (so blobs of the same seed are equal). */
export function testBytes(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = Math.imul(seed, 2654435761) >>> 0;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
