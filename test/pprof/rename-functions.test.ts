import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { runRenameCommand, type RenameCommandArgs } from '../../src/cli/pgo-rename-command';
import {
  decodeProfile,
  parseRenameMapping,
  renameFunctions,
  type PprofProfile,
  type RenameMapping,
} from '../../src/pprof';
import { encodeSyntheticProfile } from './synthetic-profile';

const NAMES = [
  'main.main',
  'example.com/a/lib.Square.Area',
  'example.com/a/lib.(*Square).Grow',
  'example.com/a/lib.(*Square[go.shape.int]).Scale',
  'example.com/a/lib.Square.Area.func1',
  'example.com/a/lib.Square.Area-fm',
  'example.com/a/lib.SquareRoot',
  'example.com/a/lib.Sum[go.shape.int]',
  'example.com/a/lib/sub.F',
  'example.com/a/library.F',
  'type:.eq.example.com/a/lib.Square',
  'gopkg.in/yaml%2ev3.Unmarshal',
];

/** One sample per function, each called from main.main, `i + 1` samples each. */
function profileBytes(): Buffer {
  return encodeSyntheticProfile({
    functions: NAMES.map((name, i) => ({ name, startLine: 10 * (i + 1) })),
    locations: NAMES.map((name, i) => ({ lines: [{ fn: name, line: 10 * (i + 1) + 1 }] })),
    samples: NAMES.slice(1).map((_n, i) => ({
      stack: [i + 1, 0],
      values: [i + 1, (i + 1) * 10_000_000],
    })),
  });
}

function decode(bytes: Uint8Array): PprofProfile {
  const d = decodeProfile(bytes, 'x');
  if (!d.ok || d.value === 'empty') throw new Error('expected a profile');
  return d.value;
}

function maps(...specs: string[]): RenameMapping[] {
  return specs.map((s) => {
    const m = parseRenameMapping(s);
    if (!m.ok) throw new Error(m.failure);
    return m.value;
  });
}

function renamedNames(...specs: string[]): Record<string, string> {
  const p = decode(profileBytes());
  const r = renameFunctions(p, maps(...specs));
  const out: Record<string, string> = {};
  p.functions.forEach((f, i) => {
    const to = r.profile.functions[i]?.name ?? '';
    if (to !== f.name) out[f.name] = to;
  });
  return out;
}

describe('the matching rules', () => {
  it('a type rename renames methods, pointer receivers, instantiations, closures, -fm and eq', () => {
    expect(renamedNames('example.com/a/lib.Square=example.com/a/lib.Tile')).toEqual({
      'example.com/a/lib.Square.Area': 'example.com/a/lib.Tile.Area',
      'example.com/a/lib.(*Square).Grow': 'example.com/a/lib.(*Tile).Grow',
      'example.com/a/lib.(*Square[go.shape.int]).Scale':
        'example.com/a/lib.(*Tile[go.shape.int]).Scale',
      'example.com/a/lib.Square.Area.func1': 'example.com/a/lib.Tile.Area.func1',
      'example.com/a/lib.Square.Area-fm': 'example.com/a/lib.Tile.Area-fm',
      'type:.eq.example.com/a/lib.Square': 'type:.eq.example.com/a/lib.Tile',
    });
  });

  it('a package mapping takes whole path elements and the packages under it', () => {
    expect(renamedNames('example.com/a/lib=example.com/b/core')).toEqual(
      Object.fromEntries(
        NAMES.filter((n) => /example\.com\/a\/lib[./]/.test(n)).map((n) => [
          n,
          n.replace('example.com/a/lib', 'example.com/b/core'),
        ]),
      ),
    );
    // library is not under lib.
    expect(renamedNames('example.com/a/lib=example.com/b/core')).not.toHaveProperty(
      'example.com/a/library.F',
    );
  });

  it('the most specific mapping wins; receivers follow (*T) in OLD and NEW', () => {
    const r = renamedNames(
      'example.com/a/lib=example.com/b/core',
      'example.com/a/lib.(*Square)=example.com/b/core.Box',
    );
    expect(r['example.com/a/lib.(*Square).Grow']).toBe('example.com/b/core.Box.Grow');
    expect(r['example.com/a/lib.Square.Area']).toBe('example.com/b/core.Square.Area');
    expect(renamedNames('example.com/a/lib.Sum=example.com/a/lib.Total')).toEqual({
      'example.com/a/lib.Sum[go.shape.int]': 'example.com/a/lib.Total[go.shape.int]',
    });
  });

  it('every sample, value and location is kept; file names move with a package', () => {
    const p = decode(profileBytes());
    const r = renameFunctions(p, maps('example.com/a/lib=example.com/b/core'));
    expect(r.profile.samples.map((s) => s.values)).toEqual(p.samples.map((s) => s.values));
    expect(r.profile.samples.map((s) => s.locations.length)).toEqual(
      p.samples.map((s) => s.locations.length),
    );
    expect(r.mappings[0]).toMatchObject({ functions: 9, samples: 9 });
  });

  it.each([
    ['no-equals', 'expected OLD=NEW'],
    ['=example.com/x', 'OLD "" is empty'],
    ['example.com/a/lib=example.com/a/lib.T', 'both sides must be the same kind'],
    ['example.com/a/lib.Sum[int]=example.com/a/lib.Total', 'writes type arguments'],
    ['example.com/a/lib.T.(*M)=example.com/a/lib.U', 'only a receiver can'],
    ['example.com//lib=example.com/x', 'malformed package path'],
    ['example.com/a=example.com/a', 'the same'],
  ])('malformed %s', (spec, message) => {
    const m = parseRenameMapping(spec);
    expect(m.ok).toBe(false);
    if (!m.ok) expect(m.failure).toContain(message);
  });
});

