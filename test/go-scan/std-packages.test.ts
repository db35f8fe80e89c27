import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildContext, PackageFiles } from '../../src/go/scan';
import { selectPackageFiles } from '../../src/go/scan';
import { GO } from '../go-toolchain';

// End-to-end against the real toolchain: for standard library packages, selecting files with
// pgobuild's scanner for linux/amd64 without cgo must give exactly what `go list` reports.

const goBin = GO;
const goEnv = {
  ...process.env,
  CGO_ENABLED: '0',
  GOOS: 'linux',
  GOARCH: 'amd64',
  GOFLAGS: '',
  GOTOOLCHAIN: 'local',
  GOEXPERIMENT: '',
};

function go(args: string[]): string {
  return execFileSync(goBin, args, { env: goEnv, encoding: 'utf8', maxBuffer: 64 << 20 });
}

interface ListedPackage {
  ImportPath: string;
  Dir: string;
  Name?: string;
  GoFiles?: string[];
  SFiles?: string[];
  HFiles?: string[];
  TestGoFiles?: string[];
  XTestGoFiles?: string[];
  IgnoredGoFiles?: string[];
  IgnoredOtherFiles?: string[];
  Imports?: string[];
  ImportMap?: Record<string, string>;
  TestImports?: string[];
  XTestImports?: string[];
  EmbedPatterns?: string[];
}

/** `go list -json` prints one object after another; split them. */
function parseJsonStream(text: string): ListedPackage[] {
  return text
    .split(/\n(?=\{)/)
    .filter((s) => s.trim() !== '')
    .map((s) => JSON.parse(s) as ListedPackage);
}

const fields =
  'ImportPath,Dir,Name,GoFiles,SFiles,HFiles,TestGoFiles,XTestGoFiles,IgnoredGoFiles,IgnoredOtherFiles,' +
  'Imports,ImportMap,TestImports,XTestImports,EmbedPatterns';

let ctx: BuildContext;
let listed: ListedPackage[];

beforeAll(() => {
  const toolTags = go(['list', '-f', '{{join context.ToolTags " "}}', 'runtime']).trim().split(' ');
  const minor = Number(/go1\.(\d+)/.exec(go(['env', 'GOVERSION']))?.[1]);
  ctx = {
    goos: 'linux',
    goarch: 'amd64',
    goMinor: minor,
    cgoEnabled: false,
    compiler: 'gc',
    buildTags: [],
    toolTags,
  };
  listed = parseJsonStream(go(['list', '-e', `-json=${fields}`, 'std']));
});

function select(p: ListedPackage): PackageFiles {
  const files = fs
    .readdirSync(p.Dir, { withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => ({ name: d.name, text: fs.readFileSync(path.join(p.Dir, d.name), 'utf8') }));
  const r = selectPackageFiles(p.ImportPath, files, ctx);
  if (!r.ok) throw new Error(`${p.ImportPath}: ${r.failure.message}`);
  return r.value;
}

/** Imports as written in the source of the given files, sorted, then resolved through ImportMap (go list's order). */
function importsOf(
  sel: PackageFiles,
  files: readonly string[],
  importMap: Record<string, string> | undefined,
): string[] {
  const set = new Set<string>();
  for (const f of files) for (const i of sel.infos.get(f)?.imports ?? []) set.add(i.path);
  return [...set].sort().map((p) => importMap?.[p] ?? p);
}

function embedsOf(sel: PackageFiles, files: readonly string[]): string[] {
  const set = new Set<string>();
  for (const f of files) for (const e of sel.infos.get(f)?.embedPatterns ?? []) set.add(e.pattern);
  return [...set].sort();
}

function summary(p: ListedPackage, sel: PackageFiles): Record<string, unknown> {
  return {
    name: sel.packageName,
    goFiles: sel.goFiles,
    sFiles: sel.sFiles,
    hFiles: sel.hFiles,
    testGoFiles: sel.testGoFiles,
    xTestGoFiles: sel.xTestGoFiles,
    ignoredGoFiles: sel.ignoredGoFiles,
    ignoredOtherFiles: sel.ignoredOtherFiles,
    imports: importsOf(sel, sel.goFiles, p.ImportMap),
    embedPatterns: embedsOf(sel, sel.goFiles),
  };
}

function expected(p: ListedPackage): Record<string, unknown> {
  return {
    name: p.Name ?? '',
    goFiles: p.GoFiles ?? [],
    sFiles: p.SFiles ?? [],
    hFiles: p.HFiles ?? [],
    testGoFiles: p.TestGoFiles ?? [],
    xTestGoFiles: p.XTestGoFiles ?? [],
    ignoredGoFiles: p.IgnoredGoFiles ?? [],
    ignoredOtherFiles: p.IgnoredOtherFiles ?? [],
    imports: p.Imports ?? [],
    embedPatterns: p.EmbedPatterns ?? [],
  };
}

describe('file selection matches go list for std packages (linux/amd64, CGO_ENABLED=0)', () => {
  it.each([
    'os',
    'runtime',
    'net',
    'crypto/sha256',
    'internal/runtime/atomic',
    'syscall',
    'math/big',
    'embed/internal/embedtest',
  ])('%s', (importPath) => {
    const p = listed.find((l) => l.ImportPath === importPath);
    expect(p).toBeDefined();
    if (p === undefined) return;
    const sel = select(p);
    expect(summary(p, sel)).toEqual(expected(p));
    // go list resolves test imports without an ImportMap: std vendors every dotted path.
    const vendored = (files: readonly string[]): string[] =>
      importsOf(sel, files, undefined)
        .map((i) => ((i.split('/')[0] ?? '').includes('.') ? `vendor/${i}` : i))
        .sort();
    expect(vendored(sel.testGoFiles)).toEqual(p.TestImports ?? []);
    expect(vendored(sel.xTestGoFiles)).toEqual(p.XTestImports ?? []);
  });

  it('every package of std', () => {
    const mismatches: string[] = [];
    for (const p of listed) {
      const sel = select(p);
      const got = JSON.stringify(summary(p, sel));
      const want = JSON.stringify(expected(p));
      if (got !== want) mismatches.push(`${p.ImportPath}\n  got:  ${got}\n  want: ${want}`);
    }
    expect(mismatches).toEqual([]);
    expect(listed.length).toBeGreaterThan(300);
  });

  it('import spans cover the quoted path in the source', () => {
    const p = listed.find((l) => l.ImportPath === 'net');
    if (p === undefined) throw new Error('net not listed');
    const sel = select(p);
    let checked = 0;
    for (const [file, info] of sel.infos) {
      const lines = fs.readFileSync(path.join(p.Dir, file), 'utf8').split('\n');
      for (const imp of info.imports) {
        const text = (lines[imp.span.line - 1] ?? '').slice(imp.span.col - 1, imp.span.endCol - 1);
        expect(text).toBe(JSON.stringify(imp.path));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
