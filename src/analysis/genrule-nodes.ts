import { AsyncLocalStorage } from 'node:async_hooks';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanGoFile } from '../go/scan';
import { type Result, type SourceSpan, err, ok } from '../util';
import { labelOf, parseLabel, shortLabel } from '../workspace';
import type { GenericActionNode, GenericInput } from './build-graph';
import { type AnalysisFailure, type AnalysisReason, diagnosticFailure } from './failure';
import { expandGenruleCmd } from './genrule-cmd';
import type { ReadSource } from './go-package';
import type { GraphContext } from './graph-context';
import { type DeclaredTarget, isExecutableRule, listAttr, stringAttr } from './rule-api';

/** Where genrule finds its shell on the host (Bazel's default `--shell_executable`). */
export const GENRULE_SHELL = '/bin/bash';

/**
 * Where host programs named by absolute path are placed in the exec root (`/bin/bash` at
 * `external/host_tools/bin/bash`): host-tool inputs, keyed by their host path.
 */
export const HOST_TOOLS = 'external/host_tools';

/** The shell's path in the exec root. */
export const GENRULE_SHELL_INPUT = `${HOST_TOOLS}${GENRULE_SHELL}`;

/**
 * The whole environment of a genrule's command: a fixed PATH (Bazel's strict action
 * environment), nothing from the user's shell, so keys do not depend on who runs the build.
 */
export const GENRULE_ENV: Readonly<Record<string, string>> = {
  PATH: '/bin:/usr/bin:/usr/local/bin',
};

/** The output directory of a package: what `$(RULEDIR)` names, and where outs are written. */
export function ruleDirOf(pkg: string): string {
  return pkg === '' ? 'pgobuild-out/bin' : `pgobuild-out/bin/${pkg}`;
}

/**
 * Where the outputs of a target built as a tool (host configuration) are declared: beside, not
 * over, the same target's outputs in its own configuration. They are not placed in the workspace.
 */
export function hostRuleDirOf(pkg: string): string {
  return pkg === '' ? 'pgobuild-out/host/bin' : `pgobuild-out/host/bin/${pkg}`;
}

/** The files one `srcs` or `tools` entry stands for. */
interface Located {
  readonly paths: readonly string[];
  readonly inputs: readonly GenericInput[];
}

/**
 * genrule targets as generic action nodes (Bazel's genrule): the command runs with
 * {@link GENRULE_SHELL} (`-c`, with `set -euo pipefail` as Bazel's genrule setup), in an exec root
 * holding its srcs at their workspace paths, its go_binary tools built for the host with PGO off,
 * and its outs declared under `pgobuild-out/bin/<package>/`. Substitutions and their errors
 * (at the `cmd` attribute's line and column) are {@link expandGenruleCmd}'s.
 *
 * A genrule out named in a go_library's srcs is produced during analysis through
 * `ctx.options.produce` (the executor and the cache, as any action), so that the generated file
 * is scanned for imports like a source file ({@link GenruleNodes.generatedSources}).
 */
export class GenruleNodes {
  private readonly nodes = new Map<string, Promise<Result<string, AnalysisFailure[]>>>();
  /**
   * The files a TypeScript rule's target (or a file one declares) gives a genrule's srcs or
   * tools: undefined when `name` in `pkg` is neither. Set by graph construction.
   */
  userRuleFiles?: (
    pkg: string,
    name: string,
  ) => Promise<Result<{ paths: string[]; inputs: GenericInput[] }, AnalysisFailure[]> | undefined>;
  /**
   * An executable target (a go_binary, a workspace rule's program) built for the host as a tool,
   * as an input at its exec-root path. Set by graph construction.
   */
  hostTool?: (target: DeclaredTarget) => Promise<Result<GenericInput, AnalysisFailure[]>>;
  /**
   * The genrules whose construction led to the code running now (innermost last). It follows
   * the asynchronous call chain, including through a go_binary tool's packages whose srcs name a
   * genrule out: a genrule reached again on its own chain is a cycle, reported rather than
   * awaited (its memoized promise would wait for itself).
   */
  private readonly building = new AsyncLocalStorage<readonly string[]>();

  constructor(private readonly ctx: GraphContext) {}

  /** Ends the call-chain tracking of {@link building} once no construction is under way. */
  endConstruction(): void {
    this.building.disable();
  }

