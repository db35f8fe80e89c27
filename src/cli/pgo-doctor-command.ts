import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { LinkNode } from '../analysis/build-graph';
import { neutralizingFlags } from '../analysis/gc-goopts';
import { isGoBinaryRule } from '../analysis/rule-api';
import { analyze, openSession, reportFailures } from '../orchestration';
import {
  decodeProfile,
  formatProfileFailure,
  hotEdges,
  profileEdges,
  profileShape,
  profileStaleness,
  readProfileFile,
  scanDeclaredFunctions,
  type DeclaredFunctions,
  type ProfileShape,
  type Staleness,
} from '../pprof';
import { unreachable } from '../util/unreachable';
import type { CommonArgs } from './commands';
import {
  type DoctorBuilds,
  INLINE_REPORT_FLAG,
  type InlineDiffScope,
  runDoctorBuilds,
} from './doctor-builds';
import { percent, renderTable, writeJson, writeTo } from './pgo-tool-io';

const execFileAsync = promisify(execFile);

/** The rungs of the ladder, in the order they are walked. */
export type DoctorRung =
  'profile' | 'build-info' | 'flags' | 'stale-rate' | 'shape' | 'inline-diff' | 'size-growth';

/** A rung's answer: `ok`, `warn` (PGO helps less), `fail` (PGO cannot help), or not looked at. */
export type RungStatus = 'ok' | 'warn' | 'fail' | 'skipped';

/**
 * The overall verdict, the first problem in this order: no profile; a binary not built with it;
 * flags that neutralize it; an empty profile; a rotten (over 50% stale) profile; a profile that
 * changed no inlining or devirtualization decision; a microbenchmark or start-up profile; work
 * PGO cannot help; a partly stale profile; a binary over 10% larger than without PGO; healthy.
 */
export type DoctorVerdict =
  | 'pgo-off'
  | 'binary-without-profile'
  | 'neutralized'
  | 'empty'
  | 'rotten'
  | 'no-effect'
  | 'microbenchmark'
  | 'start-up'
  | 'runtime-bound'
  | 'partly-stale'
  | 'size-growth'
  | 'healthy';

/** One rung with its evidence. */
export interface RungReport {
  readonly rung: DoctorRung;
  readonly status: RungStatus;
  readonly verdict?: DoctorVerdict;
  readonly evidence: string;
}

/** Over this share of stale hot edges a profile is rotten. */
const ROTTEN = 0.5;
/** A top function over this flat share makes a microbenchmark-shaped profile. */
const MICROBENCHMARK = 0.5;
/** A profile shorter than this (seconds) is a start-up or toy profile. */
const SHORT_SECONDS = 10;
/** A PGO binary more than this share larger than its `-pgo=off` build is worth a warning. */
const SIZE_GROWTH = 0.1;
/** Call sites the inline-diff evidence names (the JSON output lists them all). */
const LISTED_CALL_SITES = 5;

/** `pgo doctor`'s own flags. */
export interface DoctorOptions {
  /** `--inline_diff`: compile all packages, or all but std, with `-m=2` on both sides; or not. */
  readonly inlineDiff: InlineDiffScope | 'off';
}

/**
 * Implements `pgobuild pgo doctor TARGET`: analyses the go_binary (as `build` would, running
 * nothing but the cached preprocessing of its profile) and walks the PGO diagnostic ladder:
 * does it have a profile, does the built binary's build info show `-pgo=`, do `-l`/`-N` flags
 * neutralize it, how much of the hot set is stale against today's sources, and the profile's
 * shape; then it builds the binary with and without its profile, as cached actions, and
 * compiles the binary's packages with `-m=2` on both sides (see {@link runDoctorBuilds}) for the
 * call sites the profile newly inlined or devirtualized and the binary's growth. Prints one row
 * per rung and a verdict. Exit 0 (whatever the verdict), 1 when those builds fail, 2 for usage
 * errors.
 */
