import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PackageLoader } from '../../src/analysis';
import { preprocessProfileBytes } from '../../src/pprof';
import { BUILTIN_RULES } from '../../src/analysis/builtin-rules';
import { REPO } from '../e2e/harness';

/** A small deterministic PRNG (mulberry32), so a seed reproduces a whole run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How a fuzz run is bounded; `npm run fuzz` raises the case counts through the environment. */
export interface FuzzConfig {
  readonly seed: number;
  readonly buildCases: number;
  readonly profileCases: number;
  /** The longest one case may take. */
  readonly caseMs: number;
  /** The most the process's RSS may grow over the run. */
  readonly maxRssGrowthBytes: number;
}

/** The configuration from FUZZ_SEED, FUZZ_BUILD_CASES, FUZZ_PROFILE_CASES (with defaults). */
export function fuzzConfig(defaults: { buildCases: number; profileCases: number }): FuzzConfig {
  const env = process.env;
  const seed = env['FUZZ_SEED'] !== undefined ? Number(env['FUZZ_SEED']) : Date.now() % 2 ** 31;
  return {
    seed,
    buildCases: Number(env['FUZZ_BUILD_CASES'] ?? defaults.buildCases),
    profileCases: Number(env['FUZZ_PROFILE_CASES'] ?? defaults.profileCases),
    caseMs: Number(env['FUZZ_CASE_MS'] ?? 5000),
    maxRssGrowthBytes: 1.5 * 1024 ** 3,
  };
}

/** Tokens that stress the lexer, parser and evaluator when spliced into a BUILD file. */
const BUILD_TOKENS = [
  '[',
  ']',
  '(',
  ')',
  '{',
  '}',
  ',',
  ':',
  '=',
  '+',
  '*',
  '%',
  '-',
  '"',
  "'",
  '"""',
  '\\',
  '\n',
  '\t',
  ' ',
  '#',
  '.',
  '..',
  '../',
  '/',
  '//',
  '@',
  'not ',
  ' and ',
  ' or ',
  'if ',
  ' else ',
  'for ',
  ' in ',
  'def ',
  'lambda ',
  'load(',
  'glob(',
  'select(',
  'None',
  'True',
  '100000000',
  '2147483648',
  '-1',
  '0',
  '1e9',
  '0x',
  '"x" * 100000000',
  '[1] * 100000000',
  'range(100000000)',
  '"%s" % ',
  '[x for x in range(10000) for y in range(10000)]',
  '\u00e9',
  '\ud800',
  '\0',
  'go_library(',
  'go_binary(',
  'go_test(',
  'name = ',
  'srcs = ',
  'deps = ',
  'embedsrcs = ',
  'pgo = ',
  '"/etc/passwd"',
  '"../../x.go"',
  '"./x.go"',
];

/** The seed corpus: the example monorepo's BUILD files and a few small hand-written ones. */
export function buildCorpus(): string[] {
  const out: string[] = [
    'go_library(\n    name = "a",\n    srcs = ["a.go"],\n    deps = ["//b"],\n)\n',
    'load("@rules_go//go:def.bzl", "go_binary")\n\ngo_binary(\n    name = "a",\n    srcs = glob(["*.go"], exclude = ["x.go"]),\n)\n',
    'X = ["a.go"] + ["b.go"]\nY = {"k": [s for s in X if s.endswith(".go")]}\ngo_library(name = "a", srcs = Y["k"], importpath = "x/%s" % "a")\n',
  ];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== 'pgobuild-out') walk(p);
      else if (e.name === 'BUILD' || e.name === 'BUILD.bazel') out.push(fs.readFileSync(p, 'utf8'));
    }
  };
  walk(path.join(REPO, 'examples'));
  return out;
}

