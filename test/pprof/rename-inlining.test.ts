import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { runRenameCommand } from '../../src/cli/pgo-rename-command';
import { decodeProfile, type PprofProfile } from '../../src/pprof';
import { GO, goPreprofile } from './go-oracle';

const execFileAsync = promisify(execFile);
const ENV = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '', CGO_ENABLED: '0' };

/*
 * The test for `pgo rename`: a real CPU profile of a small program, then a refactor that
 * moves package `legacy` to `modern` and renames type `Square` to `Tile` (same lines). The
 * renamed profile must make the compiler take the same PGO decisions (hot-callee budgets, hot
 * call-site inlining, devirtualization; `-m=2 -d=pgodebug=1`) on the renamed code as the original
 * profile made on the original code; the original profile on the renamed code must not.
 */

// Placeholders: LEGACY is the moved package's name, SQUARE the renamed type.
const FILES: Record<string, string> = {
  'go.mod': 'module example.com/r\n\ngo 1.22\n',
  'LEGACY/LEGACY.go': `package LEGACY

// Mix is too big to inline without a profile (cost over 80) and small enough with one.
func Mix(x int) int {
	y := x
	for i := 0; i < 4; i++ {
		y = y*31 + i
		y ^= y >> 3
		if y%7 == 0 {
			y += 11
		} else {
			y -= 5
		}
		y = y*17 + (y >> 5)
		y ^= y << 2
		if y%5 == 1 {
			y *= 3
		}
	}
	return y + x*7 - (x >> 2) + (x ^ 0x55)
}

// Ring is a ring buffer.
type Ring struct {
	buf [64]int
	pos int
}

// Push stores x, with a closure the profile names Ring.Push.func1.
func (r *Ring) Push(x int) {
	next := func(p int) int { return (p + 1) % len(r.buf) }
	r.buf[r.pos] = Mix(x)
	r.pos = next(r.pos)
}

// Sum is generic; its shaped instantiation is named Sum[go.shape.int].
func Sum[T int | float64](xs []T) T {
	var s T
	for _, x := range xs {
		s += x
	}
	return s
}
`,
  'shapes/shapes.go': `package shapes

// Shape has an area.
type Shape interface{ Area() int }

// SQUARE is a square.
type SQUARE struct{ N int }

// Area is computed the slow way, so the hot interface call is worth devirtualizing.
func (s SQUARE) Area() int {
	a := 0
	for i := 0; i < s.N; i++ {
		for j := 0; j < s.N; j++ {
			a += (i ^ j) & 1
			a++
		}
	}
	return a - a/2 + s.N
}
`,
  'work/work.go': `package work

import (
	"example.com/r/LEGACY"
	"example.com/r/shapes"
)

// Run is the hot loop.
func Run(n int, sh shapes.Shape, r *LEGACY.Ring) int {
	s := 0
	xs := []int{1, 2, 3, 4}
	for i := 0; i < n; i++ {
		s += LEGACY.Mix(i)
		s += sh.Area()
		r.Push(i)
		s += LEGACY.Sum(xs)
	}
	return s
}
`,
  'main.go': `package main

import (
	"os"
	"runtime/pprof"
	"time"

	"example.com/r/LEGACY"
	"example.com/r/shapes"
	"example.com/r/work"
)

var sink int

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	r := &LEGACY.Ring{}
	for start := time.Now(); time.Since(start) < 2*time.Second; {
		sink += work.Run(10000, shapes.SQUARE{N: 6}, r)
	}
	pprof.StopCPUProfile()
	f.Close()
}
`,
};

function source(text: string, pkg: string, square: string): string {
  return text.replaceAll('LEGACY', pkg).replaceAll('SQUARE', square);
}

async function writeModule(dir: string, pkg: string, square: string): Promise<void> {
  for (const [name, text] of Object.entries(FILES)) {
    const file = path.join(dir, source(name, pkg, square));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, source(text, pkg, square));
  }
}

/**
 * Compiles the module's three library packages (in dependency order) with `go tool compile`
 * as cmd/go does with -pgo (the preprocessed profile as -pgoprofile), printing -m=2 and
 * pgodebug decisions. Returns the sorted decision lines.
 */