export async function runDoctorCommand(
  c: CommonArgs,
  target: string,
  options: DoctorOptions = { inlineDiff: 'all' },
): Promise<number> {
  const s = await openSession(c);
  if (!s.ok) {
    await reportFailures(c.cwd, s.failure, c.events);
    return 2;
  }
  const session = s.value;
  // No tests: the third argument's type is changing (boolean → TestRunOptions | undefined); both
  // read undefined as "no tests".
  const noTests = undefined as unknown as Parameters<typeof analyze>[2];
  const analysed = await analyze(session, [target], noTests);
  if (!analysed.ok) {
    await reportFailures(session.root, analysed.failure, c.events);
    return 2;
  }
  const { graph, targets } = analysed.value;
  const declared = targets[0];
  const link = graph.roots
    .map((id) => graph.nodes.get(id))
    .find((n): n is LinkNode => n?.kind === 'link');
  if (
    targets.length !== 1 ||
    declared === undefined ||
    !isGoBinaryRule(declared.rule) ||
    link === undefined
  ) {
    process.stderr.write(
      `pgobuild: pgo doctor needs one go_binary target (or a target of a rule with goBinaryTransition), got ${target}\n`,
    );
    return 2;
  }
  const rungs: RungReport[] = [];
  const pgo = link.config.pgo;
  const mainNode = graph.nodes.get(link.mainNodeId);
  const flags = mainNode?.kind === 'compile' ? (mainNode.unit.gcflags ?? []) : [];

  if (pgo === undefined) {
    rungs.push({
      rung: 'profile',
      status: 'fail',
      verdict: 'pgo-off',
      evidence: `${link.owner} has no profile: pgo = "off", --pgo=off, or no default.pgo in ${declared.pkg || '.'}`,
    });
  } else {
    rungs.push({ rung: 'profile', status: 'ok', evidence: pgo.file });
  }
  rungs.push(await buildInfoRung(session.root, session.sdk.goroot, link));
  const neutral = neutralizingFlags(flags);
  rungs.push(
    neutral.length > 0
      ? {
          rung: 'flags',
          status: 'fail',
          verdict: 'neutralized',
          evidence: `the main package is compiled with ${neutral.join(' ')} (gc_goopts/--gc_goopts): no inlining, so no PGO inlining or devirtualization`,
        }
      : {
          rung: 'flags',
          status: 'ok',
          evidence: flags.length > 0 ? flags.join(' ') : 'no gc_goopts',
        },
  );

  let stale: Staleness | undefined;
  let shape: ProfileShape | undefined;
  if (pgo !== undefined) {
    const bytes = await readProfileFile(pgo.absPath, pgo.file);
    const decoded = bytes.ok ? decodeProfile(bytes.value, pgo.file) : bytes;
    const profile = decoded.ok && decoded.value !== 'empty' ? decoded.value : undefined;
    const edges = profile !== undefined ? profileEdges(profile, pgo.file) : undefined;
    if (!decoded.ok) {
      rungs.push({
        rung: 'shape',
        status: 'fail',
        verdict: 'empty',
        evidence: formatProfileFailure(decoded.failure),
      });
    } else if (
      profile === undefined ||
      edges === undefined ||
      !edges.ok ||
      edges.value.length === 0
    ) {
      rungs.push({
        rung: 'shape',
        status: 'fail',
        verdict: 'empty',
        evidence: `${pgo.file} has no samples (or no call edges): the compiler ignores it`,
      });
    } else {
      const hot = hotEdges(edges.value);
      const lookup = await workspaceDeclarations(session.root, declared.pkg);
      stale = profileStaleness(profile, hot, lookup);
      rungs.push(staleRung(stale));
      shape = profileShape(profile, edges.value);
      rungs.push(shapeRung(shape));
    }
  }
  const usable = pgo !== undefined && !rungs.some((r) => r.verdict === 'empty');
  let builds: DoctorBuilds | undefined;
  let buildFailed = false;
  if (!usable || options.inlineDiff === 'off') {
    const why =
      pgo === undefined
        ? 'no profile'
        : usable
          ? '--inline_diff=off'
          : 'the profile is empty: the compiler ignores it';
    rungs.push({ rung: 'inline-diff', status: 'skipped', evidence: why });
    rungs.push({ rung: 'size-growth', status: 'skipped', evidence: why });
  } else {
    const built = await runDoctorBuilds(
      session,
      c,
      declared,
      link,
      graph.nodes,
      options.inlineDiff,
    );
    if (built.ok) {
      builds = built.value;
      rungs.push(inlineDiffRung(builds, options.inlineDiff), sizeRung(builds));
    } else {
      buildFailed = built.failure === 'build-failed';
      const why =
        built.failure === 'build-failed'
          ? 'the builds failed (the errors are above)'
          : `${link.owner} could not be analysed without its profile`;
      rungs.push({ rung: 'inline-diff', status: 'skipped', evidence: why });
      rungs.push({ rung: 'size-growth', status: 'skipped', evidence: why });
    }
  }

  const verdict = overallVerdict(rungs);
  if (c.output === 'json') {
    await writeJson(process.stdout, {
      command: 'pgo doctor',
      target: link.owner,
      profile: pgo?.file ?? null,
      verdict,
      rungs,
      ...(stale !== undefined ? { staleness: stale } : {}),
      ...(shape !== undefined ? { shape } : {}),
      ...(builds !== undefined
        ? { inlineDiff: inlineDiffJson(builds, options), size: builds.size }
        : {}),
    });
  } else {
    const table = renderTable(
      ['rung', 'status', 'evidence'],
      rungs.map((r) => [r.rung, r.status, r.evidence]),
    );
    await writeTo(process.stdout, `${table}Verdict for ${link.owner}: ${verdict}\n`);
  }
  return buildFailed ? 1 : 0;
}

