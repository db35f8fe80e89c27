import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  decodeProfile,
  formatProfileFailure,
  PREPROFILE_HEADER,
  pprofMessageType,
  preprocessProfileBytes,
  preprocessProfileFile,
  type ProfileFailureReason,
} from '../../src/pprof';
import { goPreprofileBytes } from './go-oracle';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'profiles');
const HEADER_ONLY = Buffer.from(PREPROFILE_HEADER, 'utf8');

let tmp: string;
let cpuGz: Buffer;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'pgobuild-pprof-failures-'));
  cpuGz = await readFile(path.join(FIXTURES, 'markdown-server.cpu.pprof'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Deterministic pseudo-random bytes (xorshift32), so a failure is reproducible. */
function pseudoRandomBytes(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Asserts our failure reason, and that Go rejects the same bytes too. */
async function expectRejected(bytes: Uint8Array, reason: ProfileFailureReason): Promise<string> {
  const ours = preprocessProfileBytes(bytes, 'cmd/api/default.pgo');
  expect(ours.ok).toBe(false);
  if (ours.ok) return '';
  expect(ours.failure.reason).toBe(reason);
  expect(ours.failure.file).toBe('cmd/api/default.pgo');
  const go = await goPreprofileBytes(bytes);
  expect(go.ok).toBe(false);
  return formatProfileFailure(ours.failure);
}

/** Our formatted failure for `bytes`, or '' if they preprocess. */
function failureText(bytes: Uint8Array): string {
  const r = preprocessProfileBytes(bytes, 'x');
  return r.ok ? '' : formatProfileFailure(r.failure);
}

describe('profiles that are not usable CPU profiles', () => {
  it('rejects a heap profile and lists its sample types', async () => {
    const heap = await readFile(path.join(FIXTURES, 'markdown-server.heap.pprof'));
    const text = await expectRejected(heap, 'profile-not-cpu');
    expect(text).toBe(
      'cmd/api/default.pgo: not a CPU profile: sample types are ' +
        '[alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes]; ' +
        'expected samples/count or cpu/nanoseconds',
    );
  });

  it('reports a gzip stream cut in half as truncated', async () => {
    const text = await expectRejected(cpuGz.subarray(0, cpuGz.length >> 1), 'profile-truncated');
    expect(text).toMatch(/^cmd\/api\/default\.pgo: truncated profile: the gzip stream ends early/);
  });

  it('reports a raw (gunzipped) protobuf cut in half as truncated', async () => {
    const raw = gunzipSync(cpuGz);
    // Exactly half lands on a field boundary in this file: everything decodes, but the string
    // table (written last) is gone.
    const half = raw.length >> 1;
    const text = await expectRejected(raw.subarray(0, half), 'profile-truncated');
    expect(text).toMatch(/no string table; the string table comes last .* probably cut off$/);
    // A few bytes later the cut falls inside a field.
    const inside = await expectRejected(raw.subarray(0, half + 3), 'profile-truncated');
    expect(inside).toMatch(
      /the protobuf data ends inside a field after \d+ complete Profile fields/,
    );
    // Cut between two strings of the string table: some strings are missing. Strings are
    // short, so a boundary lies within a few bytes of any cut point.
    let cut = raw.length - 40;
    while (
      !/refers to string \d+ but the string table has/.test(failureText(raw.subarray(0, cut)))
    ) {
      cut--;
      expect(cut).toBeGreaterThan(raw.length - 200);
    }
    const inTable = await expectRejected(raw.subarray(0, cut), 'profile-truncated');
    expect(inTable).toMatch(/probably cut off$/);
  });

  it('reports a gzip stream with a corrupt body as not pprof', async () => {
    const corrupt = Buffer.concat([
      cpuGz.subarray(0, 100),
      Buffer.alloc(64, 7),
      cpuGz.subarray(164),
    ]);
    await expectRejected(corrupt, 'profile-not-pprof');
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('reports random bytes (seed %i) as not pprof', async (seed) => {
    await expectRejected(pseudoRandomBytes(4096, seed), 'profile-not-pprof');
  });

  it('reports a text file as not pprof', async () => {
    const text = await expectRejected(
      Buffer.from('hello world\nthis is not a profile\n'),
      'profile-not-pprof',
    );
    expect(text).toMatch(
      /^cmd\/api\/default\.pgo: not a pprof profile: .*expected a pprof protobuf/,
    );
  });

  it('reports a protobuf that is not a Profile as not pprof', async () => {
    // A ValueType message is a valid protobuf, but as a Profile it has varint fields 1 and 2
    // where Profile has messages, and no string table.
    const vt = pprofMessageType('ValueType');
    const notAProfile = vt.encode(vt.fromObject({ type: 5, unit: 7 })).finish();
    await expectRejected(notAProfile, 'profile-not-pprof');
    // A gzip-compressed protobuf with only unknown fields has no string table either.
    await expectRejected(
      gzipSync(Buffer.from([0x7a, 0x03, 0x61, 0x62, 0x63])),
      'profile-not-pprof',
    );
  });

  it('rejects a directory and a missing file with their own reasons', async () => {
    const dir = await preprocessProfileFile(tmp, 'cmd/api/default.pgo');
    expect(dir).toEqual({
      ok: false,
      failure: {
        reason: 'profile-is-directory',
        file: 'cmd/api/default.pgo',
        message: 'expected a pprof CPU profile file, found a directory',
      },
    });
    const missing = await preprocessProfileFile(path.join(tmp, 'nope.pgo'), 'nope.pgo');
    expect(missing).toEqual({
      ok: false,
      failure: {
        reason: 'profile-unreadable',
        file: 'nope.pgo',
        message: 'ENOENT: no such file or directory',
      },
    });
  });
});

describe('empty profiles, which Go accepts', () => {
  it('preprocesses an empty file to the header only, as Go does', async () => {
    const file = path.join(tmp, 'empty.pgo');
    await writeFile(file, '');
    const ours = await preprocessProfileFile(file, 'empty.pgo');
    expect(ours).toEqual({ ok: true, value: HEADER_ONLY });
    expect(decodeProfile(new Uint8Array(0), 'empty.pgo')).toEqual({ ok: true, value: 'empty' });
    const go = await goPreprofileBytes(new Uint8Array(0));
    expect(go).toEqual({ ok: true, bytes: HEADER_ONLY });
  });

  it('treats a gzip stream of nothing like an empty file, as Go does', async () => {
    const emptyGz = gzipSync(Buffer.alloc(0));
    expect(preprocessProfileBytes(emptyGz, 'x')).toEqual({ ok: true, value: HEADER_ONLY });
    expect(await goPreprofileBytes(emptyGz)).toEqual({ ok: true, bytes: HEADER_ONLY });
  });
});
