import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  decodeProfile,
  encodeProfile,
  formatProfileFailure,
  parseRenameMapping,
  profileFailure,
  readProfileFile,
  renameFunctions,
  unmatchedMappingHint,
  type RenameMapping,
  type RenameResult,
} from '../pprof';
import { writeFileAtomically } from '../util/atomic-write';
import { err, ok, type Result } from '../util/result';
import { renderTable, writeJson, writeTo, type PgoToolIo } from './pgo-tool-io';

/** The arguments of `pgobuild pgo rename`. */
export interface RenameCommandArgs {
  readonly input: string;
  readonly output: string;
  /** `--map OLD=NEW`, repeatable. */
  readonly maps: readonly string[];
  /** `--map-file F`: one OLD=NEW per line, `#` comments. */
  readonly mapFile: string | undefined;
}

/**
 * Implements `pgobuild pgo rename -i IN -o OUT --map OLD=NEW… [--map-file F]`: rewrites function
 * names after a refactor (the matching rules are in src/pprof/rename-functions.ts and README),
 * keeps every sample, writes a gzip profile atomically, and reports what each mapping renamed.
 * A mapping that matched nothing is a warning; malformed mappings or profiles exit 2.
 */
export async function runRenameCommand(args: RenameCommandArgs, io: PgoToolIo): Promise<number> {
  const mappings = await readMappings(args, io.cwd);
  if (!mappings.ok) {
    await writeTo(io.stderr, `pgobuild: ${mappings.failure}\n`);
    return 2;
  }
  const bytes = await readProfileFile(path.resolve(io.cwd, args.input), args.input);
  const decoded = bytes.ok ? decodeProfile(bytes.value, args.input) : bytes;
  if (!decoded.ok) {
    await writeTo(io.stderr, `${formatProfileFailure(decoded.failure)}\n`);
    return 2;
  }
  if (decoded.value === 'empty') {
    const f = profileFailure('profile-empty', args.input, 'the file is empty; nothing to rename');
    await writeTo(io.stderr, `${formatProfileFailure(f)}\n`);
    return 2;
  }
  const result = renameFunctions(decoded.value, mappings.value);
  const warnings: string[] = [];
  for (const [i, m] of result.mappings.entries()) {
    if (m.functions > 0) continue;
    const hint = unmatchedMappingHint(decoded.value, mappings.value[i] as RenameMapping);
    warnings.push(
      `--map ${m.spec} matched no function of ${args.input}${hint === undefined ? '' : ` (${hint})`}`,
    );
  }
  try {
    await writeFileAtomically(path.resolve(io.cwd, args.output), encodeProfile(result.profile));
  } catch (e) {
    await writeTo(io.stderr, `${args.output}: cannot write the renamed profile: ${String(e)}\n`);
    return 2;
  }
  for (const w of warnings) await writeTo(io.stderr, `warning: ${w}\n`);
  await report(result, args, warnings, io);
  return 0;
}

async function report(
  result: RenameResult,
  args: RenameCommandArgs,
  warnings: readonly string[],
  io: PgoToolIo,
): Promise<void> {
  const samples = result.profile.samples.length;
  if (io.output === 'json') {
    await writeJson(io.stdout, {
      command: 'pgo rename',
      input: args.input,
      output: args.output,
      samples,
      renamedFunctions: result.renamedFunctions,
      mappings: result.mappings,
      warnings,
    });
    return;
  }
  const rows = result.mappings.map((m) => [
    m.spec,
    m.kind,
    String(m.functions),
    String(m.samples),
    m.examples[0] ?? '',
  ]);
  const table = renderTable(['mapping', 'kind', 'functions', 'samples', 'example'], rows, [
    'functions',
    'samples',
  ]);
  await writeTo(
    io.stdout,
    `${table}Wrote ${args.output}: ${result.renamedFunctions} functions renamed, all ${samples} samples kept\n`,
  );
}

/** The mappings of `--map` and `--map-file`, each failure naming its argument or file:line. */
async function readMappings(
  args: RenameCommandArgs,
  cwd: string,
): Promise<Result<RenameMapping[], string>> {
  const out: RenameMapping[] = [];
  const seen = new Map<string, string>();
  const add = (spec: string, where: string): string | undefined => {
    const m = parseRenameMapping(spec);
    if (!m.ok) return `${where}: ${m.failure}`;
    const before = seen.get(m.value.from);
    if (before !== undefined)
      return `${where}: OLD "${m.value.from}" is already mapped by ${before}`;
    seen.set(m.value.from, where);
    out.push(m.value);
    return undefined;
  };
  for (const spec of args.maps) {
    const bad = add(spec, `--map ${spec}`);
    if (bad !== undefined) return err(bad);
  }
  if (args.mapFile !== undefined) {
    let text: string;
    try {
      text = await readFile(path.resolve(cwd, args.mapFile), 'utf8');
    } catch (e) {
      return err(`--map-file ${args.mapFile}: cannot read: ${(e as Error).message}`);
    }
    const lines = text.split('\n');
    for (const [i, raw] of lines.entries()) {
      const line = raw.replace(/#.*$/, '').trim();
      if (line === '') continue;
      const bad = add(line, `${args.mapFile}:${i + 1}`);
      if (bad !== undefined) return err(`${bad}\n    ${raw}\n    ${'^'.padEnd(raw.length, '~')}`);
    }
  }
  if (out.length === 0)
    return err('no mapping: give --map OLD=NEW (repeatable) or --map-file FILE');
  return ok(out);
}
