import { spawn } from 'node:child_process';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { AnalysisFailure, BuildNode, DeclaredTarget, TestRunOptions } from '../analysis';
import { listAttr } from '../analysis';
import {
  ExplainLog,
  type Session,
  type SessionOptions,
  analyze,
  execute,
  openSession,
  reportFailures,
} from '../orchestration';
import { describe } from '../orchestration/build-runner';
import type { RemoteCacheSummary } from '../events';
import { type Result, err, ok } from '../util';
import { labelOf, parseLabel, parseTargetPattern, shortLabel } from '../workspace';
import { EventRecorder, forgetUpToDate, recordUpToDate } from '../orchestration/up-to-date';
import { interruptedBy, signalExitCode } from '../exec/interrupt';
import type { TestFlags } from './test-flags';
import { TestOutputFilter } from './test-output-filter';

/** What every command receives from the CLI layer. */
export interface CommonArgs extends SessionOptions {
  readonly output: 'human' | 'json';
  /** `--verbose`: longer human output (explain lists cached actions too). */
  readonly verbose?: boolean;
}

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

async function session(args: CommonArgs): Promise<Session | number> {
  const s = await openSession(args);
  if (!s.ok) {
    await reportFailures(args.cwd, s.failure, args.events);
    return EXIT_USAGE;
  }
  return s.value;
}

/** Analyses and runs; shared by build, test and run. */
async function buildAndRun(
  args: CommonArgs,
  patterns: readonly string[],
  command: 'build' | 'test' | 'run',
  /** For `test`: how the test binaries run. */
  tests?: TestRunOptions,
): Promise<{
  code: number;
  session?: Session;
  nodes?: ReadonlyMap<string, BuildNode>;
  roots?: readonly string[];
  targets?: DeclaredTarget[];
}> {
  const started = Date.now();
  args.events.emit({ type: 'command-started', command, patterns, jobs: args.jobs });
  const recorder = command === 'build' ? new EventRecorder(args.events) : undefined;
  if (recorder !== undefined) args = { ...args, events: recorder };
  const s = await session(args);
  if (typeof s === 'number') {
    args.events.emit({
      type: 'command-finished',
      exitCode: s,
      executed: 0,
      cached: 0,
      failed: 1,
      durationMs: Date.now() - started,
      spawns: 0,
    });
    return { code: s };
  }
  // This command rewrites the explain log and outputs: an earlier null build's answer no longer
  // stands for "the last build".
  forgetUpToDate(s.root);
  const analysed = await analyze(
    s,
    patterns,
    command === 'test' ? (tests ?? { args: [] }) : undefined,
  );
  await reportFailures(
    s.root,
    s.graphBuilder.warnings.map((d) => ({
      reason: 'missing-dep' as const,
      message: d.message,
      diagnostic: d,
    })),
    args.events,
  );
  if (!analysed.ok) {
    await reportFailures(s.root, analysed.failure, args.events);
    args.events.emit({
      type: 'command-finished',
      exitCode: EXIT_USAGE,
      executed: 0,
      cached: 0,
      failed: analysed.failure.length,
      durationMs: Date.now() - started,
      spawns: 0,
    });
    return { code: EXIT_USAGE };
  }
  const { graph, targets } = analysed.value;
  args.events.emit({
    type: 'analysis-finished',
    targets: targets.length,
    actions: graph.nodes.size,
    durationMs: Date.now() - started,
  });
  const summary = await execute(s, graph, args);
  // A build stopped by a signal exits as shells report it (130 for Ctrl-C), not as a failure.
  const interrupted = interruptedBy(args.signal);
  const code =
    interrupted !== undefined ? signalExitCode(interrupted) : summary.ok ? EXIT_OK : EXIT_FAILURE;
  const executed = summary.executed + s.pgo.executed;
  args.events.emit({
    type: 'command-finished',
    exitCode: code,
    executed,
    cached: summary.cached + s.pgo.cached,
    failed: summary.failed,
    durationMs: Date.now() - started,
    spawns: summary.spawns,
    ...(interrupted !== undefined ? { interrupted } : {}),
    ...remoteCacheSummary(s),
  });
  if (recorder !== undefined && code === EXIT_OK && executed === 0 && summary.spawns === 0) {
    recordNullBuild(args, patterns, s, started, recorder);
  }
  return { code, session: s, nodes: graph.nodes, roots: graph.roots, targets };
}

