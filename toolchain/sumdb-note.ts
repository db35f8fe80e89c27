import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { type Result, err, ok } from '../src/util';

/** A note verifier (golang.org/x/mod/sumdb/note): a server name, its key hash and Ed25519 key. */
export interface NoteVerifier {
  readonly name: string;
  /** The first 4 bytes, big-endian, of SHA-256(name + "\n" + algorithm byte + key). */
  readonly keyHash: number;
  readonly publicKey: KeyObject;
}

/** sum.golang.org's verifier key, as cmd/go has it built in (cmd/go/internal/modfetch/key.go). */
export const SUM_GOLANG_ORG_KEY =
  'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';

const ALG_ED25519 = 1;

/**
 * Parses a verifier key `<name>+<hash hex>+<base64(algorithm byte, key)>` and checks that the hash
 * matches the name and key, as `note.NewVerifier` does. Only Ed25519 keys exist.
 */
export function parseVerifierKey(vkey: string): Result<NoteVerifier, string> {
  // The base64 key may itself contain '+': split at the first two only, as x/mod's chop does.
  const first = vkey.indexOf('+');
  const second = vkey.indexOf('+', first + 1);
  if (first < 0 || second < 0) return err(`malformed verifier key ${vkey}`);
  const name = vkey.slice(0, first);
  const hashHex = vkey.slice(first + 1, second);
  const key64 = vkey.slice(second + 1);
  const key = Buffer.from(key64, 'base64');
  if (!/^[0-9a-f]{8}$/.test(hashHex) || name === '' || key.length !== 33)
    return err(`malformed verifier key ${vkey}`);
  const keyHash = keyHashOf(name, key);
  if (keyHash !== parseInt(hashHex, 16)) return err(`verifier key ${vkey}: hash does not match`);
  if (key[0] !== ALG_ED25519) return err(`verifier key ${vkey}: unknown algorithm ${key[0]}`);
  const publicKey = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: key.subarray(1).toString('base64url') },
    format: 'jwk',
  });
  return ok({ name, keyHash, publicKey });
}

function keyHashOf(name: string, key: Buffer): number {
  return createHash('sha256').update(`${name}\n`).update(key).digest().readUInt32BE(0);
}

/**
 * Opens a signed note (`note.Open`): the text up to and including the newline before the last
 * blank line, then signature lines `— <name> <base64(key hash, signature)>`. Succeeds with the
 * text when at least one signature is by a known verifier and every such signature is valid;
 * signatures by unknown keys are skipped, as in x/mod.
 */
export function openNote(msg: string, verifiers: readonly NoteVerifier[]): Result<string, string> {
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) return err('malformed note: no signature block');
  const text = msg.slice(0, split + 1);
  const sigs = msg.slice(split + 2);
  if (sigs === '' || !sigs.endsWith('\n')) return err('malformed note: bad signature block');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) return err('malformed note: control characters');
  let verified = 0;
  for (const line of sigs.slice(0, -1).split('\n')) {
    if (!line.startsWith('\u2014 ')) return err('malformed note: signature line without "— "');
    const [name, b64, ...rest] = line.slice(2).split(' ');
    if (name === undefined || b64 === undefined || b64 === '' || rest.length > 0)
      return err('malformed note: bad signature line');
    const sig = Buffer.from(b64, 'base64');
    if (sig.length < 5) return err('malformed note: short signature');
    const hash = sig.readUInt32BE(0);
    const v = verifiers.find((k) => k.name === name && k.keyHash === hash);
    if (v === undefined) continue;
    if (!verify(null, Buffer.from(text, 'utf8'), v.publicKey, sig.subarray(4)))
      return err(`invalid signature by ${name}`);
    verified++;
  }
  if (verified === 0) return err('note has no signature by a known key');
  return ok(text);
}