  /** The node of a genrule target (and of everything its srcs and tools need). */
  genruleNode(target: DeclaredTarget): Promise<Result<string, AnalysisFailure[]>> {
    const label = labelOf(target);
    const chain = this.building.getStore() ?? [];
    if (chain.includes(label)) {
      const cycle = [...chain.slice(chain.indexOf(label)), label].join(' -> ');
      return Promise.resolve(
        err([
          failure(
            'dependency-cycle',
            target.span,
            `genrule ${shortLabel(target)} depends on its own outputs (through its srcs, or a tool whose sources it generates): ${cycle}`,
          ),
        ]),
      );
    }
    let pending = this.nodes.get(label);
    if (pending === undefined) {
      const inner = [...chain, label];
      pending = this.building.run(inner, () => this.build(target));
      this.nodes.set(label, pending);
    }
    return pending;
  }

  /**
   * The generated sources a go_library (or go_binary, go_test) `srcs` entry stands for: every out
   * of a genrule of the same package named `rel`, or the out named `rel`; read from the cache after
   * running the genrule. Undefined when `rel` names no genrule and no out.
   */
  async generatedSources(
    target: DeclaredTarget,
    rel: string,
    span: SourceSpan,
  ): Promise<Result<ReadSource[], AnalysisFailure> | undefined> {
    const loaded = await this.ctx.loader.load(target.pkg);
    if (!loaded.ok || loaded.value === undefined) return undefined;
    let maker: DeclaredTarget | undefined;
    let outs: string[] = [];
    for (const t of loaded.value.targets.values()) {
      if (t.rule.name !== 'genrule') continue;
      const declared = listAttr(t, 'outs').map((o) => o.value);
      if (t.name === rel) {
        maker = t;
        outs = declared;
        break;
      }
      if (declared.includes(rel)) {
        maker = t;
        outs = [rel];
        break;
      }
    }
    if (maker === undefined) return undefined;
    const node = await this.genruleNode(maker);
    if (!node.ok) return err(node.failure[0] as AnalysisFailure);
    const displays = outs.map((out) => `${ruleDirOf(target.pkg)}/${out}`);
    return readGenerated(
      this.ctx,
      [{ nodeId: node.value, paths: displays }],
      span,
      shortLabel(maker),
    );
  }

  private async build(target: DeclaredTarget): Promise<Result<string, AnalysisFailure[]>> {
    const id = `genrule:${labelOf(target)}`;
    const ruleDir = ruleDirOf(target.pkg);
    const outs: string[] = [];
    const failures: AnalysisFailure[] = [];
    for (const out of listAttr(target, 'outs')) {
      const problem = outProblem(out.value);
      if (problem !== undefined) failures.push(failure('bad-attribute', out.span, problem));
      else if (outs.includes(`${ruleDir}/${out.value}`))
        failures.push(failure('bad-attribute', out.span, `outs: '${out.value}' is listed twice`));
      else outs.push(`${ruleDir}/${out.value}`);
    }
    if (outs.length === 0 && failures.length === 0)
      failures.push(failure('bad-attribute', target.span, `genrule '${target.name}' has no outs`));
    const inputs: GenericInput[] = [
      { kind: 'host-tool', path: GENRULE_SHELL_INPUT, absPath: GENRULE_SHELL },
    ];
    const locations = new Map<string, readonly string[]>();
    const srcs: string[] = [];
    for (const attr of ['srcs', 'tools'] as const) {
      for (const entry of listAttr(target, attr)) {
        const located = await this.locate(target, attr, entry.value, entry.span);
        if (!located.ok) {
          failures.push(...located.failure);
          continue;
        }
        inputs.push(...located.value.inputs);
        if (attr === 'srcs') srcs.push(...located.value.paths);
        const parsed = parseLabel(entry.value, target.pkg);
        if (parsed.ok) locations.set(labelOf(parsed.value), located.value.paths);
      }
    }
    if (failures.length > 0) return err(failures);
    const cmdAttr = target.attrs.get('cmd');
    const cmd = stringAttr(target, 'cmd', '');
    const expanded = expandGenruleCmd(cmd, {
      locate: (text) => {
        const parsed = parseLabel(text, target.pkg);
        return parsed.ok ? locations.get(labelOf(parsed.value)) : undefined;
      },
      srcs,
      outs,
      ruleDir,
      makeVariables: {
        GOOS: this.ctx.defaultConfig.platform.goos,
        GOARCH: this.ctx.defaultConfig.platform.goarch,
        BINDIR: 'pgobuild-out/bin',
        GENDIR: 'pgobuild-out/bin',
      },
    });
    if (!expanded.ok) {
      const span = cmdAttr?.span ?? target.span;
      return err([
        failure(
          'bad-attribute',
          narrowSpan(this.ctx.root, span, cmd, expanded.failure),
          `genrule ${shortLabel(target)}: cmd: ${expanded.failure.message}`,
        ),
      ]);
    }
    const owner = shortLabel(target);
    const node: GenericActionNode = {
      kind: 'generic',
      id,
      owner,
      mnemonic: 'Genrule',
      description: stringAttr(target, 'message', '') || owner,
      // Bazel's genrule-setup.sh: `set -euo pipefail` before the command.
      argv: [`\${EXECROOT}/${GENRULE_SHELL_INPUT}`, '-c', `set -euo pipefail\n${expanded.value}`],
      env: GENRULE_ENV,
      inputs,
      outputs: outs,
      placeAt: outs,
    };
    this.ctx.nodes.set(id, node);
    return ok(id);
  }