describe('pgo rename command', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pgobuild-rename-cmd-'));
    await writeFile(path.join(dir, 'in.pprof'), profileBytes());
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function run(
    args: Partial<RenameCommandArgs>,
    output: 'human' | 'json' = 'json',
  ): Promise<{ code: number; out: string; err: string }> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await runRenameCommand(
      { input: 'in.pprof', output: 'out.pprof', maps: [], mapFile: undefined, ...args },
      { stdout, stderr, cwd: dir, output },
    );
    return { code, out, err };
  }

  it('reports per mapping, warns about a mapping that matched nothing, writes gzip', async () => {
    const r = await run({
      maps: ['example.com/a/lib.Square=example.com/a/lib.Tile', 'example.com/gone=example.com/x'],
    });
    expect(r.code).toBe(0);
    expect(r.err).toContain('warning: --map example.com/gone=example.com/x matched no function');
    const report = JSON.parse(r.out) as Record<string, unknown>;
    expect(report).toMatchObject({
      command: 'pgo rename',
      samples: NAMES.length - 1,
      renamedFunctions: 6,
      mappings: [
        { spec: 'example.com/a/lib.Square=example.com/a/lib.Tile', functions: 6 },
        { spec: 'example.com/gone=example.com/x', functions: 0, samples: 0 },
      ],
    });
    const bytes = await readFile(path.join(dir, 'out.pprof'));
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect(decode(bytes).functions.map((f) => f.name)).toContain('example.com/a/lib.Tile.Area');
  });

  it('the human table counts functions per mapping', async () => {
    const r = await run({ maps: ['example.com/a/lib=example.com/b/core'] }, 'human');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/example\.com\/a\/lib=example\.com\/b\/core\s+package\s+9\s+9/);
    expect(r.out).toContain('9 functions renamed, all 11 samples kept');
  });

  it('hints at %2e for a dotted last path element', async () => {
    const r = await run({ maps: ['gopkg.in/yaml.v3=gopkg.in/yaml.v4'] });
    expect(r.err).toContain('the profile has package gopkg.in/yaml%2ev3');
  });

  it('a malformed --map is exit 2 naming the argument, and writes nothing', async () => {
    const r = await run({ maps: ['example.com/a/lib'], output: 'never.pprof' } as never);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'pgobuild: --map example.com/a/lib: expected OLD=NEW, e.g. example.com/a/old=example.com/a/new\n',
    );
    await expect(readFile(path.join(dir, 'never.pprof'))).rejects.toThrow();
  });

  it('--map-file: comments and blank lines skipped, errors at file:line', async () => {
    await writeFile(
      path.join(dir, 'good.map'),
      '# moved in PR 12\n\nexample.com/a/lib=example.com/b/core  # the whole package\n',
    );
    const good = await run({ mapFile: 'good.map' });
    expect(good.code).toBe(0);
    expect(JSON.parse(good.out)).toMatchObject({ renamedFunctions: 9 });
    await writeFile(path.join(dir, 'bad.map'), '# ok\nexample.com/a/lib=example.com/b/core\nlib\n');
    const bad = await run({ mapFile: 'bad.map' });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('pgobuild: bad.map:3: expected OLD=NEW');
    const dup = await run({
      maps: ['example.com/a/lib=example.com/b', 'example.com/a/lib=example.com/c'],
    });
    expect(dup.code).toBe(2);
    expect(dup.err).toContain('already mapped by --map example.com/a/lib=example.com/b');
  });

  it('a profile that does not decode is exit 2 at the file', async () => {
    await writeFile(path.join(dir, 'junk.pprof'), 'not a profile at all');
    const r = await run({ input: 'junk.pprof', maps: ['a.b=a.c'] });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^junk\.pprof: not a pprof profile/);
  });
});
