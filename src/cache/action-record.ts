import type { ActionKey } from '../actions/action-key';
import { sha256 } from '../util/digest';
import type { Result } from '../util/result';
import { err } from '../util/result';
import type { ActionResult } from './action-result';
import { validateActionResult } from './action-result';

/**
 * The on-disk form of an action cache entry. An {@link ActionResult} is not a function of its key,
 * so unlike a CAS blob it cannot be checked against its name; the record therefore carries its own
 * checksum and length, plus the key it was written for (so a file copied or renamed to another
 * key's slot is caught too):
 *
 * ```
 * pgobuild-ac v1 <action key> <sha256 of body> <body length in bytes>\n
 * <body: the ActionResult as JSON>
 * ```
 */
const MAGIC = 'pgobuild-ac v1';

/** Why bytes read from an action cache slot are not a usable record. */
export interface CorruptActionRecord {
  readonly reason: 'corrupt-action-record';
  readonly detail: string;
}

/** Serializes a result for `key` as a self-checking record. */
export function encodeActionRecord(key: ActionKey, result: ActionResult): Uint8Array {
  const body = Buffer.from(JSON.stringify(result), 'utf8');
  const header = `${MAGIC} ${key} ${sha256(body)} ${body.length}\n`;
  return Buffer.concat([Buffer.from(header, 'utf8'), body]);
}

/**
 * Parses and verifies a record read from the slot of `key`. Any truncation, edit or foreign
 * content yields a failure naming what was wrong.
 */
export function decodeActionRecord(
  bytes: Uint8Array,
  key: ActionKey,
): Result<ActionResult, CorruptActionRecord> {
  const bad = (detail: string): Result<ActionResult, CorruptActionRecord> =>
    err({ reason: 'corrupt-action-record', detail });
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const newline = buf.indexOf(0x0a);
  if (newline < 0) return bad('no header line');
  const header = buf.subarray(0, newline).toString('utf8');
  const m = /^pgobuild-ac v1 ([0-9a-f]{64}) ([0-9a-f]{64}) (\d+)$/.exec(header);
  if (m === null) return bad(`malformed header ${JSON.stringify(header.slice(0, 200))}`);
  const [, recordKey, checksum, lengthText] = m;
  if (recordKey !== key) return bad(`record was written for key ${recordKey}`);
  const body = buf.subarray(newline + 1);
  if (body.length !== Number(lengthText)) {
    return bad(`body is ${body.length} bytes, header says ${lengthText}`);
  }
  const actual = sha256(body);
  if (actual !== checksum) return bad(`body checksum ${actual} does not match header ${checksum}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (e) {
    return bad(`body is not JSON: ${(e as Error).message}`);
  }
  const result = validateActionResult(parsed);
  return result.ok ? result : bad(result.failure.detail);
}
