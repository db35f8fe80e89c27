/**
 * Writes a synthetic Go monorepo of N packages for the scale benchmarks: Go sources, one BUILD
 * file per package, a go.mod, and three binaries with profiles, so that `go build ./...` builds
 * exactly what `pgobuild build //...` builds.
 *
 * Shape: packages sit in layers; each imports 1–5 packages from lower layers (fan-out), with
 * import choices skewed so that a few "core" packages are imported by many (fan-in), as in real
 * monorepos. Every package has real code (types, methods, loops) that uses what it imports.
 *
 *   node dist/bench/generate.js <dir> <packages>
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const MODULE = 'example.com/synth';

/** A deterministic PRNG (mulberry32), so the same N always gives the same workspace. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Relative directory of package i, grouped in folders of 100 to keep directories small. */
export function packageDir(i: number): string {
  return `pkg/g${String(Math.floor(i / 100)).padStart(3, '0')}/p${String(i).padStart(5, '0')}`;
}

/** The three binaries: each imports a spread of top-layer packages. */
export const BINARIES = ['cmd/alpha', 'cmd/beta', 'cmd/gamma'] as const;

/** Generates the workspace; returns the imports of each package (for tests and edits). */
export function generate(dir: string, n: number, profiles: readonly string[]): number[][] {
  const rand = prng(n);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'WORKSPACE'), 'workspace(name = "synth")\n');
  fs.writeFileSync(path.join(dir, 'go.mod'), `module ${MODULE}\n\ngo 1.22\n`);
  const imports: number[][] = [];
  for (let i = 0; i < n; i++) {
    const deps = new Set<number>();
    if (i > 0) {
      const fanOut = 1 + Math.floor(rand() * Math.min(5, i));
      while (deps.size < fanOut) {
        // Skewed towards low indexes: the first packages become widely imported "core" ones.
        const r = rand();
        deps.add(Math.floor(r * r * r * i));
      }
    }
    imports.push([...deps].sort((a, b) => a - b));
    writePackage(dir, i, imports[i] as number[]);
  }
  // Binaries use packages about a tenth of the way up the layers, so each binary's graph (which
  // is compiled once more per profile, as cmd/go does) holds at most ~10% of the workspace.
  const anchor = Math.max(Math.floor(n / 10), Math.min(n, 60));
  const top = Array.from({ length: Math.min(anchor, 60) }, (_, k) => anchor - 1 - k);
  BINARIES.forEach((bin, b) => {
    const uses = top.filter((_, k) => k % BINARIES.length === b).slice(0, 12);
    writeBinary(dir, bin, uses, profiles[b]);
  });
  return imports;
}

function writePackage(dir: string, i: number, deps: readonly number[]): void {
  const rel = packageDir(i);
  const name = `p${String(i).padStart(5, '0')}`;
  fs.mkdirSync(path.join(dir, rel), { recursive: true });
  const importLines = deps.map((d) => `\t"${MODULE}/${packageDir(d)}"`).join('\n');
  const calls = deps
    .map((d) => `\tacc += p${String(d).padStart(5, '0')}.Score(seed+${d % 7})`)
    .join('\n');
  const src = `// Package ${name} is generated for pgobuild's scale benchmarks.
package ${name}
${deps.length > 0 ? `\nimport (\n${importLines}\n)\n` : ''}
// Item is a value this package computes with.
type Item struct {
\tKey   string
\tValue int
}

// Total sums the values of items whose key is longer than min.
func Total(items []Item, min int) int {
\tsum := 0
\tfor _, it := range items {
\t\tif len(it.Key) > min {
\t\t\tsum += it.Value * ${(i % 13) + 1}
\t\t}
\t}
\treturn sum
}

// Score mixes seed with the scores of the packages this one imports.
func Score(seed int) int {
\tacc := seed*${(i % 31) + 3} + ${i}
${calls}
\tif acc < 0 {
\t\tacc = -acc
\t}
\treturn acc % 1000003
}
`;
  fs.writeFileSync(path.join(dir, rel, `${name}.go`), src);
  const depLabels = deps.map((d) => `        "//${packageDir(d)}",`).join('\n');
  fs.writeFileSync(
    path.join(dir, rel, 'BUILD'),
    `go_library(\n    name = "${name}",\n    srcs = ["${name}.go"],${deps.length > 0 ? `\n    deps = [\n${depLabels}\n    ],` : ''}\n)\n`,
  );
}

function writeBinary(
  dir: string,
  rel: string,
  uses: readonly number[],
  profile: string | undefined,
): void {
  const name = path.basename(rel);
  fs.mkdirSync(path.join(dir, rel), { recursive: true });
  const importLines = uses.map((d) => `\t"${MODULE}/${packageDir(d)}"`).join('\n');
  const calls = uses.map((d) => `\t\ttotal += p${String(d).padStart(5, '0')}.Score(i)`).join('\n');
  fs.writeFileSync(
    path.join(dir, rel, 'main.go'),
    `package main\n\nimport (\n\t"fmt"\n\n${importLines}\n)\n\nfunc main() {\n\ttotal := 0\n\tfor i := 0; i < 1000; i++ {\n${calls}\n\t}\n\tfmt.Println(total)\n}\n`,
  );
  const depLabels = uses.map((d) => `        "//${packageDir(d)}",`).join('\n');
  fs.writeFileSync(
    path.join(dir, rel, 'BUILD'),
    `go_binary(\n    name = "${name}",\n    srcs = ["main.go"],\n    deps = [\n${depLabels}\n    ],\n)\n`,
  );
  if (profile !== undefined) fs.copyFileSync(profile, path.join(dir, rel, 'default.pgo'));
}

if (require.main === module) {
  const [dir, count] = process.argv.slice(2);
  if (dir === undefined || count === undefined) {
    process.stderr.write('usage: node dist/bench/generate.js <dir> <packages>\n');
    process.exit(2);
  }
  const repo = path.resolve(__dirname, '..', '..');
  const corpus = path.join(repo, 'test', 'fixtures', 'profiles');
  generate(
    dir,
    Number(count),
    [
      'p2pool-observer-api.cpu.pprof',
      'p2pool-observer-daemon.cpu.pprof',
      'masterdnsvpn-server.cpu.pprof',
    ].map((f) => path.join(corpus, f)),
  );
}
