import { type Diagnostic, type Result, err, makeDiagnostic, ok } from '../util';

/** What pgobuild needs from a go.mod file. */
export interface GoMod {
  /** Workspace-relative path of the go.mod file. */
  readonly file: string;
  readonly modulePath: string;
  /** The `go` directive (e.g. `1.26` or `1.22.3`), or undefined when absent. */
  readonly goVersion?: string;
  /** `godebug` directives, in file order. */
  readonly godebug: readonly { readonly key: string; readonly value: string }[];
  /** Whether the module requires other modules (pgobuild builds std-only modules for now). */
  readonly hasRequirements: boolean;
}

/**
 * Parses the parts of go.mod pgobuild uses: `module`, `go`, `godebug` (single or block form) and
 * whether there are `require` directives. Other directives are accepted and ignored.
 */
export function parseGoMod(file: string, text: string): Result<GoMod, Diagnostic> {
  let modulePath: string | undefined;
  let goVersion: string | undefined;
  const godebug: { key: string; value: string }[] = [];
  let hasRequirements = false;
  let block: string | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').replace(/\/\/.*$/, '');
    const line = raw.trim();
    if (line === '') continue;
    const at = (col: number, width: number, message: string): Result<never, Diagnostic> =>
      err(
        makeDiagnostic(
          'error',
          { file, line: i + 1, col, endCol: col + Math.max(1, width) },
          message,
          text,
        ),
      );
    if (block !== undefined) {
      if (line === ')') {
        block = undefined;
        continue;
      }
      if (block === 'require') hasRequirements = true;
      if (block === 'godebug') {
        const kv = parseGodebug(line);
        if (kv === undefined)
          return at(raw.indexOf(line) + 1, line.length, 'expected key=value in godebug block');
        godebug.push(kv);
      }
      continue;
    }
    const [verb = '', ...rest] = line.split(/\s+/);
    const arg = rest.join(' ');
    if (arg === '(') {
      block = verb;
      continue;
    }
    switch (verb) {
      case 'module':
        modulePath = arg.replace(/^"(.*)"$/, '$1');
        break;
      case 'go':
        if (!/^1(\.\d+){1,2}((rc|beta)\d+)?$/.test(arg)) {
          return at(
            raw.indexOf(arg) + 1,
            arg.length,
            `invalid go version '${arg}': must match format 1.23.0`,
          );
        }
        goVersion = arg;
        break;
      case 'godebug': {
        const kv = parseGodebug(arg);
        if (kv === undefined)
          return at(raw.indexOf(arg) + 1, arg.length, 'expected godebug key=value');
        godebug.push(kv);
        break;
      }
      case 'require':
        hasRequirements = true;
        break;
      default:
        break;
    }
  }
  if (modulePath === undefined) {
    return err(
      makeDiagnostic(
        'error',
        { file, line: 1, col: 1, endCol: 2 },
        'no module directive in go.mod',
        text,
      ),
    );
  }
  return ok({ file, modulePath, goVersion, godebug, hasRequirements });
}

function parseGodebug(text: string): { key: string; value: string } | undefined {
  const m = /^([^=\s]+)=(\S*)$/.exec(text.trim());
  return m === null ? undefined : { key: m[1] as string, value: m[2] as string };
}

/** `gover.Lang`: the `1.N` language version of a Go version string (`1.22.3` → `1.22`). */
export function langVersion(goVersion: string): string {
  const m = /^1\.(\d+)/.exec(goVersion);
  return m === null ? goVersion : `1.${m[1]}`;
}

/** Compares Go versions like `1.21`, `1.21.3`, `1.22rc1` (enough for `go` directive checks). */
export function compareGoVersions(a: string, b: string): number {
  const parts = (v: string): number[] => v.split(/[.a-z]+/).map((p) => Number(p) || 0);
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
