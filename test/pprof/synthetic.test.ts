import {
  decodeProfile,
  preprocessProfileBytes,
  profileEdges,
  type ProfileFailureReason,
} from '../../src/pprof';
import { goPreprofileBytes } from './go-oracle';
import { encodeSyntheticProfile, type SynthProfile } from './synthetic-profile';

/** Preprocesses with us and with Go; both must succeed with identical bytes. Returns the text. */
async function expectSameAsGo(p: SynthProfile): Promise<string> {
  const bytes = encodeSyntheticProfile(p);
  const ours = preprocessProfileBytes(bytes, 'synthetic.pgo');
  const go = await goPreprofileBytes(bytes);
  if (!go.ok) {
    throw new Error(`go tool preprofile rejected the synthetic profile: ${go.stderr}`);
  }
  if (!ours.ok) {
    throw new Error(`we rejected the synthetic profile: ${ours.failure.message}`);
  }
  const text = Buffer.from(ours.value).toString('utf8');
  expect(text).toEqual(go.bytes.toString('utf8'));
  expect(Buffer.compare(Buffer.from(ours.value), go.bytes)).toBe(0);
  return text;
}

/** Both we and Go must reject the profile; returns our message. */
async function expectBothReject(p: SynthProfile, reason: ProfileFailureReason): Promise<string> {
  const bytes = encodeSyntheticProfile(p);
  const ours = preprocessProfileBytes(bytes, 'synthetic.pgo');
  expect(ours.ok ? 'accepted' : ours.failure.reason).toBe(reason);
  expect((await goPreprofileBytes(bytes)).ok).toBe(false);
  return ours.ok ? '' : ours.failure.message;
}

// Names whose UTF-16 order differs from their UTF-8 byte order: U+1F600 is a surrogate pair
// (0xD83D …) and sorts before U+FF46 by code units, after it by bytes (F0 … > EF …).
const EMOJI = 'pkg.\u{1F600}';
const FULLWIDTH = 'pkg.\uFF46';

const FUNCTIONS = [
  { name: 'main.main', startLine: 10 },
  { name: 'main.a', startLine: 20 },
  { name: 'main.b', startLine: 30 },
  { name: EMOJI, startLine: 3 },
  { name: FULLWIDTH, startLine: 3 },
  { name: 'main.lineDirective', startLine: 500 },
];

const LOCATIONS = [
  /* 0 */ {
    lines: [
      { fn: 'main.b', line: 33 },
      { fn: 'main.a', line: 22 },
    ],
  }, // b inlined into a
  /* 1 */ { lines: [{ fn: 'main.main', line: 15 }] },
  /* 2 */ { lines: [{ fn: EMOJI, line: 5 }] },
  /* 3 */ { lines: [{ fn: FULLWIDTH, line: 5 }] },
  /* 4 */ { lines: [{ fn: 'main.a', line: 25 }] },
  /* 5 */ { lines: [] }, // address only
  /* 6 */ { lines: [{ fn: undefined, line: 7 }] }, // function ID 0
  /* 7 */ {
    address: 0x9000,
    lines: [
      { fn: 'main.a', line: 22 },
      { fn: 'main.a', line: 22 },
    ],
  }, // self
  /* 8 */ { lines: [{ fn: 'main.lineDirective', line: 12 }] }, // negative offset
  /* 9 */ { address: 0x401000 + 4 * 16, lines: [{ fn: 'main.a', line: 25 }] }, // same node as 4
];

