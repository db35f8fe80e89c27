import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  formatProfileFailure,
  pprofMessageType,
  preprocessProfileBytes,
  type PprofMessageName,
} from '../../src/pprof';
import { GO_DECODED_FIELDS } from '../../src/pprof/profile-proto';
import { goPreprofileBytes, goRoot } from './go-oracle';

/**
 * Go's decoder (`internal/profile`, which `go tool preprofile` imports through cmd/internal/pgo)
 * rejects a known field that arrives with the wrong wire type ("type mismatch") and any group
 * ("unknown wire type"), and skips fields it does not know whatever their wire type. These tests
 * read its decoder tables from the Go source and check every field of every message.
 */

/** Go's decoder table variable for each message. */
const GO_TABLES: Record<PprofMessageName, string> = {
  Profile: 'profileDecoder',
  ValueType: 'valueTypeDecoder',
  Sample: 'sampleDecoder',
  Label: 'labelDecoder',
  Mapping: 'mappingDecoder',
  Location: 'locationDecoder',
  Line: 'lineDecoder',
  Function: 'functionDecoder',
};

const MESSAGES = Object.keys(GO_TABLES) as PprofMessageName[];

/** The wire types each decode helper of Go's proto.go accepts. */
function acceptedWireTypes(entry: string): number[] {
  if (/decodeInt64s|decodeUint64s/.test(entry)) return [0, 2];
  if (/decodeMessage|decodeStrings?\(/.test(entry)) return [2];
  if (/decodeInt64|decodeUint64|decodeBool/.test(entry)) return [0];
  throw new Error(`unrecognized decoder entry: ${entry}`);
}

/** For each message, field number → accepted wire types, parsed from Go's encode.go. */
function parseGoDecoderTables(source: string): Map<PprofMessageName, Map<number, number[]>> {
  const tables = new Map<PprofMessageName, Map<number, number[]>>();
  for (const name of MESSAGES) {
    const start = source.indexOf(`var ${GO_TABLES[name]} = []decoder{`);
    if (start < 0) throw new Error(`no ${GO_TABLES[name]} in encode.go`);
    const end = source.indexOf('\n}\n', start);
    const body = source.slice(source.indexOf('\n', start) + 1, end);
    // Each entry is `nil, // 0` or a `func(b *buffer, m message) error {...}` literal, one or
    // several lines long; split on the entries' starts.
    const entries = body
      .split(/\n\s*(?=nil,|func\(b \*buffer, m message\) error)/)
      .map((e) => e.replace(/^\s*(\/\/[^\n]*\n\s*)*/, ''))
      .filter((e) => e.trim().length > 0);
    const fields = new Map<number, number[]>();
    entries.forEach((entry, field) => {
      if (!entry.startsWith('nil')) fields.set(field, acceptedWireTypes(entry));
    });
    tables.set(name, fields);
  }
  return tables;
}

const profileType = pprofMessageType('Profile');
const encode = (name: PprofMessageName, value: object): Buffer => {
  const t = pprofMessageType(name);
  return Buffer.from(t.encode(t.fromObject(value)).finish());
};

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/** A length-delimited field holding `payload`. */
const lengthDelimited = (field: number, payload: Buffer): Buffer =>
  Buffer.concat([varint(field * 8 + 2), varint(payload.length), payload]);

/** One field with wire type `wireType` and a payload of that type. */
function rawField(field: number, wireType: number): Buffer {
  const tag = varint(field * 8 + wireType);
  switch (wireType) {
    case 0:
      return Buffer.concat([tag, Buffer.from([1])]);
    case 1:
      return Buffer.concat([tag, Buffer.alloc(8, 1)]);
    case 2:
      return Buffer.concat([tag, Buffer.from([1, 1])]);
    case 3:
      return Buffer.concat([tag, varint(field * 8 + 4)]);
    case 5:
      return Buffer.concat([tag, Buffer.alloc(4, 1)]);
    default:
      throw new Error(`wire type ${wireType}`);
  }
}

/** A small valid CPU profile: main.caller (line 20) calls main.leaf (line 10). */
const STRINGS = ['', 'samples', 'count', 'cpu', 'nanoseconds', '/bin/x', 'main.leaf'];
const SAMPLE_TYPE = { type: 3, unit: 4 };
const SAMPLE = { location_id: [1, 2], value: [10000000] };
const LABEL = { key: 1, str: 2 };
const MAPPING = { id: 1, memory_start: 0x400000, memory_limit: 0x800000, filename: 5 };
const LINE = { function_id: 1, line: 10 };
const LOCATION_1 = { id: 1, mapping_id: 1, address: 0x401000, line: [LINE] };
const LOCATION_2 = {
  id: 2,
  mapping_id: 1,
  address: 0x401010,
  line: [{ function_id: 2, line: 20 }],
};
const FUNCTION_1 = { id: 1, name: 6, system_name: 6, filename: 5, start_line: 5 };
const FUNCTION_2 = { id: 2, name: 7, system_name: 7, filename: 5, start_line: 15 };

/** The profile without the message under test, plus the bytes that add it back. */
function profileWith(omit: Partial<Record<string, unknown>>, extra: Buffer): Buffer {
  const message = {
    sample_type: [SAMPLE_TYPE],
    sample: [SAMPLE],
    mapping: [MAPPING],
    location: [LOCATION_1, LOCATION_2],
    function: [FUNCTION_1, FUNCTION_2],
    string_table: [...STRINGS, 'main.caller'].map((s) => Buffer.from(s)),
    period_type: SAMPLE_TYPE,
    period: 10000000,
    ...omit,
  };
  return Buffer.concat([
    Buffer.from(profileType.encode(profileType.fromObject(message)).finish()),
    extra,
  ]);
}

/** The whole profile with `field` (of wire type `wireType`) added to one `name` message. */
function profileWithField(name: PprofMessageName, field: number, wireType: number): Buffer {
  const f = rawField(field, wireType);
  switch (name) {
    case 'Profile':
      return profileWith({}, f);
    case 'ValueType':
      return profileWith(
        { sample_type: [] },
        lengthDelimited(1, Buffer.concat([encode('ValueType', SAMPLE_TYPE), f])),
      );
    case 'Sample':
      return profileWith(
        { sample: [] },
        lengthDelimited(2, Buffer.concat([encode('Sample', SAMPLE), f])),
      );
    case 'Label':
      return profileWith(
        { sample: [] },
        lengthDelimited(
          2,
          Buffer.concat([
            encode('Sample', SAMPLE),
            lengthDelimited(3, Buffer.concat([encode('Label', LABEL), f])),
          ]),
        ),
      );
    case 'Mapping':
      return profileWith(
        { mapping: [] },
        lengthDelimited(3, Buffer.concat([encode('Mapping', MAPPING), f])),
      );
    case 'Location':
      return profileWith(
        { location: [LOCATION_2] },
        lengthDelimited(4, Buffer.concat([encode('Location', LOCATION_1), f])),
      );
    case 'Line':
      return profileWith(
        { location: [LOCATION_2] },
        lengthDelimited(
          4,
          Buffer.concat([
            encode('Location', { ...LOCATION_1, line: [] }),
            lengthDelimited(4, Buffer.concat([encode('Line', LINE), f])),
          ]),
        ),
      );
    case 'Function':
      return profileWith(
        { function: [FUNCTION_2] },
        lengthDelimited(5, Buffer.concat([encode('Function', FUNCTION_1), f])),
      );
    default:
      throw new Error(name satisfies never);
  }
}

/** Every wire type a field can carry in a well-formed protobuf (3 opens a group). */
const WIRE_TYPES = [0, 1, 2, 3, 5];

let goTables: Map<PprofMessageName, Map<number, number[]>>;
beforeAll(async () => {
  const encodeGo = path.join(await goRoot(), 'src', 'internal', 'profile', 'encode.go');
  goTables = parseGoDecoderTables(await readFile(encodeGo, 'utf8'));
});

/** Our formatted failure, or 'ok' when the bytes preprocess. */
function ours(bytes: Uint8Array): string {
  const r = preprocessProfileBytes(bytes, 'cmd/api/default.pgo');
  return r.ok ? 'ok' : formatProfileFailure(r.failure);
}

describe('wire types, as Go decodes them', () => {
  it('the base profile preprocesses', () => {
    expect(ours(profileWith({}, Buffer.alloc(0)))).toBe('ok');
  });

  it("our table of Go's fields is the one in Go's encode.go", () => {
    for (const name of MESSAGES) {
      expect([name, [...GO_DECODED_FIELDS[name]]]).toEqual([name, [...(goTables.get(name) ?? [])]]);
    }
  });

  it.each(MESSAGES)(
    'rejects every wrong wire type of every field Go decodes in %s, naming the file, message and field',
    (name) => {
      const fields = goTables.get(name) ?? new Map<number, number[]>();
      expect(fields.size).toBeGreaterThan(0);
      for (const [field, accepted] of fields) {
        const fieldName = pprofMessageType(name).fieldsById[field]?.name ?? '';
        expect(fieldName).not.toBe('');
        for (const wireType of WIRE_TYPES.filter((w) => !accepted.includes(w))) {
          const text = ours(profileWithField(name, field, wireType));
          const expected =
            wireType === 3
              ? `${name} field ${field} uses the group wire type`
              : `${name} field ${field} (${fieldName}) has wire type ${wireType}, expected ${accepted.join(' or ')}`;
          expect([field, wireType, text]).toEqual([
            field,
            wireType,
            expect.stringContaining(`cmd/api/default.pgo: not a pprof profile: ${expected}`),
          ]);
        }
      }
    },
  );

  it.each(MESSAGES)('skips fields Go does not decode in %s, whatever their wire type', (name) => {
    const fields = goTables.get(name) ?? new Map<number, number[]>();
    // One past Go's table (e.g. doc_url, is_folded, column, num_unit where the schema has them)
    // and a far field number such as a bit flip produces.
    for (const field of [Math.max(...fields.keys()) + 1, 10, 100]) {
      if (fields.has(field)) continue;
      for (const wireType of [0, 1, 2, 5]) {
        expect([field, wireType, ours(profileWithField(name, field, wireType))]).toEqual([
          field,
          wireType,
          'ok',
        ]);
      }
    }
  });

  it.each([
    ['Sample', 1, 1],
    ['Sample', 3, 0],
    ['Profile', 10, 2],
    ['Mapping', 10, 2],
    ['Label', 2, 2],
    ['Line', 1, 5],
  ] as const)(
    'agrees with go tool preprofile: %s field %i with wire type %i is a type mismatch',
    async (name, field, wireType) => {
      const bytes = profileWithField(name, field, wireType);
      expect(ours(bytes)).toMatch(/not a pprof profile/);
      const go = await goPreprofileBytes(bytes);
      expect(go.ok ? 'ok' : go.stderr).toMatch(/type mismatch/);
    },
  );

  it.each([
    ['Sample', 10, 2],
    ['Sample', 10, 0],
    ['Location', 5, 2],
  ] as const)(
    'agrees with go tool preprofile: %s field %i with wire type %i is skipped (same output)',
    async (name, field, wireType) => {
      const bytes = profileWithField(name, field, wireType);
      const r = preprocessProfileBytes(bytes, 'x');
      const go = await goPreprofileBytes(bytes);
      expect(go.ok).toBe(true);
      expect(r.ok).toBe(true);
      if (go.ok && r.ok) expect(Buffer.from(r.value).equals(go.bytes)).toBe(true);
    },
  );

  it('agrees with go tool preprofile on a group: unknown wire type', async () => {
    const bytes = profileWithField('Sample', 10, 3);
    expect(ours(bytes)).toMatch(/Sample field 10 uses the group wire type/);
    const go = await goPreprofileBytes(bytes);
    expect(go.ok ? 'ok' : go.stderr).toMatch(/unknown wire type: 3/);
  });
});
