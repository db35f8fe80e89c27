/**
 * Decode + preprocess of real profiles: ours in-process (as the build does it) versus the SDK's
 * `preprofile` tool run as a process (as cmd/go does it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { preprocessProfileBytes } from '../src/pprof';
import { CLI, REPO, median } from './common';

/** Timings per profile. */
export interface PreprocessResult {
  /** The machine's 1-minute load average, sampled before and after each profile's runs. */
  readonly loadAverage1m: { readonly min: number; readonly median: number; readonly max: number };
  readonly profiles: {
    readonly name: string;
    readonly bytes: number;
    /** `pgobuild pgo preprocess` as one process (cold JIT: how a build meets a new profile). */
    readonly oursProcessMs: number;
    /** The SDK's `preprofile` tool as one process, as cmd/go runs it. */
    readonly goMs: number;
    /**
     * Ours as a cold build meets a new profile: in a fresh process whose JIT has not seen the
     * decoder, from loading the pprof modules (protobufjs included, which a build loads only for
     * a profile) to the preprocessed bytes written; Node's own start-up is not in it, since the
     * build's process is already running.
     */
    readonly oursColdInProcessMs: number;
    /** Ours inside a warmed process (a profiling aid, not a figure to compare). */
    readonly oursWarmMs: number;
    /**
     * `node -e 0` in the same rounds: Node's own start-up, which every one-shot run of ours pays
     * before any of our code (the floor under `oursProcessMs`; on a loaded machine it moves too).
     */
    readonly nodeFloorMs: number;
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

/** Wall time of a process, throwing with its stderr when it fails. */
function timedProcess(cmd: string, args: readonly string[], what: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${what}: ${r.stderr.toString()}`);
  return ms;
}

/**
 * Times, in a fresh Node process, what a cold build's process does on meeting a profile: load
 * the pprof modules, read, decode and preprocess it, write the result. Returns the ms it reports.
 */
function coldInProcessMs(file: string, out: string, name: string): number {
  const pprof = path.join(REPO, 'dist', 'src', 'pprof');
  const script = `
    const t0 = process.hrtime.bigint();
    const fs = require('node:fs');
    const r = require(${JSON.stringify(pprof)}).preprocessProfileBytes(fs.readFileSync(process.argv[1]), process.argv[1]);
    if (!r.ok) { process.stderr.write(r.failure.message); process.exit(1); }
    fs.writeFileSync(process.argv[2], r.value);
    process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));`;
  const r = spawnSync(process.execPath, ['-e', script, file, out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cold in-process preprocess of ${name}: ${r.stderr}`);
  return Number(r.stdout);
}

/** Measures each profile `runs` times on both sides, interleaved. */
export async function measurePreprocessing(runs: number): Promise<PreprocessResult> {
  const toolDir = execFileSync('go', ['env', 'GOTOOLDIR'], { encoding: 'utf8' }).trim();
  const preprofile = path.join(toolDir, 'preprofile');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-prep-'));
  const out = path.join(dir, 'out');
  const ours = path.join(dir, 'ours');
  const result: PreprocessResult['profiles'] = [];
  const loads: number[] = [os.loadavg()[0] as number];
  for (const { name, file } of profiles()) {
    const bytes = fs.readFileSync(file);
    preprocessProfileBytes(bytes, name); // warm-up (JIT, protobufjs types)
    const warm: number[] = [];
    const oneShot: number[] = [];
    const coldInProcess: number[] = [];
    const theirs: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = process.hrtime.bigint();
      const r = preprocessProfileBytes(fs.readFileSync(file), name);
      warm.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (!r.ok) throw new Error(`${name}: ${r.failure.message}`);
      oneShot.push(
        timedProcess(
          process.execPath,
          [CLI, 'pgo', 'preprocess', file, '-o', ours],
          `pgobuild pgo preprocess ${name}`,
        ),
      );
      coldInProcess.push(coldInProcessMs(file, ours, name));
      theirs.push(timedProcess(preprofile, ['-i', file, '-o', out], `preprofile ${name}`));
      floor.push(timedProcess(process.execPath, ['-e', '0'], 'node -e 0'));
    }
    loads.push(os.loadavg()[0] as number);
    if (!fs.readFileSync(ours).equals(fs.readFileSync(out)))
      throw new Error(`${name}: our preprocessed profile differs from preprofile's`);
    result.push({
      name,
      bytes: bytes.length,
      oursProcessMs: median(oneShot),
      oursColdInProcessMs: median(coldInProcess),
      goMs: median(theirs),
      oursWarmMs: median(warm),
      nodeFloorMs: median(floor),
    });
    process.stderr.write(
      `preprocess ${name}: ours ${median(oneShot).toFixed(1)} ms (one process; ${median(coldInProcess).toFixed(1)} ms in a cold process; ${median(warm).toFixed(1)} ms warmed in-process), preprofile ${median(theirs).toFixed(1)} ms, node -e 0 ${median(floor).toFixed(1)} ms\n`,
    );
  }
  return {
    loadAverage1m: { min: Math.min(...loads), median: median(loads), max: Math.max(...loads) },
    profiles: result,
  };
}