describe('synthetic profiles preprocess exactly as go tool preprofile does', () => {
  it('handles inlining, address-only frames, recursion, deep stacks, ties and UTF-8 order', async () => {
    const samples = [
      { stack: [0, 1], values: [5, 50] },
      { stack: [0, 1, 2, 3], values: [3, 30] }, // frames beyond the two leaf-most are ignored
      { stack: [4, 2], values: [2, 20] }, // tie: callers EMOJI and FULLWIDTH, same weight
      { stack: [4, 3], values: [2, 20] },
      { stack: [2, 4], values: [2, 20] }, // tie: same caller, callees EMOJI and FULLWIDTH
      { stack: [3, 4], values: [2, 20] },
      { stack: [5, 1], values: [1, 10] },
      { stack: [1, 6], values: [1, 10] },
      { stack: [7, 1], values: [4, 40] },
      { stack: [0], values: [1, 10] }, // single location: only its inline chain
      { stack: [], values: [1, 10] },
      { stack: [4, 1], values: [0, 0] }, // zero weight: skipped
      { stack: [8, 1], values: [1, 10] },
      { stack: [1, 8], values: [1, 10] },
      { stack: [9, 1], values: [6, 60] }, // location 9 shares location 4's node
    ];
    const text = await expectSameAsGo({ functions: FUNCTIONS, locations: LOCATIONS, samples });
    const lines = text.split('\n');
    // The tie between the two callers is broken bytewise: FULLWIDTH (EF …) before EMOJI (F0 …).
    expect(text.indexOf(`${FULLWIDTH}\nmain.a\n`)).toBeLessThan(text.indexOf(`${EMOJI}\nmain.a\n`));
    expect(text).toContain('main.lineDirective\nmain.main\n-488 1\n');
    expect(lines[0]).toBe('GO PREPROFILE V1');
  });

  it('weighs by cpu/nanoseconds when it is the first CPU sample type, beyond 2^31', async () => {
    const samples = [
      { stack: [0, 1], values: [3_000_000_000_000, 7] },
      { stack: [4, 1], values: [2_500_000_000, 9] },
    ];
    const text = await expectSameAsGo({
      sampleTypes: [
        ['cpu', 'nanoseconds'],
        ['samples', 'count'],
      ],
      functions: FUNCTIONS,
      locations: LOCATIONS,
      samples,
    });
    expect(text).toContain('main.a\nmain.b\n2 3000000000000\n');
  });

  it('keeps edges whose negative and positive values cancel, as Go does', async () => {
    const samples = [
      { stack: [4, 1], values: [3, 0] },
      { stack: [4, 1], values: [-3, 0] },
      { stack: [4, 2], values: [1, 0] },
      { stack: [3, 2], values: [2, 0] },
      { stack: [3, 2], values: [-2, 0] },
    ];
    const text = await expectSameAsGo({ functions: FUNCTIONS, locations: LOCATIONS, samples });
    // main.main's node cancels to 0 and is dropped with its edge; EMOJI's node keeps weight 1,
    // so its edge to FULLWIDTH stays, with weight 0.
    expect(text).toBe(`GO PREPROFILE V1\n${EMOJI}\nmain.a\n2 1\n${EMOJI}\n${FULLWIDTH}\n2 0\n`);
  });

  it('gives the header only when edge weights sum to 0', async () => {
    const samples = [
      { stack: [4, 1], values: [3, 0] },
      { stack: [2, 1], values: [-3, 0] },
    ];
    expect(await expectSameAsGo({ functions: FUNCTIONS, locations: LOCATIONS, samples })).toBe(
      'GO PREPROFILE V1\n',
    );
  });

  it('accepts a non-CPU profile without samples (empty), as Go does', async () => {
    const text = await expectSameAsGo({
      sampleTypes: [['alloc_space', 'bytes']],
      functions: FUNCTIONS,
      locations: LOCATIONS,
      samples: [],
    });
    expect(text).toBe('GO PREPROFILE V1\n');
  });

  it('rejects a profile without Function.start_line (Go before 1.20)', async () => {
    const message = await expectBothReject(
      {
        functions: FUNCTIONS.map((f) => ({ ...f, startLine: 0 })),
        locations: LOCATIONS,
        samples: [{ stack: [0, 1], values: [5, 50] }],
      },
      'profile-missing-start-line',
    );
    expect(message).toMatch(/Go 1\.20 or newer/);
  });

  it('rejects a profile whose samples all weigh 0 the same way Go does', async () => {
    await expectBothReject(
      { functions: FUNCTIONS, locations: LOCATIONS, samples: [{ stack: [0, 1], values: [0, 0] }] },
      'profile-missing-start-line',
    );
  });

  it('exposes the decoded profile and its edges', () => {
    const bytes = encodeSyntheticProfile({
      functions: FUNCTIONS,
      locations: LOCATIONS,
      samples: [{ stack: [0, 1], values: [5, 50] }],
      timeNanos: 1_700_000_000_123_456_768,
    });
    const decoded = decodeProfile(bytes, 'x');
    if (!decoded.ok || decoded.value === 'empty') {
      throw new Error('expected a profile');
    }
    const p = decoded.value;
    expect(p.sampleTypes).toEqual([
      { type: 'samples', unit: 'count' },
      { type: 'cpu', unit: 'nanoseconds' },
    ]);
    expect(p.timeNanos).toBe(1_700_000_000_123_456_768n);
    expect(p.period).toBe(10_000_000n);
    expect(p.samples[0]?.locations[0]?.lines.map((l) => [l.function?.name, l.line])).toEqual([
      ['main.b', 33],
      ['main.a', 22],
    ]);
    expect(profileEdges(p, 'x')).toEqual({
      ok: true,
      value: [
        { caller: 'main.a', callee: 'main.b', callSiteOffset: 2, weight: 5 },
        { caller: 'main.main', callee: 'main.a', callSiteOffset: 5, weight: 5 },
      ],
    });
  });
});