/** The first problem, in the order {@link DoctorVerdict} documents. */
export function overallVerdict(rungs: readonly RungReport[]): DoctorVerdict {
  const order: DoctorVerdict[] = [
    'pgo-off',
    'binary-without-profile',
    'neutralized',
    'empty',
    'rotten',
    'no-effect',
    'microbenchmark',
    'start-up',
    'runtime-bound',
    'partly-stale',
    'size-growth',
  ];
  for (const v of order) if (rungs.some((r) => r.verdict === v)) return v;
  return 'healthy';
}

async function buildInfoRung(root: string, goroot: string, link: LinkNode): Promise<RungReport> {
  if (link.outputPath === undefined)
    return { rung: 'build-info', status: 'skipped', evidence: 'no output path' };
  const binary = path.join(root, link.outputPath);
  if (!fs.existsSync(binary))
    return {
      rung: 'build-info',
      status: 'skipped',
      evidence: `${link.outputPath} is not built yet (pgobuild build ${link.owner})`,
    };
  let out: string;
  try {
    out = (await execFileAsync(path.join(goroot, 'bin', 'go'), ['version', '-m', binary])).stdout;
  } catch (e) {
    return {
      rung: 'build-info',
      status: 'skipped',
      evidence: `go version -m failed: ${String(e)}`,
    };
  }
  const line = out.split('\n').find((l) => /^\s*build\s+-pgo=/.test(l));
  const expected = link.config.pgo?.basename;
  if (line === undefined) {
    return expected === undefined
      ? {
          rung: 'build-info',
          status: 'ok',
          evidence: `${link.outputPath}: no -pgo= (built without a profile, as configured)`,
        }
      : {
          rung: 'build-info',
          status: 'fail',
          verdict: 'binary-without-profile',
          evidence: `${link.outputPath} has no -pgo= in its build info: it was built without the profile (rebuild it)`,
        };
  }
  return {
    rung: 'build-info',
    status: 'ok',
    evidence: `${link.outputPath}: ${line.trim().replace(/^build\s+/, '')}`,
  };
}

function staleRung(s: Staleness): RungReport {
  const examples = s.staleFunctions
    .slice(0, 3)
    .map((f) =>
      f.why === 'missing'
        ? `${f.name} (gone)`
        : `${f.name} (func at line ${f.profileLine} in the profile, ${f.sourceLines.join(',')} now)`,
    )
    .join('; ');
  const evidence =
    `${s.staleEdges} of ${s.checkedEdges} hot edges (${percent(s.rate)}) and ${s.staleFunctions.length} of ${s.checkedFunctions} hot workspace functions no longer match the source` +
    (examples === '' ? '' : `: ${examples}`);
  if (s.checkedEdges === 0)
    return {
      rung: 'stale-rate',
      status: 'ok',
      evidence: 'no hot edge touches a workspace function',
    };
  if (s.rate > ROTTEN) return { rung: 'stale-rate', status: 'fail', verdict: 'rotten', evidence };
  if (s.staleEdges > 0)
    return { rung: 'stale-rate', status: 'warn', verdict: 'partly-stale', evidence };
  return { rung: 'stale-rate', status: 'ok', evidence };
}

function shapeRung(shape: ProfileShape): RungReport {
  const top = shape.topFunction;
  const evidence =
    `${shape.hotEdges} of ${shape.edges} edges hot, ${shape.durationSeconds.toFixed(1)} s, ` +
    `top ${top === undefined ? '-' : `${top.name} ${percent(top.share)}`}, ` +
    `init ${percent(shape.initShare)}, GC ${percent(shape.gcShare)}, syscalls ${percent(shape.syscallShare)}, cgo ${percent(shape.cgoShare)}`;
  const verdict: DoctorVerdict | undefined =
    top !== undefined && top.share > MICROBENCHMARK
      ? 'microbenchmark'
      : (shape.durationSeconds > 0 && shape.durationSeconds < SHORT_SECONDS) ||
          shape.initShare > 0.5
        ? 'start-up'
        : shape.gcShare + shape.syscallShare + shape.cgoShare > 0.5
          ? 'runtime-bound'
          : undefined;
  return verdict === undefined
    ? { rung: 'shape', status: 'ok', evidence }
    : {
        rung: 'shape',
        status: 'warn',
        verdict,
        evidence: `${describeShape(verdict)}: ${evidence}`,
      };
}

