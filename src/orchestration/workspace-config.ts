import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { GoSdkSelection } from '../../toolchain';
import { type AnalysisFailure, diagnosticFailure } from '../analysis/failure';
import {
  type BuiltinFunction,
  type CallArgs,
  type CallContext,
  type Module,
  evaluateModule,
  parseFile,
} from '../starlark';
import { type Diagnostic, type Result, err, ok } from '../util';

/** What the WORKSPACE file configures. */
export interface WorkspaceConfig {
  readonly goSdk: GoSdkSelection;
}

/**
 * Evaluates the root WORKSPACE (or WORKSPACE.bazel) file. It may call `workspace(name = ...)`
 * and `go_sdk()` (the Go on PATH), `go_sdk(path = "/usr/local/go")` (a GOROOT, absolute or
 * workspace-relative) or `go_sdk(version = "1.26.8", sum = "h1:…")` (downloaded through the Go
 * module proxy; `sum` may also be a dict `{"linux-amd64": "h1:…"}` per platform). When WORKSPACE
 * names no version and no path, the `toolchain` line of the root go.mod (`toolchain go1.26.8`)
 * selects a download; otherwise the host SDK is used (also with no WORKSPACE file at all).
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
  if (file === undefined) return ok({ goSdk: await goModToolchain(root) });
  const parsed = parseFile(file, text, 'build');
  if (!parsed.ok) return err(diagnosticFailure('build-file-syntax', parsed.failure.diagnostic));
  let goSdk: GoSdkSelection = { kind: 'host' };
  const goSdkFn: BuiltinFunction = {
    kind: 'builtin',
    name: 'go_sdk',
    call: (args, ctx) => {
      if (args.positional.length > 0)
        return err(ctx.diagnostic(ctx.callSpan, 'go_sdk takes keyword arguments only'));
      const selected = goSdkCall(args.named, ctx, root);
      if (!selected.ok) return selected;
      goSdk = selected.value;
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
  return ok({ goSdk: goSdk.kind === 'host' ? await goModToolchain(root) : goSdk });
}

/** `go_sdk(path = …)`, `go_sdk(version = …, sum = …)` or `go_sdk()`. */
function goSdkCall(
  named: CallArgs['named'],
  ctx: CallContext,
  root: string,
): Result<GoSdkSelection, Diagnostic> {
  let goroot: string | undefined;
  let version: string | undefined;
  let sum: string | undefined;
  let platformSums: Record<string, string> | undefined;
  for (const a of named) {
    switch (a.name) {
      case 'path':
        if (typeof a.value !== 'string')
          return err(
            ctx.diagnostic(a.span, 'go_sdk(path = ...) must be a string: the GOROOT of the SDK'),
          );
        goroot = path.resolve(root, a.value);
        break;
      case 'version':
        if (typeof a.value !== 'string' || !VERSION_PATTERN.test(a.value))
          return err(
            ctx.diagnostic(a.span, 'go_sdk(version = ...) must be a Go release such as "1.26.8"'),
          );
        version = a.value;
        break;
      case 'sum':
        if (typeof a.value === 'string') {
          if (!SUM_PATTERN.test(a.value))
            return err(ctx.diagnostic(a.span, 'go_sdk(sum = ...) must be an "h1:…" hash'));
          sum = a.value;
        } else if (a.value !== null && typeof a.value === 'object' && a.value.kind === 'dict') {
          platformSums = {};
          for (const { key, value } of a.value.entries.values()) {
            if (typeof key !== 'string' || !/^[a-z0-9]+-[a-z0-9]+$/.test(key))
              return err(ctx.diagnostic(a.span, 'go_sdk(sum = {...}) keys are "<goos>-<goarch>"'));
            if (typeof value !== 'string' || !SUM_PATTERN.test(value))
              return err(
                ctx.diagnostic(a.span, `go_sdk(sum = {...}): "${key}" must map to an "h1:…" hash`),
              );
            platformSums[key] = value;
          }
        } else
          return err(
            ctx.diagnostic(
              a.span,
              'go_sdk(sum = ...) must be an "h1:…" hash or a dict of them per "<goos>-<goarch>"',
            ),
          );
        break;
      default:
        return err(
          ctx.diagnostic(a.nameSpan, `go_sdk has no attribute '${a.name}' (path, version, sum)`),
        );
    }
  }
  if (goroot !== undefined && version !== undefined)
    return err(ctx.diagnostic(ctx.callSpan, 'go_sdk takes either path or version, not both'));
  if (version === undefined && (sum !== undefined || platformSums !== undefined))
    return err(ctx.diagnostic(ctx.callSpan, 'go_sdk(sum = ...) needs version = ...'));
  if (goroot !== undefined) return ok({ kind: 'path', goroot });
  if (version === undefined) return ok({ kind: 'host' });
  const { span, sourceLine } = ctx.diagnostic(ctx.callSpan, '');
  return ok({
    kind: 'download',
    version,
    ...(sum !== undefined ? { sum } : {}),
    ...(platformSums !== undefined ? { platformSums } : {}),
    origin: { span, sourceLine },
  });
}

/** A Go release as golang.org/toolchain versions name them: 1.26.8, 1.21.0, 1.27rc1. */
const VERSION_PATTERN = /^1\.\d+(\.\d+|rc\d+|beta\d+)?$/;
const SUM_PATTERN = /^h1:[A-Za-z0-9+/]{43}=$/;

/**
 * The `toolchain go1.26.8` line of the workspace root's go.mod as a download selection, or the
 * host SDK when there is no go.mod or no such line. `toolchain default` means the host's.
 */
async function goModToolchain(root: string): Promise<GoSdkSelection> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(root, 'go.mod'), 'utf8');
  } catch {
    return { kind: 'host' };
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    const m = /^(\s*toolchain\s+)go(\S+)\s*(\/\/.*)?$/.exec(line);
    if (m === null || !VERSION_PATTERN.test(m[2] ?? '')) continue;
    const col = (m[1] ?? '').length + 1;
    return {
      kind: 'download',
      version: m[2] ?? '',
      origin: {
        span: { file: 'go.mod', line: i + 1, col, endCol: col + 2 + (m[2] ?? '').length },
        sourceLine: line,
      },
    };
  }
  return { kind: 'host' };
}
