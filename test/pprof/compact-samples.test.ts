import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  decodeProfile,
  PREPROFILE_HEADER,
  pprofMessageType,
  preprocessProfileBytes,
  profileEdges,
  serializePreprocessed,
} from '../../src/pprof';
import { splitSamples } from '../../src/pprof/compact-samples';
import { goRoot } from './go-oracle';

/**
 * Preprocessing keeps a large profile's samples in typed arrays (compact-samples.ts) and falls
 * back to the general decoder for anything uncommon. Both paths must give the same result: the
 * general one is decodeProfile + profileEdges, checked against go tool preprofile elsewhere.
 */
function generalPath(bytes: Uint8Array): unknown {
  const decoded = decodeProfile(bytes, 'p.pgo');
  if (!decoded.ok) return decoded;
  if (decoded.value === 'empty') return { ok: true, value: Buffer.from(PREPROFILE_HEADER) };
  const edges = profileEdges(decoded.value, 'p.pgo');
  if (!edges.ok) return edges;
  return { ok: true, value: Buffer.from(serializePreprocessed(edges.value)) };
}

function preprocessed(bytes: Uint8Array): unknown {
  const r = preprocessProfileBytes(bytes, 'p.pgo');
  return r.ok ? { ok: true, value: Buffer.from(r.value) } : r;
}

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'profiles');

const profileType = pprofMessageType('Profile');
const STRINGS = [
  '',
  'samples',
  'count',
  'cpu',
  'nanoseconds',
  '/bin/x',
  'main.leaf',
  'main.caller',
];

/** A small CPU profile whose samples can be varied. */
function profile(samples: object[], extra: object = {}): Buffer {
  return Buffer.from(
    profileType
      .encode(
        profileType.fromObject({
          sample_type: [
            { type: 1, unit: 2 },
            { type: 3, unit: 4 },
          ],
          sample: samples,
          mapping: [{ id: 1, memory_start: 0x400000, memory_limit: 0x800000, filename: 5 }],
          location: [
            { id: 1, mapping_id: 1, address: 0x401000, line: [{ function_id: 1, line: 10 }] },
            { id: 2, mapping_id: 1, address: 0x401010, line: [{ function_id: 2, line: 20 }] },
          ],
          function: [
            { id: 1, name: 6, system_name: 6, filename: 5, start_line: 5 },
            { id: 2, name: 7, system_name: 7, filename: 5, start_line: 15 },
          ],
          string_table: STRINGS.map((s) => Buffer.from(s)),
          time_nanos: 1700000000000000000,
          period_type: { type: 3, unit: 4 },
          period: 10000000,
          ...extra,
        }),
      )
      .finish(),
  );
}

const GOOD = { location_id: [1, 2], value: [1, 10000000] };

describe('compact samples give what the general decoder gives', () => {
  const corpus = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.cpu.pprof'))
    .map((f) => [f, path.join(FIXTURES, f)]);

  it.each(corpus)('%s takes the compact path, with the same output', (_name, file) => {
    const bytes = readFileSync(file);
    expect(splitSamples(gunzipSync(bytes))).toBeDefined();
    expect(preprocessed(bytes)).toEqual(generalPath(bytes));
  });

  it('cmd/compile/default.pgo takes the compact path, with the same output', async () => {
    const bytes = readFileSync(path.join(await goRoot(), 'src/cmd/compile/default.pgo'));
    const raw = bytes[0] === 0x1f ? gunzipSync(bytes) : bytes;
    expect(splitSamples(raw)?.samples.count).toBeGreaterThan(0);
    expect(preprocessed(bytes)).toEqual(generalPath(bytes));
  });

  it.each([
    ['plain samples', [GOOD, { location_id: [2, 1], value: [2, 20000000] }], {}, true],
    [
      'labels',
      [
        {
          ...GOOD,
          label: [
            { key: 1, str: 2 },
            { key: 3, num: -5 },
          ],
        },
      ],
      {},
      true,
    ],
    ['unpacked location IDs', [{ location_id: [1], value: [1, 5] }], {}, true],
    ['a label key past the string table', [{ ...GOOD, label: [{ key: 99 }] }], {}, true],
    ['a label value past the string table', [{ ...GOOD, label: [{ key: 1, str: 99 }] }], {}, true],
    ['a missing location', [{ location_id: [1, 7], value: [1, 5] }], {}, true],
    ['too few values', [{ location_id: [1, 2], value: [1] }], {}, true],
    ['values counts that differ', [GOOD, { location_id: [1, 2], value: [1] }], {}, false],
    ['a negative value', [{ location_id: [1, 2], value: [-1, -5] }], {}, false],
    ['a value beyond 2^53', [{ location_id: [1, 2], value: [1, '9007199254740993'] }], {}, false],
    ['a location ID beyond 2^32', [{ location_id: [1, '4294967297'], value: [1, 5] }], {}, false],
    ['samples but no sample types', [GOOD], { sample_type: [] }, true],
    ['no string table', [GOOD], { string_table: [] }, true],
    ['no samples', [], {}, true],
  ] as const)('%s', (_name, samples, extra, compact) => {
    const raw = profile([...samples], extra);
    expect(splitSamples(raw) !== undefined).toBe(compact);
    expect(preprocessed(raw)).toEqual(generalPath(raw));
    const gz = gzipSync(raw);
    expect(preprocessed(gz)).toEqual(generalPath(gz));
  });

  it('leaves malformed sample bytes to the general decoder', () => {
    const raw = profile([GOOD]);
    // Every one-byte truncation and every single-byte corruption of the first sample.
    for (let cut = 1; cut < raw.length; cut += 3) {
      expect([cut, preprocessed(raw.subarray(0, cut))]).toEqual([
        cut,
        generalPath(raw.subarray(0, cut)),
      ]);
    }
    for (let i = 0; i < 24; i++) {
      for (const b of [0x00, 0x08, 0x0a, 0x0b, 0x0c, 0x0d, 0x7f, 0x80, 0xff]) {
        const bad = Buffer.from(raw);
        bad[i] = b;
        expect([i, b, preprocessed(bad)]).toEqual([i, b, generalPath(bad)]);
      }
    }
  });
});