/** The `remoteCache` field of command-finished, with `--remote_cache`. */
function remoteCacheSummary(s: Session): { remoteCache?: RemoteCacheSummary } {
  const r = s.remote?.stats().remote;
  if (r === undefined) return {};
  return {
    remoteCache: {
      url: r.url,
      localHits: r.localActionHits,
      remoteHits: r.remoteActionHits,
      downloadedBytes: r.bytesDownloaded,
      uploadedBytes: r.bytesUploaded,
      uploadedResults: r.resultsUploaded,
      available: r.available,
    },
  };
}

/** Records a null build for the up-to-date check (see up-to-date.ts). */
function recordNullBuild(
  args: CommonArgs,
  patterns: readonly string[],
  s: Session,
  startedMs: number,
  recorder: EventRecorder,
): void {
  const recursiveRoots: string[] = [];
  for (const p of patterns) {
    const parsed = parseTargetPattern(p, s.cwdPkg);
    if (parsed.ok && parsed.value.kind === 'recursive') recursiveRoots.push(parsed.value.pkg);
  }
  const { packageDirs, bzlFiles } = s.loader.consulted();
  recordUpToDate(
    {
      patterns,
      cwd: args.cwd,
      pgo: args.pgo,
      diskCache: args.diskCache,
      gcGoopts: args.gcGoopts,
      gotags: args.gotags,
      linkopts: args.linkopts,
      stamp: args.stamp,
      workspaceStatusCommand: args.workspaceStatusCommand,
    },
    {
      root: s.root,
      startedMs,
      digested: s.digester.digestedFiles(),
      // The SDK's identity is its tools' digests (digested above); its go command and VERSION
      // file decide which SDK `go` finds.
      files: [
        ...s.pgo.profileFiles(),
        path.join(s.sdk.goroot, 'bin', 'go'),
        path.join(s.sdk.goroot, 'VERSION'),
        ...s.graphBuilder.modules.consultedFiles(),
      ],
      packageDirs,
      recursiveRoots,
      bzlFiles,
      moduleDirs: s.graphBuilder.modules.consultedDirs(),
      diskCache: args.diskCache,
    },
    // Progress lines mean nothing in an answer given at once, and a replay talks to no remote
    // cache: it must not repeat this build's remote traffic or warnings.
    recorder.events
      .filter((e) => e.type !== 'command-started' && e.type !== 'progress')
      .filter((e) => e.type !== 'remote-cache-warning')
      .filter((e) => e.type !== 'cache-corruption' || e.source !== 'remote')
      .map((e) => (e.type === 'command-finished' ? { ...e, remoteCache: undefined } : e)),
  );
}

/** `pgobuild build <patterns>`. */
export async function buildCommand(args: CommonArgs, patterns: readonly string[]): Promise<number> {
  return (await buildAndRun(args, patterns, 'build')).code;
}

/**
 * `pgobuild test <patterns>`: builds and runs go_test targets; passing results are cached, keyed
 * also on the test arguments (`--test_filter`, `--test_arg`, after `--`). `--test_output` decides
 * which tests' output the human log prints.
 */
export async function testCommand(
  args: CommonArgs,
  patterns: readonly string[],
  flags: TestFlags = { run: { args: [] }, output: 'errors' },
): Promise<number> {
  const events = new TestOutputFilter(args.events, flags.output);
  return (await buildAndRun({ ...args, events }, patterns, 'test', flags.run)).code;
}

/** `pgobuild run <target> -- args`: builds one go_binary and runs it with the terminal attached. */
export async function runCommand(
  args: CommonArgs,
  target: string,
  programArgs: readonly string[],
): Promise<number> {
  const built = await buildAndRun(args, [target], 'run');
  if (
    built.code !== EXIT_OK ||
    built.session === undefined ||
    built.nodes === undefined ||
    built.roots === undefined
  )
    return built.code;
  const root = built.roots[0];
  const node = root === undefined ? undefined : built.nodes.get(root);
  if (node?.kind !== 'link' || node.outputPath === undefined) {
    args.events.emit({
      type: 'diagnostic',
      severity: 'error',
      message: `${target} is not a go_binary`,
      formatted: `error: ${target} is not a go_binary: only binaries can be run`,
    });
    return EXIT_USAGE;
  }
  const binary = path.join(built.session.root, node.outputPath);
  return new Promise<number>((resolve) => {
    const child = spawn(binary, programArgs, { stdio: 'inherit', cwd: args.cwd });
    const forward = (sig: NodeJS.Signals): void => {
      child.kill(sig);
    };
    process.on('SIGINT', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      // As shells report it: 128 + the number of the signal that killed the program.
      resolve(code ?? (signal === null ? EXIT_FAILURE : signalExitCode(signal)));
    });
    child.on('error', () => resolve(EXIT_FAILURE));
  });
}

