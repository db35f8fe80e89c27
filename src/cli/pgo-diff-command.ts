import * as path from 'node:path';
import {
  decodeProfile,
  diffFlameGraphHtml,
  diffProfiles,
  formatProfileFailure,
  pprofPercentage,
  pprofValueFormatter,
  profileFailure,
  readProfileFile,
  type PprofProfile,
  type ProfileDiff,
  type ProfileFailure,
} from '../pprof';
import { writeFileAtomically } from '../util/atomic-write';
import { err, ok, type Result } from '../util/result';
import { writeJson, writeTo, type PgoToolIo } from './pgo-tool-io';

/** The arguments of `pgobuild pgo diff`. */
export interface DiffCommandArgs {
  readonly base: string;
  readonly next: string;
  /** Rows to print (0: all kept rows, as `pprof -top`). */
  readonly top: number;
  /** `--html OUT`: also write the differential flame graph page. */
  readonly html: string | undefined;
}

async function load(file: string, cwd: string): Promise<Result<PprofProfile, ProfileFailure>> {
  const bytes = await readProfileFile(path.resolve(cwd, file), file);
  const decoded = bytes.ok ? decodeProfile(bytes.value, file) : bytes;
  if (!decoded.ok) return decoded;
  if (decoded.value === 'empty')
    return err(profileFailure('profile-empty', file, 'the file is empty; nothing to compare'));
  return ok(decoded.value);
}

/**
 * Implements `pgobuild pgo diff BASE NEW [--top N] [--html OUT]`: the differential view of
 * `go tool pprof -top -diff_base=BASE NEW` (flat and cum changes per function, percentages of
 * BASE's total, pprof's node cutoff and order), and optionally a self-contained HTML page with a
 * differential flame graph. Returns 0, or 2 for a profile that cannot be read or compared.
 */
export async function runDiffCommand(args: DiffCommandArgs, io: PgoToolIo): Promise<number> {
  if (!Number.isInteger(args.top) || args.top < 0) {
    await writeTo(io.stderr, `pgobuild: --top ${args.top}: expected a whole number >= 0\n`);
    return 2;
  }
  const base = await load(args.base, io.cwd);
  const next = base.ok ? await load(args.next, io.cwd) : base;
  if (!base.ok || !next.ok) {
    const failure = !base.ok ? base.failure : !next.ok ? next.failure : undefined;
    if (failure !== undefined) await writeTo(io.stderr, `${formatProfileFailure(failure)}\n`);
    return 2;
  }
  const diff = diffProfiles(base.value, next.value, { base: args.base, next: args.next });
  if (!diff.ok) {
    await writeTo(io.stderr, `${formatProfileFailure(diff.failure)}\n`);
    return 2;
  }
  if (args.html !== undefined) {
    try {
      const title = `${args.base} → ${args.next}`;
      await writeFileAtomically(
        path.resolve(io.cwd, args.html),
        diffFlameGraphHtml(diff.value, title),
      );
    } catch (e) {
      await writeTo(io.stderr, `${args.html}: cannot write the flame graph: ${String(e)}\n`);
      return 2;
    }
  }
  await report(diff.value, args, io);
  return 0;
}

async function report(diff: ProfileDiff, args: DiffCommandArgs, io: PgoToolIo): Promise<void> {
  const rows = args.top > 0 ? diff.rows.slice(0, args.top) : diff.rows;
  let sum = 0;
  const withSums = rows.map((r) => {
    sum += r.flat;
    return { ...r, sum };
  });
  const shown = diff.rows.reduce((s, r) => s + r.flat, 0);
  if (io.output === 'json') {
    await writeJson(io.stdout, {
      command: 'pgo diff',
      base: args.base,
      new: args.next,
      sampleType: `${diff.sampleType.type}/${diff.sampleType.unit}`,
      total: diff.total,
      baseTotal: diff.baseTotal,
      newTotal: diff.newTotal,
      shown,
      dropped: diff.dropped,
      droppedCutoff: diff.droppedCutoff,
      rows: withSums.map((r) => ({
        name: r.name,
        flat: r.flat,
        flatShare: diff.total > 0 ? r.flat / diff.total : 0,
        sumShare: diff.total > 0 ? r.sum / diff.total : 0,
        cum: r.cum,
        cumShare: diff.total > 0 ? r.cum / diff.total : 0,
        inline: r.inline,
      })),
      ...(args.html !== undefined ? { html: args.html } : {}),
    });
    return;
  }
  const fmt = pprofValueFormatter(diff);
  const lines = [
    `Type: ${diff.sampleType.type}, ${args.base} → ${args.next}`,
    `Showing nodes accounting for ${fmt(shown)}, ${pprofPercentage(shown, diff.total).trim()} of ${fmt(diff.total)} total`,
  ];
  if (diff.dropped > 0)
    lines.push(`Dropped ${diff.dropped} nodes (cum <= ${fmt(diff.droppedCutoff)})`);
  if (rows.length < diff.rows.length)
    lines.push(`Showing top ${rows.length} nodes out of ${diff.rows.length} (--top 0 for all)`);
  lines.push(
    `${'flat'.padStart(10)} ${'flat'.padStart(5)}% ${'sum'.padStart(5)}% ${'cum'.padStart(10)} ${'cum'.padStart(5)}%`,
  );
  for (const r of withSums) {
    const inl = r.inline === '' ? '' : ` ${r.inline}`;
    lines.push(
      `${fmt(r.flat).padStart(10)} ${pprofPercentage(r.flat, diff.total)} ${pprofPercentage(r.sum, diff.total)} ${fmt(r.cum).padStart(10)} ${pprofPercentage(r.cum, diff.total)}  ${r.name}${inl}`,
    );
  }
  if (args.html !== undefined) lines.push(`Wrote ${args.html}: differential flame graph`);
  await writeTo(io.stdout, `${lines.join('\n')}\n`);
}
