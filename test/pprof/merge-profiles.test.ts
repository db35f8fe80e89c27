import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { runMergeCommand } from '../../src/cli/pgo-merge-command';
import {
  decodeProfile,
  encodeProfile,
  mergeProfiles,
  preprocessProfileBytes,
  type PprofProfile,
} from '../../src/pprof';
import { GO, goPreprofile } from './go-oracle';
import { encodeSyntheticProfile } from './synthetic-profile';

const execFileAsync = promisify(execFile);
const CORPUS = path.join(__dirname, '..', 'fixtures', 'profiles');
const corpus = (name: string): string => path.join(CORPUS, name);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pgobuild-merge-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function captureIo(): {
  io: Parameters<typeof runMergeCommand>[1];
  out: () => string;
  errText: () => string;
} {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (d: Buffer) => (o += d.toString()));
  stderr.on('data', (d: Buffer) => (e += d.toString()));
  return {
    io: { stdout, stderr, cwd: dir, output: 'json' },
    out: () => o,
    errText: () => e,
  };
}

function decoded(bytes: Uint8Array): PprofProfile {
  const d = decodeProfile(bytes, 'x');
  if (!d.ok || d.value === 'empty') throw new Error('expected a profile');
  return d.value;
}

/** Parses a preprocessed file into caller/callee/offset → weight. */
function edgeWeights(pre: Uint8Array): Map<string, number> {
  const lines = Buffer.from(pre).toString('utf8').split('\n').slice(1);
  const m = new Map<string, number>();
  for (let i = 0; i + 2 < lines.length; i += 3) {
    const [off, w] = (lines[i + 2] ?? '').split(' ');
    m.set(`${lines[i]} -> ${lines[i + 1]} @${off}`, Number(w));
  }
  return m;
}

describe('pgo merge against go tool pprof -proto (preprocessed forms equal)', () => {
  const pairs: [string, string[]][] = [
    ['p2pool api + web', ['p2pool-observer-api.cpu.pprof', 'p2pool-observer-web.cpu.pprof']],
    [
      'masterdnsvpn client + server',
      ['masterdnsvpn-client.cpu.pprof', 'masterdnsvpn-server.cpu.pprof'],
    ],
    [
      'four p2pool binaries',
      [
        'p2pool-observer-api.cpu.pprof',
        'p2pool-observer-daemon.cpu.pprof',
        'p2pool-observer-p2pool.cpu.pprof',
        'p2pool-observer-web.cpu.pprof',
      ],
    ],
    ['the blog profile with itself', ['markdown-server.cpu.pprof', 'markdown-server.cpu.pprof']],
  ];
  it.each(pairs)('%s', async (name, files) => {
    const inputs = files.map(corpus);
    const ours = path.join(dir, `${name.replace(/\W+/g, '-')}.ours.pprof`);
    const { io, out } = captureIo();
    expect(await runMergeCommand({ inputs, output: ours, weights: [], normalize: false }, io)).toBe(
      0,
    );
    const { stdout } = await execFileAsync(GO, ['tool', 'pprof', '-proto', ...inputs], {
      encoding: 'buffer',
      maxBuffer: 64 << 20,
    });
    const theirs = path.join(dir, `${name.replace(/\W+/g, '-')}.go.pprof`);
    await writeFile(theirs, stdout);
    const a = await goPreprofile(ours);
    const b = await goPreprofile(theirs);
    if (!a.ok || !b.ok) throw new Error('go tool preprofile rejected a merged profile');
    expect(a.bytes.toString('utf8')).toEqual(b.bytes.toString('utf8'));
    expect(a.bytes.length).toBeGreaterThan(100);
    // gzip, like runtime/pprof output.
    const raw = await readFile(ours);
    expect(raw[0]).toBe(0x1f);
    expect(raw[1]).toBe(0x8b);
    expect(JSON.parse(out())).toMatchObject({ command: 'pgo merge', output: ours });
  });

  it('the merged profile compiles with -pgoprofile (what go build -pgo passes)', async () => {
    const merged = path.join(dir, 'blog.pprof');
    const { io } = captureIo();
    const inputs = [corpus('markdown-server.cpu.pprof'), corpus('p2pool-observer-web.cpu.pprof')];
    expect(
      await runMergeCommand({ inputs, output: merged, weights: [], normalize: false }, io),
    ).toBe(0);
    const src = path.join(dir, 'p.go');
    await writeFile(src, 'package p\n\nfunc F(x int) int { return x + 1 }\n');
    await execFileAsync(GO, [
      'tool',
      'compile',
      '-p',
      'p',
      '-pgoprofile',
      merged,
      '-o',
      path.join(dir, 'p.a'),
      src,
    ]);
  });
});

