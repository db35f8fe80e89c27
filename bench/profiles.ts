/**
 * Decode + preprocess of real profiles: ours in-process (as the build does it) versus the SDK's
 * `preprofile` tool run as a process (as cmd/go does it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { preprocessProfileBytes } from '../src/pprof';
import { REPO, median } from './common';

/** Timings per profile. */
export interface PreprocessResult {
  readonly profiles: {
    readonly name: string;
    readonly bytes: number;
    readonly oursMs: number;
    readonly goMs: number;
  }[];
}

/** Every corpus CPU profile plus the Go compiler's own default.pgo. */
function profiles(): { name: string; file: string }[] {
  const corpus = path.join(REPO, 'test', 'fixtures', 'profiles');
  const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
  return [
    ...fs
      .readdirSync(corpus)
      .filter((f) => f.endsWith('.cpu.pprof'))
      .sort()
      .map((f) => ({ name: f, file: path.join(corpus, f) })),
    { name: 'cmd/compile/default.pgo', file: path.join(goroot, 'src/cmd/compile/default.pgo') },
  ];
}

/** Measures each profile `runs` times on both sides, interleaved. */
export async function measurePreprocessing(runs: number): Promise<PreprocessResult> {
  const toolDir = execFileSync('go', ['env', 'GOTOOLDIR'], { encoding: 'utf8' }).trim();
  const preprofile = path.join(toolDir, 'preprofile');
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-prep-')), 'out');
  const result: PreprocessResult['profiles'] = [];
  for (const { name, file } of profiles()) {
    const bytes = fs.readFileSync(file);
    preprocessProfileBytes(bytes, name); // warm-up (JIT, protobufjs types)
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = process.hrtime.bigint();
      const r = preprocessProfileBytes(fs.readFileSync(file), name);
      ours.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (!r.ok) throw new Error(`${name}: ${r.failure.message}`);
      const t1 = process.hrtime.bigint();
      const g = spawnSync(preprofile, ['-i', file, '-o', out]);
      theirs.push(Number(process.hrtime.bigint() - t1) / 1e6);
      if (g.status !== 0) throw new Error(`preprofile ${name}: ${g.stderr.toString()}`);
    }
    result.push({ name, bytes: bytes.length, oursMs: median(ours), goMs: median(theirs) });
    process.stderr.write(
      `preprocess ${name}: ours ${median(ours).toFixed(1)} ms, preprofile ${median(theirs).toFixed(1)} ms\n`,
    );
  }
  return { profiles: result };
}
