import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { GoSdkSelection } from '../../toolchain';
import { type AnalysisFailure, diagnosticFailure } from '../analysis/failure';
import { type BuiltinFunction, type Module, evaluateModule, parseFile } from '../starlark';
import { type Result, err, ok } from '../util';

/** What the WORKSPACE file configures. */
export interface WorkspaceConfig {
  readonly goSdk: GoSdkSelection;
}

/**
 * Evaluates the root WORKSPACE (or WORKSPACE.bazel) file. It may call `workspace(name = ...)`
 * and `go_sdk()` (the Go on PATH) or `go_sdk(path = "/usr/local/go")` (a GOROOT, absolute or
 * workspace-relative). An absent WORKSPACE file (MODULE.bazel workspaces) selects the host SDK.
 */
export async function loadWorkspaceConfig(
  root: string,
): Promise<Result<WorkspaceConfig, AnalysisFailure>> {
  let file: string | undefined;
  let text = '';
  for (const name of ['WORKSPACE.bazel', 'WORKSPACE']) {
    try {
      text = await fsp.readFile(path.join(root, name), 'utf8');
      file = name;
      break;
    } catch {
      // try the next name
    }
  }
  if (file === undefined) return ok({ goSdk: { kind: 'host' } });
  const parsed = parseFile(file, text, 'build');
  if (!parsed.ok) return err(diagnosticFailure('build-file-syntax', parsed.failure.diagnostic));
  let goSdk: GoSdkSelection = { kind: 'host' };
  const goSdkFn: BuiltinFunction = {
    kind: 'builtin',
    name: 'go_sdk',
    call: (args, ctx) => {
      for (const a of args.named) {
        if (a.name !== 'path')
          return err(ctx.diagnostic(a.nameSpan, `go_sdk has no attribute '${a.name}' (only path)`));
        if (typeof a.value !== 'string')
          return err(
            ctx.diagnostic(a.span, 'go_sdk(path = ...) must be a string: the GOROOT of the SDK'),
          );
        goSdk = { kind: 'path', goroot: path.resolve(root, a.value) };
      }
      if (args.positional.length > 0)
        return err(ctx.diagnostic(ctx.callSpan, 'go_sdk takes keyword arguments only'));
      return ok(null);
    },
  };
  const workspaceFn: BuiltinFunction = { kind: 'builtin', name: 'workspace', call: () => ok(null) };
  const evaluated = evaluateModule(parsed.value as Module, {
    predeclared: new Map([
      ['go_sdk', goSdkFn],
      ['workspace', workspaceFn],
    ]),
    load: (_label, span) =>
      err({
        reason: 'build-file-eval',
        diagnostic: {
          severity: 'error',
          span,
          message: 'load() is not supported in WORKSPACE',
          sourceLine: '',
        },
        stack: [],
      }),
  });
  if (!evaluated.ok) return err(diagnosticFailure('build-file-eval', evaluated.failure.diagnostic));
  return ok({ goSdk });
}