describe('weights and normalize on synthetic profiles', () => {
  // Two profiles of one program: a → b at offset 2 and a → c at offset 3.
  const functions = [
    { name: 'main.a', startLine: 10 },
    { name: 'main.b', startLine: 20 },
    { name: 'main.c', startLine: 30 },
  ];
  const locations = [
    { lines: [{ fn: 'main.a', line: 12 }] },
    { lines: [{ fn: 'main.b', line: 21 }] },
    { lines: [{ fn: 'main.a', line: 13 }] },
    { lines: [{ fn: 'main.c', line: 31 }] },
  ];
  // 100 samples over 10 s: 60 a→b, 40 a→c.
  const short = encodeSyntheticProfile({
    functions,
    locations,
    durationNanos: 10e9,
    samples: [
      { stack: [1, 0], values: [60, 600_000_000] },
      { stack: [3, 2], values: [40, 400_000_000] },
    ],
  });
  // 1000 samples over 100 s: 100 a→b, 900 a→c.
  const long = encodeSyntheticProfile({
    functions,
    locations,
    durationNanos: 100e9,
    samples: [
      { stack: [1, 0], values: [100, 1_000_000_000] },
      { stack: [3, 2], values: [900, 9_000_000_000] },
    ],
  });
  const merge = (weights: [number, number], normalize: boolean): PprofProfile => {
    const r = mergeProfiles(
      [
        { profile: decoded(short), file: 'short', weight: weights[0] },
        { profile: decoded(long), file: 'long', weight: weights[1] },
      ],
      { normalize },
    );
    if (!r.ok) throw new Error(r.failure.message);
    return r.value.profile;
  };
  const edgesOf = (p: PprofProfile): Map<string, number> => {
    const pre = preprocessProfileBytes(encodeProfile(p), 'merged');
    if (!pre.ok) throw new Error(pre.failure.message);
    return edgeWeights(pre.value);
  };

  it('plain merge sums samples and durations', () => {
    const p = merge([1, 1], false);
    expect(edgesOf(p)).toEqual(
      new Map([
        ['main.a -> main.c @3', 940],
        ['main.a -> main.b @2', 160],
      ]),
    );
    expect(p.durationNanos).toBe(110_000_000_000n);
    // cpu/nanoseconds is summed too.
    expect(p.samples.reduce((s, x) => s + (x.values[1] ?? 0), 0)).toBe(11_000_000_000);
  });

  it('--weight multiplies an input', () => {
    expect(edgesOf(merge([3, 1], false))).toEqual(
      new Map([
        ['main.a -> main.c @3', 1020],
        ['main.a -> main.b @2', 280],
      ]),
    );
  });

  it('--normalize scales every input to the heaviest total', () => {
    // short ×10: 600 a→b + 400 a→c; long as is: 100 + 900.
    const p = merge([1, 1], true);
    expect(edgesOf(p)).toEqual(
      new Map([
        ['main.a -> main.c @3', 1300],
        ['main.a -> main.b @2', 700],
      ]),
    );
  });

  it('--normalize with weights: normalized, then weighted', () => {
    expect(edgesOf(merge([1, 0.5], true))).toEqual(
      new Map([
        ['main.a -> main.b @2', 650],
        ['main.a -> main.c @3', 850],
      ]),
    );
  });

  it('the command reports shares and factors in JSON', async () => {
    await writeFile(path.join(dir, 'short.pprof'), short);
    await writeFile(path.join(dir, 'long.pprof'), long);
    const { io, out } = captureIo();
    const code = await runMergeCommand(
      {
        inputs: ['short.pprof', 'long.pprof'],
        output: 'n.pprof',
        weights: ['long.pprof=2'],
        normalize: true,
      },
      io,
    );
    expect(code).toBe(0);
    const report = JSON.parse(out()) as {
      total: number;
      inputs: { factor: number; share: number }[];
    };
    expect(report.total).toBe(3000);
    expect(report.inputs.map((i) => i.factor)).toEqual([10, 2]);
    expect(report.inputs.map((i) => Math.round(i.share * 3))).toEqual([1, 2]);
    const written = decoded(gunzipSync(await readFile(path.join(dir, 'n.pprof'))));
    expect(written.samples.length).toBe(2);
  });

  it('rejects a bad --weight and a heap profile, naming the file', async () => {
    const a = captureIo();
    await writeFile(path.join(dir, 'short.pprof'), short);
    expect(
      await runMergeCommand(
        {
          inputs: ['short.pprof'],
          output: 'o.pprof',
          weights: ['short.pprof=-1'],
          normalize: false,
        },
        a.io,
      ),
    ).toBe(2);
    expect(a.errText()).toContain('--weight short.pprof=-1: expected FILE=W');
    const b = captureIo();
    expect(
      await runMergeCommand(
        {
          inputs: [corpus('markdown-server.heap.pprof')],
          output: 'o.pprof',
          weights: [],
          normalize: false,
        },
        b.io,
      ),
    ).toBe(2);
    expect(b.errText()).toContain('markdown-server.heap.pprof: not a CPU profile');
  });
});