  /** What one `srcs` or `tools` entry stands for: a genrule's outs, a built tool, or a file. */
  private async locate(
    target: DeclaredTarget,
    attr: 'srcs' | 'tools',
    text: string,
    span: SourceSpan,
  ): Promise<Result<Located, AnalysisFailure[]>> {
    const parts = parseLabel(text, target.pkg);
    if (!parts.ok) return err([failure('bad-label', span, parts.failure.message)]);
    if (parts.value.repo !== undefined)
      return err([
        failure('bad-label', span, `${attr}: '${text}' names a module repository; not supported`),
      ]);
    const { pkg, name } = parts.value;
    const loaded = await this.ctx.loader.load(pkg);
    if (!loaded.ok) return err([loaded.failure]);
    const targets = loaded.value?.targets ?? new Map<string, DeclaredTarget>();
    const rule = targets.get(name);
    if (rule?.rule.name === 'genrule') {
      const outs = await this.outsOf(rule, attr);
      if (!outs.ok) return outs;
      return ok({ paths: outs.value.map((i) => i.path), inputs: outs.value });
    }
    if (rule !== undefined && attr === 'tools' && isExecutableRule(rule.rule)) {
      if (this.hostTool === undefined)
        throw new Error('bug: genrule tools need graph construction');
      const tool = await this.hostTool(rule);
      if (!tool.ok) return tool;
      return ok({ paths: [tool.value.path], inputs: [tool.value] });
    }
    if (rule === undefined || rule.rule.user !== undefined) {
      const made = await this.userRuleFiles?.(pkg, name);
      if (made !== undefined) {
        if (!made.ok) return made;
        const inputs = made.value.inputs.map((i) =>
          attr === 'tools' && i.kind === 'node-output' ? { ...i, executable: true } : i,
        );
        return ok({ paths: made.value.paths, inputs });
      }
    }
    if (rule !== undefined)
      return err([
        failure(
          'wrong-target-kind',
          span,
          attr === 'tools'
            ? `tools: ${shortLabel(rule)} is a ${rule.rule.name}; a tool is a go_binary (or another executable rule's target), a genrule or a file`
            : `srcs: ${shortLabel(rule)} is a ${rule.rule.name}; genrule srcs are files or genrules`,
        ),
      ]);
    // An out of a genrule of that package.
    for (const t of targets.values()) {
      if (t.rule.name !== 'genrule' || !listAttr(t, 'outs').some((o) => o.value === name)) continue;
      const node = await this.genruleNode(t);
      if (!node.ok) return node;
      const p = `${ruleDirOf(pkg)}/${name}`;
      return ok({ paths: [p], inputs: [generatedInput(node.value, p, attr)] });
    }
    const file = await sourceFileInput(
      this.ctx,
      pkg,
      name,
      span,
      `${attr} of ${shortLabel(target)}`,
    );
    if (!file.ok) return file;
    return ok({ paths: [file.value.path], inputs: [file.value] });
  }

  /** A genrule's outs as inputs of another action (placed executable for `tools`). */
  async outsOf(
    rule: DeclaredTarget,
    attr: 'srcs' | 'tools',
  ): Promise<Result<GenericInput[], AnalysisFailure[]>> {
    const node = await this.genruleNode(rule);
    if (!node.ok) return node;
    return ok(
      listAttr(rule, 'outs').map((o) =>
        generatedInput(node.value, `${ruleDirOf(rule.pkg)}/${o.value}`, attr),
      ),
    );
  }
}

/**
 * A source file of the workspace as an action input, at its workspace path, or a failure naming
 * the missing label and `what` named it (`srcs of //pkg:gen`).
 */