/** One mutation of `text`: flip, insert, delete, duplicate or nest. */
export function mutateText(text: string, rand: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const at = (): number => Math.floor(rand() * (text.length + 1));
  const rounds = 1 + Math.floor(rand() * 4);
  for (let r = 0; r < rounds; r++) {
    const i = at();
    switch (Math.floor(rand() * 6)) {
      case 0:
        text = text.slice(0, i) + pick(BUILD_TOKENS) + text.slice(i);
        break;
      case 1: {
        const j = Math.min(text.length, i + Math.floor(rand() * 20));
        text = text.slice(0, i) + text.slice(j);
        break;
      }
      case 2: {
        const j = Math.min(text.length, i + Math.floor(rand() * 200));
        text = text.slice(0, j) + text.slice(i, j) + text.slice(j);
        break;
      }
      case 3:
        text = text.slice(0, i) + String.fromCharCode(Math.floor(rand() * 128)) + text.slice(i + 1);
        break;
      case 4: {
        // Deep nesting or long operator chains.
        const n = Math.floor(rand() * 3000);
        const open = pick(['[', '(', '{"k": ', '-', 'not ']);
        const close = open === '[' ? ']' : open === '(' ? ')' : open === '{"k": ' ? '}' : '';
        text = `${text.slice(0, i)}${open.repeat(n)}1${close.repeat(n)}${text.slice(i)}`;
        break;
      }
      default: {
        const n = Math.floor(rand() * 6000);
        text = `${text.slice(0, i)}x = 1${' + 1'.repeat(n)}\n${text.slice(i)}`;
        break;
      }
    }
  }
  return text;
}

/** What went wrong in one case, or undefined when it ended in a value that names the file. */
export type CaseProblem = string | undefined;

/** Loads `text` as the BUILD file of package `fuzz` through the real loader and evaluator. */
export async function loadBuildFile(root: string, text: string): Promise<CaseProblem> {
  fs.writeFileSync(path.join(root, 'fuzz', 'BUILD'), text);
  const loader = new PackageLoader(root, BUILTIN_RULES);
  let result;
  try {
    result = await loader.load('fuzz');
  } catch (e) {
    return `threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  }
  if (result.ok) return undefined;
  const f = result.failure;
  const named = f.diagnostic?.span.file ?? f.message;
  if (!named.includes('fuzz/BUILD') && !named.includes('.bzl'))
    return `failure does not name the file: ${JSON.stringify(f)}`;
  return undefined;
}

/** A temp workspace with an empty package `fuzz` for {@link loadBuildFile}. */
export function fuzzWorkspace(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-fuzz-'));
  fs.writeFileSync(path.join(root, 'WORKSPACE'), '');
  fs.mkdirSync(path.join(root, 'fuzz'));
  fs.writeFileSync(path.join(root, 'fuzz', 'a.go'), 'package a\n');
  return root;
}

/** The CPU profiles of test/fixtures/profiles (gzip-compressed pprof). */
export function profileCorpus(): Uint8Array[] {
  const dir = path.join(REPO, 'test', 'fixtures', 'profiles');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.pprof'))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f)));
}

/** One mutation of a profile: flipped bits, truncation, spliced varints, or edits after gunzip. */
export function mutateBytes(bytes: Uint8Array, rand: () => number): Uint8Array {
  const out = Buffer.from(bytes);
  const n = 1 + Math.floor(rand() * 8);
  let buf: Buffer = out;
  for (let k = 0; k < n; k++) {
    const i = Math.floor(rand() * buf.length);
    switch (Math.floor(rand() * 4)) {
      case 0:
        buf[i] = (buf[i] ?? 0) ^ (1 << Math.floor(rand() * 8));
        break;
      case 1:
        buf = buf.subarray(0, i);
        break;
      case 2: {
        // A huge varint (length or value) spliced in.
        const varint = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
        buf = Buffer.concat([
          buf.subarray(0, i),
          varint.subarray(Math.floor(rand() * 9)),
          buf.subarray(i),
        ]);
        break;
      }
      default:
        buf[i] = Math.floor(rand() * 256);
        break;
    }
  }
  return buf;
}

/** Decodes and preprocesses mutated profile bytes; a failure must name the file. */
export function preprocessBytes(bytes: Uint8Array): CaseProblem {
  let r;
  try {
    r = preprocessProfileBytes(bytes, 'fuzz.pprof');
  } catch (e) {
    return `threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  }
  if (!r.ok && r.failure.file !== 'fuzz.pprof')
    return `failure does not name the file: ${JSON.stringify(r.failure)}`;
  return undefined;
}