/** `pgobuild clean [--expunge]`. */
export async function cleanCommand(args: CommonArgs, expunge: boolean): Promise<number> {
  const s = await session(args);
  if (typeof s === 'number') return s;
  await fsp.rm(path.join(s.root, 'pgobuild-out'), { recursive: true, force: true });
  if (expunge) await fsp.rm(args.diskCache, { recursive: true, force: true });
  if (args.output === 'human')
    process.stderr.write(
      `Removed ${path.join(s.root, 'pgobuild-out')}${expunge ? ` and the disk cache ${args.diskCache}` : ` (the disk cache ${args.diskCache} is kept; --expunge removes it)`}\n`,
    );
  return EXIT_OK;
}

/**
 * `pgobuild query <expr>`: `//pattern`, `deps(expr)`, `rdeps(universe, expr)`, `kind('go_binary', expr)`.
 * Prints labels, one per line, sorted (as `bazel query` does).
 */
export async function queryCommand(args: CommonArgs, expression: string): Promise<number> {
  const s = await session(args);
  if (typeof s === 'number') return s;
  const result = await evaluateQuery(s, expression.trim());
  if (!result.ok) {
    // The failures keep their diagnostics: a BUILD error shows file:line:col as under build.
    await reportFailures(s.root, result.failure, args.events);
    return EXIT_USAGE;
  }
  const labels = [...result.value.values()].map((t) => shortLabel(t)).sort();
  if (args.output === 'json')
    process.stdout.write(`${JSON.stringify({ type: 'query-result', labels })}\n`);
  else process.stdout.write(labels.map((l) => `${l}\n`).join(''));
  return EXIT_OK;
}

type TargetSet = Map<string, DeclaredTarget>;

/** A query failure: the analysis failures (with their BUILD locations) or a usage message. */
type QueryFailure = AnalysisFailure[];

function queryUsage(message: string): Result<never, QueryFailure> {
  return err([{ reason: 'bad-pattern', message }]);
}

async function evaluateQuery(s: Session, expr: string): Promise<Result<TargetSet, QueryFailure>> {
  const call = /^(\w+)\s*\(([\s\S]*)\)$/.exec(expr);
  if (call === null) {
    const { expandPatterns } = await import('../analysis');
    const targets = await expandPatterns(s.root, [expr], s.cwdPkg, s.loader, s.graphBuilder);
    if (!targets.ok) return err(targets.failure);
    return ok(new Map(targets.value.map((t) => [labelOf(t), t])));
  }
  const fn = call[1] as string;
  const argsText = splitArgs(call[2] as string);
  switch (fn) {
    case 'deps': {
      if (argsText.length !== 1) return queryUsage('deps(expr) takes one argument');
      const start = await evaluateQuery(s, argsText[0] as string);
      if (!start.ok) return start;
      return closure(s, start.value);
    }
    case 'rdeps': {
      if (argsText.length !== 2) return queryUsage('rdeps(universe, expr) takes two arguments');
      const universe = await evaluateQuery(s, argsText[0] as string);
      if (!universe.ok) return universe;
      const of = await evaluateQuery(s, argsText[1] as string);
      if (!of.ok) return of;
      const result = new Map<string, DeclaredTarget>();
      for (const [label, t] of universe.value) {
        const deps = await closure(s, new Map([[label, t]]));
        if (!deps.ok) return deps;
        if ([...of.value.keys()].some((l) => deps.value.has(l))) result.set(label, t);
      }
      return ok(result);
    }
    case 'kind': {
      if (argsText.length !== 2) return queryUsage("kind('pattern', expr) takes two arguments");
      const re = kindPattern(argsText[0] as string);
      if (!re.ok) return re;
      const of = await evaluateQuery(s, argsText[1] as string);
      if (!of.ok) return of;
      return ok(new Map([...of.value].filter(([, t]) => re.value.test(t.rule.name))));
    }
    default:
      return queryUsage(`unknown query function '${fn}': expected deps, rdeps or kind`);
  }
}

