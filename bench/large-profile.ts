/**
 * `node dist/bench/large-profile.js [samples] [shape]`: generates a large CPU profile and runs
 * `pgobuild pgo preprocess` and `go tool preprofile` on it as one-shot processes under
 * `/usr/bin/time -v`, printing each one's CPU time and peak RSS and whether the outputs are
 * byte-identical (issue 9, item 16). Not part of `npm run bench`: one run of each takes seconds
 * and most of a gigabyte.
 *
 * Shapes: `callgraph` (default) makes every stack a random walk down a fixed call graph, as in real
 * CPU profiles (many distinct stacks, a bounded set of caller/callee pairs); `random` draws every
 * frame at random, the worst case, where nearly every sample adds a call edge of its own.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pprofMessageType } from '../src/pprof';
import { CLI } from './common';

/** The profile's shape, as described above. */
export type LargeProfileShape = 'callgraph' | 'random';

/** A gzip-compressed CPU profile with `samples` distinct samples, deterministic for a shape. */
export function largeProfile(samples: number, shape: LargeProfileShape): Buffer {
  let seed = 12345;
  const rnd = (): number => {
    seed ^= seed << 13;
    seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    return seed / 4294967296;
  };
  const below = (n: number): number => Math.floor(rnd() * n);
  const strings = ['', 'samples', 'count', 'cpu', 'nanoseconds', '/bin/x', 'x.go'];
  const functionCount = 3000;
  const callSites = 4;
  const functions = Array.from({ length: functionCount }, (_, i) => {
    strings.push(`example.com/pkg${i % 50}.Func${i}`);
    const name = strings.length - 1;
    return { id: i + 1, name, system_name: name, filename: 6, start_line: 10 + i * 40 };
  });
  // Function f has locations for its call sites 0..callSites-1 and one for its own body.
  const locations: object[] = [];
  const locationOf: number[][] = [];
  const callee: number[][] = [];
  for (let f = 0; f < functionCount; f++) {
    locationOf.push([]);
    callee.push([]);
    for (let k = 0; k <= callSites; k++) {
      const id = locations.length + 1;
      const line = 10 + f * 40 + 3 + k * 5;
      locations.push({
        id,
        mapping_id: 1,
        address: 0x401000 + id * 16,
        line: [{ function_id: f + 1, line }],
      });
      locationOf[f]?.push(id);
      if (k < callSites) callee[f]?.push(Math.min(functionCount - 1, f + 1 + below(200)));
    }
  }
  const stack = (): number[] => {
    const depth = 4 + below(28);
    if (shape === 'random') {
      return Array.from({ length: depth }, () => 1 + below(locations.length));
    }
    const frames: number[] = [];
    let f = below(20);
    for (let d = 0; d < depth && f < functionCount - 1; d++) {
      const site = below(callSites);
      frames.push(locationOf[f]?.[site] ?? 1);
      f = callee[f]?.[site] ?? functionCount - 1;
    }
    frames.push(locationOf[f]?.[callSites] ?? 1);
    return frames.reverse(); // leaf first
  };
  const sample = Array.from({ length: samples }, () => {
    const n = 1 + below(5);
    return { location_id: stack(), value: [n, n * 10000000] };
  });
  const type = pprofMessageType('Profile');
  const message = {
    sample_type: [
      { type: 1, unit: 2 },
      { type: 3, unit: 4 },
    ],
    sample,
    mapping: [{ id: 1, memory_start: 0x400000, memory_limit: 0x8000000, filename: 5 }],
    location: locations,
    function: functions,
    string_table: strings.map((s) => Buffer.from(s)),
    time_nanos: 1700000000000000000,
    duration_nanos: 30000000000,
    period_type: { type: 3, unit: 4 },
    period: 10000000,
  };
  return gzipSync(type.encode(type.fromObject(message)).finish());
}

/** CPU seconds (user + system) and peak RSS (MiB) of one `/usr/bin/time -v` run. */
function timed(argv: readonly string[]): { cpuS: number; rssMiB: number } {
  const r = spawnSync('/usr/bin/time', ['-v', ...argv], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  const field = (name: string): number =>
    Number(new RegExp(`${name}: ([\\d.]+)`).exec(r.stderr)?.[1]);
  return {
    cpuS: field('User time \\(seconds\\)') + field('System time \\(seconds\\)'),
    rssMiB: field('Maximum resident set size \\(kbytes\\)') / 1024,
  };
}

function main(): void {
  const samples = Number(process.argv[2] ?? 1000000);
  const shape = (process.argv[3] ?? 'callgraph') as LargeProfileShape;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-large-profile-'));
  try {
    const input = path.join(dir, 'big.pprof');
    fs.writeFileSync(input, largeProfile(samples, shape));
    const go = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
    const ours = timed(['node', CLI, 'pgo', 'preprocess', input, '-o', path.join(dir, 'out')]);
    const theirs = timed([
      path.join(go, 'bin', 'go'),
      'tool',
      'preprofile',
      '-i',
      input,
      '-o',
      path.join(dir, 'out2'),
    ]);
    const same = fs
      .readFileSync(path.join(dir, 'out'))
      .equals(fs.readFileSync(path.join(dir, 'out2')));
    const mib = (fs.statSync(input).size / 1024 / 1024).toFixed(1);
    process.stdout.write(
      `${samples} samples (${shape}, ${mib} MiB gzip): ` +
        `pgobuild ${ours.cpuS.toFixed(2)} s CPU, ${ours.rssMiB.toFixed(0)} MiB peak RSS; ` +
        `go tool preprofile ${theirs.cpuS.toFixed(2)} s CPU, ${theirs.rssMiB.toFixed(0)} MiB; ` +
        `outputs ${same ? 'identical' : 'DIFFERENT'}\n`,
    );
    if (!same) process.exitCode = 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main();
}
