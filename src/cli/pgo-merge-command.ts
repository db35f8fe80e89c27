import * as path from 'node:path';
import {
  decodeProfile,
  encodeProfile,
  formatProfileFailure,
  mergeProfiles,
  pgoValueIndex,
  profileFailure,
  profileEdges,
  readProfileFile,
  type MergeInput,
  type MergeResult,
} from '../pprof';
import { writeFileAtomically } from '../util/atomic-write';
import { err, ok, type Result } from '../util/result';
import { percent, renderTable, writeJson, writeTo, type PgoToolIo } from './pgo-tool-io';

/** The arguments of `pgobuild pgo merge`. */
export interface MergeCommandArgs {
  readonly inputs: readonly string[];
  readonly output: string;
  /** `--weight FILE=W`, repeatable. */
  readonly weights: readonly string[];
  readonly normalize: boolean;
}

/**
 * Implements `pgobuild pgo merge IN… -o OUT [--weight FILE=W] [--normalize]`: decodes every
 * input, merges them as `go tool pprof -proto` does (with the optional scaling), checks that the
 * result is a usable PGO profile, writes it gzip-compressed and atomically, and reports each
 * input's share. Returns 0, or 2 after printing what was wrong.
 */
export async function runMergeCommand(args: MergeCommandArgs, io: PgoToolIo): Promise<number> {
  const weights = parseWeights(args.weights, args.inputs);
  if (!weights.ok) {
    await writeTo(io.stderr, `pgobuild: ${weights.failure}\n`);
    return 2;
  }
  const inputs: MergeInput[] = [];
  for (const file of args.inputs) {
    const bytes = await readProfileFile(path.resolve(io.cwd, file), file);
    const decoded = bytes.ok ? decodeProfile(bytes.value, file) : bytes;
    if (!decoded.ok) {
      await writeTo(io.stderr, `${formatProfileFailure(decoded.failure)}\n`);
      return 2;
    }
    const profile = decoded.value;
    if (
      profile !== 'empty' &&
      profile.samples.length > 0 &&
      pgoValueIndex(profile.sampleTypes) < 0
    ) {
      const types = profile.sampleTypes.map((t) => `${t.type}/${t.unit}`).join(' ');
      const failure = profileFailure(
        'profile-not-cpu',
        file,
        `sample types are [${types}]; expected samples/count or cpu/nanoseconds`,
      );
      await writeTo(io.stderr, `${formatProfileFailure(failure)}\n`);
      return 2;
    }
    inputs.push({ profile, file, weight: weights.value.get(file) ?? 1 });
  }
  const merged = mergeProfiles(inputs, { normalize: args.normalize });
  const usable = merged.ok ? profileEdges(merged.value.profile, args.output) : merged;
  if (!merged.ok || !usable.ok) {
    const failure = !merged.ok ? merged.failure : !usable.ok ? usable.failure : undefined;
    if (failure !== undefined) await writeTo(io.stderr, `${formatProfileFailure(failure)}\n`);
    return 2;
  }
  try {
    await writeFileAtomically(
      path.resolve(io.cwd, args.output),
      encodeProfile(merged.value.profile),
    );
  } catch (e) {
    await writeTo(io.stderr, `${args.output}: cannot write the merged profile: ${String(e)}\n`);
    return 2;
  }
  await report(merged.value, args.output, usable.value.length, io);
  return 0;
}

async function report(
  merged: MergeResult,
  output: string,
  edges: number,
  io: PgoToolIo,
): Promise<void> {
  if (io.output === 'json') {
    await writeJson(io.stdout, {
      command: 'pgo merge',
      output,
      total: merged.total,
      samples: merged.profile.samples.length,
      edges,
      durationNanos: merged.profile.durationNanos,
      inputs: merged.inputs,
    });
    return;
  }
  const rows = merged.inputs.map((i) => [
    i.file,
    String(i.samples),
    String(i.total),
    formatFactor(i.factor),
    percent(i.share),
    `${(Number(i.durationNanos) / 1e9).toFixed(1)}s`,
  ]);
  const table = renderTable(['input', 'samples', 'total', 'factor', 'share', 'duration'], rows, [
    'samples',
    'total',
    'factor',
    'share',
    'duration',
  ]);
  await writeTo(
    io.stdout,
    `${table}Wrote ${output}: ${merged.profile.samples.length} samples, total ${merged.total}, ${edges} call edges\n`,
  );
}

function formatFactor(f: number): string {
  return Number.isInteger(f) ? String(f) : f.toFixed(3);
}

/** Parses `FILE=W` pairs; FILE must be one of the inputs as typed, W a positive number. */
function parseWeights(
  specs: readonly string[],
  inputs: readonly string[],
): Result<Map<string, number>, string> {
  const weights = new Map<string, number>();
  for (const spec of specs) {
    const eq = spec.lastIndexOf('=');
    const file = eq < 0 ? '' : spec.slice(0, eq);
    const text = eq < 0 ? '' : spec.slice(eq + 1);
    const w = Number(text);
    if (eq < 0 || text.trim() === '' || !Number.isFinite(w) || w <= 0) {
      return err(
        `--weight ${spec}: expected FILE=W with W a positive number, e.g. --weight a.pprof=2`,
      );
    }
    if (!inputs.includes(file)) {
      return err(`--weight ${spec}: ${file} is not one of the inputs (${inputs.join(', ')})`);
    }
    weights.set(file, w);
  }
  return ok(weights);
}