async function decisions(dir: string, pkg: string, profile: string | undefined): Promise<string[]> {
  const out = path.join(dir, 'obj');
  await mkdir(out, { recursive: true });
  const importcfg = path.join(out, 'importcfg');
  await writeFile(
    importcfg,
    `packagefile example.com/r/${pkg}=${out}/${pkg}.a\npackagefile example.com/r/shapes=${out}/shapes.a\n`,
  );
  const lines: string[] = [];
  for (const p of [pkg, 'shapes', 'work']) {
    const args = ['tool', 'compile', '-p', `example.com/r/${p}`, '-o', `${out}/${p}.a`];
    args.push('-importcfg', importcfg, '-m=2', '-d=pgodebug=1', '-lang=go1.22');
    if (profile !== undefined) args.push('-pgoprofile', profile);
    args.push(`${p}/${p}.go`);
    const r = await execFileAsync(GO, args, { cwd: dir, env: ENV, maxBuffer: 64 << 20 });
    lines.push(
      ...`${r.stdout}${r.stderr}`
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => l.replaceAll(`${dir}/`, '')),
    );
  }
  return lines.sort();
}

/** The decisions of the original code with names rewritten as the refactor did. */
const asRenamed = (lines: readonly string[]): string[] =>
  lines.map((l) => l.replaceAll('legacy', 'modern').replaceAll('Square', 'Tile')).sort();

function load(bytes: Uint8Array): PprofProfile {
  const d = decodeProfile(bytes, 'x');
  if (!d.ok || d.value === 'empty') throw new Error('expected a profile');
  return d.value;
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'pgobuild-rename-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

it('after a package move and a type rename, the renamed profile gives the same PGO decisions', async () => {
  const before = path.join(tmp, 'before');
  const after = path.join(tmp, 'after');
  await writeModule(before, 'legacy', 'Square');
  await writeModule(after, 'modern', 'Tile');
  const original = path.join(tmp, 'original.pprof');
  await execFileAsync(GO, ['build', '-o', path.join(tmp, 'app'), '.'], { cwd: before, env: ENV });
  await execFileAsync(path.join(tmp, 'app'), [original], { env: ENV });

  const renamed = path.join(tmp, 'renamed.pprof');
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let errText = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (errText += d.toString()));
  const code = await runRenameCommand(
    {
      input: original,
      output: renamed,
      maps: [
        'example.com/r/legacy=example.com/r/modern',
        'example.com/r/shapes.Square=example.com/r/shapes.Tile',
      ],
      mapFile: undefined,
    },
    { stdout, stderr, cwd: tmp, output: 'json' },
  );
  expect(errText).toBe('');
  expect(code).toBe(0);
  const report = JSON.parse(out) as { mappings: { spec: string; functions: number }[] };
  for (const m of report.mappings) expect(m.functions).toBeGreaterThan(0);

  // Every sample kept, with the same values; no old name left.
  const a = load(await readFile(original));
  const b = load(await readFile(renamed));
  expect(b.samples.map((s) => s.values)).toEqual(a.samples.map((s) => s.values));
  const names = b.functions.map((f) => f.name);
  expect(names.filter((n) => n.includes('legacy') || n.includes('Square'))).toEqual([]);
  expect(names).toEqual(
    expect.arrayContaining([
      'example.com/r/modern.Mix',
      'example.com/r/modern.(*Ring).Push',
      'example.com/r/shapes.Tile.Area',
    ]),
  );

  // What go build -pgo does: go tool preprofile, then compile with the preprocessed file.
  const pre = async (input: string): Promise<string> => {
    const r = await goPreprofile(input);
    if (!r.ok) throw new Error(`go tool preprofile rejected ${input}: ${r.stderr}`);
    const file = `${input}.pre`;
    await writeFile(file, r.bytes);
    return file;
  };
  const originalPre = await pre(original);
  const renamedPre = await pre(renamed);

  const withOriginal = await decisions(before, 'legacy', originalPre);
  const withRenamed = await decisions(after, 'modern', renamedPre);
  const staleOnRenamed = await decisions(after, 'modern', originalPre);
  const noProfile = await decisions(before, 'legacy', undefined);

  // The profile matters: PGO inlined Mix at the hot call site and devirtualized sh.Area.
  const pgoOnly = withOriginal.filter((l) => !noProfile.includes(l));
  expect(pgoOnly.join('\n')).toMatch(/inlining call to legacy\.Mix/);
  expect(pgoOnly.join('\n')).toMatch(
    /PGO devirtualizing interface call sh\.Area to shapes\.Square\.Area/,
  );
  expect(pgoOnly.join('\n')).toMatch(
    /hot-node enabled increased budget=\d+ for func=example\.com\/r\/legacy\.Mix/,
  );

  // The renamed profile on the renamed code decides exactly as the original did on the original.
  expect(withRenamed).toEqual(asRenamed(withOriginal));
  // And the rename was needed: the old profile no longer matches the moved code.
  expect(staleOnRenamed).not.toEqual(withRenamed);
}, 300000);
