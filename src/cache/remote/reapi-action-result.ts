import type { Result } from '../../util/result';
import { err, ok } from '../../util/result';
import type { ActionResult, BlobRef, InvalidActionResult } from '../action-result';
import { validateActionResult } from '../action-result';
import {
  ACTION_METADATA_TYPE_URL,
  decodeReapi,
  encodeReapi,
  int64ToNumber,
} from './reapi-messages';

/** Names the worker in every result pgobuild stores, so that no result encodes to zero bytes. */
const WORKER = 'pgobuild';

/** A REAPI `Digest` object for a blob: the size is omitted when 0 (proto3 default). */
export function reapiDigest(ref: BlobRef): Record<string, unknown> {
  return ref.size === 0 ? { hash: ref.digest } : { hash: ref.digest, sizeBytes: ref.size };
}

/**
 * pgobuild's {@link ActionResult} as a REAPI v2 `ActionResult` message: output files (path,
 * digest, is_executable, in pgobuild's order: the first is the action's main output), exit code,
 * stdout/stderr digests, and `execution_metadata` with `worker = "pgobuild"` and the free-form
 * metadata packed as a `pgobuild.ActionMetadata` Any. This is what Bazel stores under `/ac/` too,
 * so a REAPI server can validate it.
 */
export function toReapiActionResult(result: ActionResult): Record<string, unknown> {
  const message: Record<string, unknown> = {
    outputFiles: result.outputs.map((o) => ({
      path: o.path,
      digest: reapiDigest(o),
      ...(o.executable ? { isExecutable: true } : {}),
    })),
  };
  if (result.exitCode !== 0) message['exitCode'] = result.exitCode;
  if (result.stdout !== undefined) message['stdoutDigest'] = reapiDigest(result.stdout);
  if (result.stderr !== undefined) message['stderrDigest'] = reapiDigest(result.stderr);
  const entries = result.metadata ?? {};
  message['executionMetadata'] = {
    worker: WORKER,
    ...(Object.keys(entries).length === 0
      ? {}
      : {
          auxiliaryMetadata: [
            {
              typeUrl: ACTION_METADATA_TYPE_URL,
              value: encodeReapi('ActionMetadata', { entries: sortedRecord(entries) }),
            },
          ],
        }),
  };
  return message;
}

/** The canonical bytes of {@link toReapiActionResult} (what is PUT to `/ac/<key>`). */
export function encodeReapiActionResult(result: ActionResult): Uint8Array {
  return encodeReapi('ActionResult', toReapiActionResult(result));
}

/**
 * Reads an untrusted REAPI `ActionResult` (bytes from a remote cache) back into pgobuild's
 * {@link ActionResult}, validated like a disk record. Results pgobuild cannot represent (output
 * directories or symlinks, inlined stdout/stderr without a digest) are invalid.
 */
export function decodeReapiActionResult(
  bytes: Uint8Array,
): Result<ActionResult, InvalidActionResult> {
  const bad = (detail: string): Result<ActionResult, InvalidActionResult> =>
    err({ reason: 'invalid-action-result', detail });
  const decoded = decodeReapi('ActionResult', bytes);
  if (!decoded.ok) return bad(`not an ActionResult message: ${decoded.failure}`);
  const m = decoded.value;
  for (const field of [
    'outputDirectories',
    'outputSymlinks',
    'outputFileSymlinks',
    'outputDirectorySymlinks',
  ]) {
    if (Array.isArray(m[field]) && m[field].length > 0) {
      return bad(`${field} is set: pgobuild actions produce only files`);
    }
  }
  const outputs: unknown[] = [];
  for (const [i, f] of asArray(m['outputFiles']).entries()) {
    const o = asRecord(f);
    const ref = blobRefOf(o['digest']);
    if (ref === undefined) return bad(`outputFiles[${i}] has no valid digest`);
    outputs.push({ path: o['path'], ...ref, executable: o['isExecutable'] === true });
  }
  const candidate: Record<string, unknown> = { outputs, exitCode: m['exitCode'] ?? 0 };
  for (const [name, digestField, rawField] of [
    ['stdout', 'stdoutDigest', 'stdoutRaw'],
    ['stderr', 'stderrDigest', 'stderrRaw'],
  ] as const) {
    if (m[digestField] !== undefined) {
      const ref = blobRefOf(m[digestField]);
      if (ref === undefined) return bad(`${digestField} is not a valid digest`);
      candidate[name] = ref;
    } else if (m[rawField] instanceof Uint8Array && m[rawField].length > 0) {
      return bad(`${rawField} is inlined without a digest`);
    }
  }
  const metadata = metadataOf(m['executionMetadata']);
  if (!metadata.ok) return bad(metadata.failure);
  if (metadata.value !== undefined) candidate['metadata'] = metadata.value;
  return validateActionResult(candidate);
}

function metadataOf(v: unknown): Result<Record<string, string> | undefined, string> {
  for (const any of asArray(asRecord(v)['auxiliaryMetadata'])) {
    const a = asRecord(any);
    if (a['typeUrl'] !== ACTION_METADATA_TYPE_URL) continue;
    const value = a['value'] instanceof Uint8Array ? a['value'] : new Uint8Array();
    const decoded = decodeReapi('ActionMetadata', value);
    if (!decoded.ok) return err(`bad pgobuild metadata: ${decoded.failure}`);
    const entries = asRecord(decoded.value['entries']);
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(entries)) {
      if (typeof val !== 'string') return err(`metadata ${k} is not a string`);
      out[k] = val;
    }
    return ok(out);
  }
  return ok(undefined);
}

function blobRefOf(v: unknown): { digest: unknown; size: number } | undefined {
  const d = asRecord(v);
  const size = int64ToNumber(d['sizeBytes']);
  if (typeof d['hash'] !== 'string' || size === undefined) return undefined;
  return { digest: d['hash'], size };
}

function sortedRecord(r: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : {};
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
