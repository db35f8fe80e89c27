import { createHash } from 'node:crypto';
import type { Action } from './action';

/** SHA-256 (hex) of an action's key record. Branded: never mix with content digests. */
export type ActionKey = string & { readonly __brand: 'ActionKey' };

/**
 * Version of the key record below. Bump it whenever the record's shape or the meaning of any field
 * changes, so old cache entries can never be mistaken for new ones.
 */
// 2: write-file and ar-append steps became content inputs and builder spawns; tools are inputs.
// 3: compiles write export data and a link object (`-linkobj`); importers' compiles read the
//    export data, links the link objects (early cutoff, src/go/compile-action.ts).
export const ACTION_KEY_SCHEMA = 3;

/**
 * The documented, ordered record an action key hashes (docs/DESIGN.md "Action keys"). Field order is
 * fixed by construction; inputs are sorted by path. Nothing here may hold an absolute path, a user
 * name, a time or a host name: paths are exec-root relative and placeholders stay unexpanded.
 */
export interface ActionKeyRecord {
  readonly schema: number;
  readonly mnemonic: string;
  /** Toolchain identity: Go version + SHA-256 of every tool binary it runs. */
  readonly toolchain: string;
  readonly steps: Action['steps'];
  /** The whole environment (it is allow-listed by construction: actions never inherit the shell's). */
  readonly env: readonly (readonly [string, string])[];
  /** `[exec-root path, SHA-256]` of every input file (written `content` included), sorted by path. */
  readonly inputs: readonly (readonly [string, string])[];
  readonly outputs: readonly string[];
}

/** Builds the key record of an action run with the given toolchain identity. */
export function actionKeyRecord(action: Action, toolchainIdentity: string): ActionKeyRecord {
  const byFirst = (a: readonly [string, string], b: readonly [string, string]): number =>
    a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
  return {
    schema: ACTION_KEY_SCHEMA,
    mnemonic: action.mnemonic,
    toolchain: toolchainIdentity,
    steps: action.steps,
    env: Object.entries(action.env).sort(byFirst),
    inputs: action.inputs.map((i) => [i.path, i.digest] as const).sort(byFirst),
    outputs: [...action.outputs].sort(),
  };
}

/** SHA-256 of the canonical JSON of a key record. */
export function actionKeyOf(record: ActionKeyRecord): ActionKey {
  return createHash('sha256').update(JSON.stringify(record)).digest('hex') as ActionKey;
}
