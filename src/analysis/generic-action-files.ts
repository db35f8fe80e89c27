import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanGoFile } from '../go/scan';
import { type Result, type SourceSpan, err, ok } from '../util';
import { labelOf } from '../workspace';
import type { GenericInput } from './build-graph';
import { type AnalysisFailure, type AnalysisReason, diagnosticFailure } from './failure';
import type { ReadSource } from './go-package';
import type { GraphContext } from './graph-context';

// The files of generic actions (those rules on the public API declare, genrule's included):
// where their outputs go, how host programs and workspace files enter their exec roots, and how
// generated Go sources are read during analysis.

/**
 * Where host programs named by absolute path are placed in the exec root (`/bin/bash` at
 * `external/host_tools/bin/bash`): host-tool inputs, keyed by their host path.
 */
export const HOST_TOOLS = 'external/host_tools';

/**
 * The whole environment of a generic action before the rule's own variables: a fixed PATH
 * (Bazel's strict action environment), nothing from the user's shell, so keys do not depend on
 * who runs the build.
 */
export const ACTION_ENV: Readonly<Record<string, string>> = {
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
  if (!isFile(absPath))
    return err([
      failure('missing-source', span, `missing input file '${labelOf({ pkg, name })}' (${what})`),
    ]);
  const digest = await ctx.digester.digest(absPath);
  return ok({ kind: 'file', path: rel, absPath, digest });
}

/** Whether `absPath` is a regular file (following symlinks); false when it cannot be statted. */
export function isFile(absPath: string): boolean {
  try {
    return fs.statSync(absPath).isFile();
  } catch {
    return false;
  }
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

/**
 * Why a non-empty name of an output file is not a clean path inside its package (absolute, a
 * label, a backslash, `.`, `..` or empty segments), or undefined: the files a rule declares
 * (its output attributes, as genrule's `outs`, and `ctx.actions.declareFile`).
 */
export function packagePathProblem(name: string): string | undefined {
  if (name.startsWith('/') || name.includes('\\') || name.includes(':'))
    return `'${name}' must be a file name relative to the package`;
  if (name.split('/').some((s) => s === '' || s === '.' || s === '..'))
    return `'${name}' must be a path inside the package without '.', '..' or empty segments`;
  return undefined;
}

function failure(reason: AnalysisReason, span: SourceSpan, message: string): AnalysisFailure {
  return diagnosticFailure(reason, { severity: 'error', span, message, sourceLine: '' });
}