/** The targets and everything they reach through deps and embed (including themselves). */
async function closure(s: Session, start: TargetSet): Promise<Result<TargetSet, QueryFailure>> {
  const result = new Map(start);
  const queue = [...start.values()];
  while (queue.length > 0) {
    const t = queue.pop() as DeclaredTarget;
    const imported = await s.graphBuilder.moduleImportsOf(t);
    if (!imported.ok) return err(imported.failure);
    for (const dep of imported.value) {
      const label = labelOf(dep);
      if (!result.has(label)) {
        result.set(label, dep);
        queue.push(dep);
      }
    }
    for (const attr of ['deps', 'embed']) {
      for (const dep of listAttr(t, attr)) {
        const found = await s.graphBuilder.findTarget(dep.value, t.pkg, dep.span);
        if (!found.ok) return err([found.failure]);
        const label = labelOf(found.value);
        if (!result.has(label)) {
          result.set(label, found.value);
          queue.push(found.value);
        }
      }
    }
  }
  return ok(result);
}

/**
 * The rule-kind pattern of `kind('pattern', expr)`, a regular expression as in `bazel query`; a
 * malformed one is the user's usage error, naming the expression.
 */
function kindPattern(quoted: string): Result<RegExp, QueryFailure> {
  const source = quoted.replace(/^['"]|['"]$/g, '');
  try {
    return ok(new RegExp(source));
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : '';
    return queryUsage(`kind(): '${source}' is not a valid regular expression: ${why}`);
  }
}

function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += c;
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}

/**
 * `pgobuild explain <target>`: for every action of the target's graph, whether the last build
 * ran it or took it from the cache and, if it ran, which key component changed.
 */
export async function explainCommand(args: CommonArgs, target: string): Promise<number> {
  const s = await session(args);
  if (typeof s === 'number') return s;
  const parts = parseLabel(target.replace(/^\/\/(.*)$/, '//$1'), s.cwdPkg);
  if (!parts.ok) {
    await reportFailures(
      s.root,
      [{ reason: 'bad-label', message: parts.failure.message }],
      args.events,
    );
    return EXIT_USAGE;
  }
  const analysed = await analyze(s, [target], undefined);
  if (!analysed.ok) {
    await reportFailures(s.root, analysed.failure, args.events);
    return EXIT_USAGE;
  }
  const log = await ExplainLog.open(s.root);
  const entries = log.entries();
  const lines: string[] = [];
  const json: unknown[] = [];
  let executed = 0;
  let cached = 0;
  for (const node of analysed.value.graph.nodes.values()) {
    const entry = entries[node.id];
    if (entry === undefined) {
      lines.push(`  not built  ${describe(node)}`);
      json.push({ id: node.id, description: describe(node), status: 'not-built' });
      continue;
    }
    if (entry.status === 'executed') executed++;
    else cached++;
    json.push({
      id: node.id,
      mnemonic: entry.mnemonic,
      description: entry.description,
      status: entry.status,
      reasons: entry.reasons,
    });
    if (entry.status === 'cached')
      lines.push(`  cached     ${entry.mnemonic} ${entry.description}`);
    else
      lines.push(
        `  executed   ${entry.mnemonic} ${entry.description}\n${entry.reasons.map((r) => `               because ${r}`).join('\n')}`,
      );
  }
  if (args.output === 'json') {
    for (const j of json)
      process.stdout.write(`${JSON.stringify({ type: 'explain', ...(j as object) })}\n`);
  } else {
    lines.sort((a, b) =>
      a.startsWith('  executed') === b.startsWith('  executed')
        ? 0
        : a.startsWith('  executed')
          ? -1
          : 1,
    );
    // A null build's answer is one line; --verbose lists every cached action.
    const listed = executed === 0 && !args.verbose ? [] : lines;
    process.stdout.write(
      executed === 0 && cached > 0
        ? `Last build of ${target}: all ${cached} actions cached, nothing ran\n${listed.map((l) => `${l}\n`).join('')}`
        : `Last build of ${target}: ${executed} executed, ${cached} cached\n${listed.join('\n')}\n`,
    );
  }
  return EXIT_OK;
}