/** The inline-diff rung: what the profile newly inlined or devirtualized, or "empty". */
export function inlineDiffRung(b: DoctorBuilds, scope: InlineDiffScope): RungReport {
  const diff = b.diff;
  const inlined = diff.gained.filter((d) => d.kind === 'inlined');
  const devirtualized = diff.gained.filter((d) => d.kind === 'devirtualized');
  const where = `${b.packages} packages compiled with ${INLINE_REPORT_FLAG} with and without the profile (${scope === 'all' ? 'standard library included' : 'not the standard library: --inline_diff=all includes it'})`;
  const cut =
    b.truncated.length === 0
      ? ''
      : `; output cut at the output cap for ${b.truncated.join(', ')}, so their lists are partial`;
  if (diff.gained.length === 0)
    return {
      rung: 'inline-diff',
      status: 'warn',
      verdict: 'no-effect',
      evidence: `empty: the profile changed no inlining or devirtualization decision in the ${where}${cut}`,
    };
  const listed = diff.gained
    .slice(0, LISTED_CALL_SITES)
    .map((d) => `${d.pos} ${d.kind === 'inlined' ? 'inlines' : 'devirtualizes to'} ${d.callee}`)
    .join('; ');
  const more = diff.gained.length > LISTED_CALL_SITES ? '; …' : '';
  return {
    rung: 'inline-diff',
    status: 'ok',
    evidence: `${inlined.length} call ${inlined.length === 1 ? 'site' : 'sites'} newly inlined, ${devirtualized.length} devirtualized, ${diff.lost.length} no longer inlined, in the ${where}${cut}: ${listed}${more}`,
  };
}

function inlineDiffJson(b: DoctorBuilds, options: DoctorOptions): object {
  const diff = b.diff;
  return {
    scope: options.inlineDiff,
    packages: b.packages,
    inlined: diff.gained.filter((d) => d.kind === 'inlined'),
    devirtualized: diff.gained.filter((d) => d.kind === 'devirtualized'),
    noLongerInlined: diff.lost,
    truncated: b.truncated,
  };
}

/** The size rung: the binary against its `-pgo=off` build, a warning over 10% larger. */
export function sizeRung(b: DoctorBuilds): RungReport {
  const growth = b.size.withProfile / b.size.without - 1;
  const evidence = `${b.size.withProfile} bytes with the profile, ${b.size.without} with -pgo=off: ${growth >= 0 ? '+' : ''}${percent(growth)}`;
  return b.size.withProfile > b.size.without * (1 + SIZE_GROWTH)
    ? {
        rung: 'size-growth',
        status: 'warn',
        verdict: 'size-growth',
        evidence: `over ${percent(SIZE_GROWTH)} larger: ${evidence}`,
      }
    : { rung: 'size-growth', status: 'ok', evidence };
}

function describeShape(v: DoctorVerdict): string {
  switch (v) {
    case 'microbenchmark':
      return 'one function dominates (a microbenchmark profile?)';
    case 'start-up':
      return 'short or start-up profile';
    case 'runtime-bound':
      return 'mostly GC, system calls or cgo, which PGO cannot speed up';
    case 'pgo-off':
    case 'binary-without-profile':
    case 'neutralized':
    case 'empty':
    case 'rotten':
    case 'no-effect':
    case 'partly-stale':
    case 'size-growth':
    case 'healthy':
      return v;
    default:
      return unreachable(v);
  }
}

/**
 * The declared functions of a workspace package, by the import path the profile names it with:
 * `main` is the binary's own package; other paths are mapped to directories through the module
 * of the binary (its nearest go.mod). A workspace package whose directory is gone declares
 * nothing (so its functions are stale); packages outside the module are not checked.
 */
async function workspaceDeclarations(
  root: string,
  binaryPkg: string,
): Promise<(pkg: string) => DeclaredFunctions | undefined> {
  let modDir = path.join(root, binaryPkg);
  let modulePath: string | undefined;
  for (;;) {
    const gomod = path.join(modDir, 'go.mod');
    if (fs.existsSync(gomod)) {
      modulePath = /^module\s+(\S+)/m.exec(fs.readFileSync(gomod, 'utf8'))?.[1];
      break;
    }
    if (modDir === root || path.dirname(modDir) === modDir) break;
    modDir = path.dirname(modDir);
  }
  const cache = new Map<string, DeclaredFunctions | undefined>();
  const read = (dir: string): DeclaredFunctions => {
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'));
    } catch {
      names = [];
    }
    return scanDeclaredFunctions(names.map((n) => fs.readFileSync(path.join(dir, n), 'utf8')));
  };
  return (pkg) => {
    if (cache.has(pkg)) return cache.get(pkg);
    let result: DeclaredFunctions | undefined;
    if (pkg === 'main') result = read(path.join(root, binaryPkg));
    else if (modulePath !== undefined && (pkg === modulePath || pkg.startsWith(`${modulePath}/`)))
      result = read(path.join(modDir, pkg.slice(modulePath.length)));
    cache.set(pkg, result);
    return result;
  };
}
