import type { Digest } from '../util/digest';
import { isDigest } from '../util/digest';
import type { Result } from '../util/result';
import { err, ok } from '../util/result';

/**
 * A blob named by content: the SHA-256 digest plus the size in bytes. Remote protocols (REAPI)
 * address blobs by both, so every reference stored in an {@link ActionResult} carries the size.
 */
export interface BlobRef {
  readonly digest: Digest;
  readonly size: number;
}

/** One output file of an action, as recorded in the action cache. */
export interface OutputFile extends BlobRef {
  /** Relative to the exec root, `/`-separated, no `.` or `..` segments. */
  readonly path: string;
  /**
   * Executability belongs to the output entry, not to the blob: the same bytes may be an
   * executable in one action and plain data in another.
   */
  readonly executable: boolean;
}

/** What an action produced: the value stored in the action cache under its {@link ActionKey}. */
export interface ActionResult {
  readonly outputs: readonly OutputFile[];
  readonly exitCode: number;
  readonly stdout?: BlobRef;
  readonly stderr?: BlobRef;
  /** Free-form and small, e.g. a test's duration. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Why a decoded value is not a well-formed {@link ActionResult}. */
export interface InvalidActionResult {
  readonly reason: 'invalid-action-result';
  readonly detail: string;
}

/**
 * Checks that an untrusted value (parsed JSON from disk or the network) is a well-formed
 * {@link ActionResult} and returns a fresh copy holding only the known fields.
 */
export function validateActionResult(value: unknown): Result<ActionResult, InvalidActionResult> {
  const bad = (detail: string): Result<ActionResult, InvalidActionResult> =>
    err({ reason: 'invalid-action-result', detail });
  if (!isRecord(value)) return bad('not an object');
  const { outputs, exitCode, stdout, stderr, metadata } = value;
  if (!Array.isArray(outputs)) return bad('outputs is not an array');
  if (typeof exitCode !== 'number' || !Number.isInteger(exitCode)) {
    return bad('exitCode is not an integer');
  }
  const files: OutputFile[] = [];
  for (const [i, o] of outputs.entries()) {
    if (!isRecord(o)) return bad(`outputs[${i}] is not an object`);
    const ref = blobRef(o);
    if (ref === undefined) return bad(`outputs[${i}] has no valid digest and size`);
    if (typeof o.path !== 'string' || !isCleanRelativePath(o.path)) {
      return bad(`outputs[${i}].path is not a clean relative path`);
    }
    if (typeof o.executable !== 'boolean') return bad(`outputs[${i}].executable is not boolean`);
    files.push({ path: o.path, digest: ref.digest, size: ref.size, executable: o.executable });
  }
  const result: {
    outputs: OutputFile[];
    exitCode: number;
    stdout?: BlobRef;
    stderr?: BlobRef;
    metadata?: Record<string, string>;
  } = { outputs: files, exitCode };
  for (const [name, v] of [
    ['stdout', stdout],
    ['stderr', stderr],
  ] as const) {
    if (v === undefined) continue;
    const ref = isRecord(v) ? blobRef(v) : undefined;
    if (ref === undefined) return bad(`${name} is not a blob reference`);
    result[name] = ref;
  }
  if (metadata !== undefined) {
    if (!isRecord(metadata)) return bad('metadata is not an object');
    const copy: Record<string, string> = {};
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') return bad(`metadata.${k} is not a string`);
      copy[k] = v;
    }
    result.metadata = copy;
  }
  return ok(result);
}

/** Every blob an action result refers to (outputs, then stdout and stderr). */
export function referencedBlobs(result: ActionResult): BlobRef[] {
  const refs: BlobRef[] = result.outputs.map((o) => ({ digest: o.digest, size: o.size }));
  if (result.stdout !== undefined) refs.push(result.stdout);
  if (result.stderr !== undefined) refs.push(result.stderr);
  return refs;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function blobRef(o: Record<string, unknown>): BlobRef | undefined {
  const { digest, size } = o;
  if (typeof digest !== 'string' || !isDigest(digest)) return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
  return { digest, size };
}

// Output paths are joined onto an exec root when materialized, so anything that could escape it
// (absolute paths, `..`) must never come back from a cache, even a tampered one.
function isCleanRelativePath(p: string): boolean {
  if (p === '' || p.startsWith('/') || p.includes('\\') || p.includes('\0')) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}