export async function sourceFileInput(
  ctx: GraphContext,
  pkg: string,
  name: string,
  span: SourceSpan,
  what: string,
): Promise<Result<GenericInput, AnalysisFailure[]>> {
  const rel = pkg === '' ? name : `${pkg}/${name}`;
  const absPath = path.join(ctx.root, rel);
  if (fs.statSync(absPath, { throwIfNoEntry: false })?.isFile() !== true)
    return err([
      failure('missing-source', span, `missing input file '${labelOf({ pkg, name })}' (${what})`),
    ]);
  const digest = await ctx.digester.digest(absPath);
  return ok({ kind: 'file', path: rel, absPath, digest });
}

/**
 * Generated files as sources of a Go package: each producing node is run during analysis through
 * `ctx.options.produce` (the executor and the cache, as any action) and each named output is read
 * from the cache and, for `.go` files, scanned like a source file.
 */
export async function readGenerated(
  ctx: GraphContext,
  made: readonly { readonly nodeId: string; readonly paths: readonly string[] }[],
  span: SourceSpan,
  maker: string,
): Promise<Result<ReadSource[], AnalysisFailure>> {
  const produce = ctx.options.produce;
  if (produce === undefined)
    return err(
      failure(
        'missing-source',
        span,
        `'${made[0]?.paths[0] ?? maker}' is made by ${maker}, which this command does not run`,
      ),
    );
  const files: ReadSource[] = [];
  for (const { nodeId, paths } of made) {
    const produced = await produce(ctx.nodes, nodeId);
    if (!produced.ok) return produced;
    for (const display of paths) {
      const blob = produced.value.find((p) => p.path === display);
      if (blob === undefined) throw new Error(`bug: ${maker} produced no ${display}`);
      const text = fs.readFileSync(blob.absPath, 'utf8');
      const base = {
        name: path.posix.basename(display),
        absPath: blob.absPath,
        digest: blob.digest,
        display,
        text,
      };
      if (!display.endsWith('.go')) {
        files.push(base);
        continue;
      }
      const info = scanGoFile(display, text);
      files.push(info.ok ? { ...base, info: info.value } : { ...base, scanError: info.failure });
    }
  }
  return ok(files);
}

function generatedInput(nodeId: string, p: string, attr: 'srcs' | 'tools'): GenericInput {
  return { kind: 'node-output', path: p, nodeId, output: p, executable: attr === 'tools' };
}

/** Why an `outs` entry is not a clean path inside the package, or undefined. */
function outProblem(out: string): string | undefined {
  if (out === '') return 'outs: an out is empty';
  const problem = packagePathProblem(out);
  return problem === undefined ? undefined : `outs: ${problem}`;
}

/**
 * Why a non-empty name of an output file is not a clean path inside its package (absolute, a
 * label, a backslash, `.`, `..` or empty segments), or undefined: genrule's outs and the files a
 * TypeScript rule declares.
 */
export function packagePathProblem(name: string): string | undefined {
  if (name.startsWith('/') || name.includes('\\') || name.includes(':'))
    return `'${name}' must be a file name relative to the package`;
  if (name.split('/').some((s) => s === '' || s === '.' || s === '..'))
    return `'${name}' must be a path inside the package without '.', '..' or empty segments`;
  return undefined;
}

/**
 * The span of the failing substitution when the `cmd` string is written on one line of the BUILD
 * file (found there verbatim); otherwise the attribute's.
 */
function narrowSpan(
  root: string,
  span: SourceSpan,
  cmd: string,
  problem: { offset: number; length: number },
): SourceSpan {
  const token = cmd.slice(problem.offset, problem.offset + problem.length);
  let line: string | undefined;
  try {
    line = fs.readFileSync(path.join(root, span.file), 'utf8').split('\n')[span.line - 1];
  } catch {
    return span;
  }
  if (line === undefined || token.includes('\n')) return span;
  // The literal's text up to the token, if written without escapes, starts right after the quote.
  const prefix = cmd.slice(0, problem.offset);
  const start = span.col; // span.col is the quote's column (1-based): text starts at index col.
  if (!prefix.includes('\n') && line.slice(start, start + prefix.length) === prefix) {
    const col = start + prefix.length + 1;
    if (line.slice(col - 1, col - 1 + token.length) === token)
      return { ...span, col, endCol: col + token.length };
  }
  const at = line.indexOf(token, span.col - 1);
  return at < 0 ? span : { ...span, col: at + 1, endCol: at + 1 + token.length };
}

function failure(reason: AnalysisReason, span: SourceSpan, message: string): AnalysisFailure {
  return diagnosticFailure(reason, { severity: 'error', span, message, sourceLine: '' });
}
