import { type Diagnostic, type Result, type SourceSpan, err, makeDiagnostic, ok } from '../util';

/** A `module@version` as go.mod writes it; `version` is absent for a directory replacement. */
export interface ModuleRef {
  readonly path: string;
  readonly version?: string;
}

/** A `require` directive. */
export interface Requirement extends ModuleRef {
  readonly version: string;
  /** Marked `// indirect`. */
  readonly indirect: boolean;
  /** Where the requirement is written (for errors about the module). */
  readonly span: SourceSpan;
}

/** A `replace` directive: `old [version] => new [version]` (no version: a directory). */
export interface Replacement {
  readonly old: ModuleRef;
  readonly new: ModuleRef;
  readonly span: SourceSpan;
}

/** A `godebug key=value` line of go.mod or go.work. */
export interface GodebugLine {
  readonly key: string;
  readonly value: string;
  /** Where the `key=value` is written (cmd/go reports unknown keys at this line). */
  readonly span: SourceSpan;
}

/** What pgobuild needs from a go.mod file. */
export interface GoMod {
  /** Workspace-relative path of the go.mod file. */
  readonly file: string;
  readonly modulePath: string;
  /** The `go` directive (e.g. `1.26` or `1.22.3`), or undefined when absent. */
  readonly goVersion?: string;
  /** The `toolchain` directive (e.g. `go1.26.8`), or undefined when absent. */
  readonly toolchain?: string;
  /** `godebug` directives, in file order. */
  readonly godebug: readonly GodebugLine[];
  readonly require: readonly Requirement[];
  readonly replace: readonly Replacement[];
  readonly exclude: readonly (ModuleRef & { readonly span: SourceSpan })[];
}

/** The directives go.mod and go.work files share a syntax for. */
type Verb =
  | 'module'
  | 'go'
  | 'toolchain'
  | 'godebug'
  | 'require'
  | 'replace'
  | 'exclude'
  | 'retract'
  | 'use'
  | 'ignore'
  | 'tool';

/** One directive line, block members included, split into tokens (quotes removed). */
interface DirectiveLine {
  readonly verb: string;
  readonly args: readonly string[];
  readonly comment: string;
  readonly line: number;
  /** 1-based column of the first argument and the end of the last. */
  readonly col: number;
  readonly endCol: number;
}

/**
 * Tokenizes a go.mod / go.work file (the modfile grammar: one directive per line or a
 * parenthesized block of them; `//` comments; double-quoted or backquoted strings).
 */
function directiveLines(
  file: string,
  text: string,
  verbs: readonly Verb[],
): Result<DirectiveLine[], Diagnostic> {
  const out: DirectiveLine[] = [];
  let block: string | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').replace(/\r$/, '');
    const tokens = tokenize(raw);
    if (!tokens.ok)
      return err(
        makeDiagnostic(
          'error',
          { file, line: i + 1, col: tokens.failure + 1, endCol: tokens.failure + 2 },
          'unterminated quoted string',
          text,
        ),
      );
    const { words, comment } = tokens.value;
    if (words.length === 0) continue;
    const first = words[0] as Token;
    if (block !== undefined) {
      if (first.text === ')' && words.length === 1) {
        block = undefined;
        continue;
      }
      out.push(lineOf(block, words, comment, i + 1));
      continue;
    }
    if (!(verbs as readonly string[]).includes(first.text)) {
      return err(
        makeDiagnostic(
          'error',
          { file, line: i + 1, col: first.col, endCol: first.col + first.text.length },
          `unknown directive: ${first.text}`,
          text,
        ),
      );
    }
    const rest = words.slice(1);
    if (rest.length === 1 && rest[0]?.text === '(') {
      block = first.text;
      continue;
    }
    out.push(lineOf(first.text, rest, comment, i + 1));
  }
  return ok(out);
}

interface Token {
  readonly text: string;
  /** 1-based column. */
  readonly col: number;
}

function lineOf(
  verb: string,
  words: readonly Token[],
  comment: string,
  line: number,
): DirectiveLine {
  const firstWord = words[0];
  const lastWord = words[words.length - 1];
  return {
    verb,
    args: words.map((w) => w.text),
    comment,
    line,
    col: firstWord?.col ?? 1,
    endCol: lastWord === undefined ? 2 : lastWord.col + lastWord.text.length,
  };
}

/** Splits a line into words; the error is the 0-based column of an unterminated string. */
function tokenize(line: string): Result<{ words: Token[]; comment: string }, number> {
  const words: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (line.startsWith('//', i)) return ok({ words, comment: line.slice(i + 2).trim() });
    if (c === '"' || c === '`') {
      let j = i + 1;
      let value = '';
      while (j < line.length && line[j] !== c) {
        if (c === '"' && line[j] === '\\' && j + 1 < line.length) j++;
        value += line[j];
        j++;
      }
      if (j >= line.length) return err(i);
      words.push({ text: value, col: i + 1 });
      i = j + 1;
      continue;
    }
    if (c === '(' || c === ')') {
      words.push({ text: c, col: i + 1 });
      i++;
      continue;
    }
    let j = i;
    while (j < line.length && !/[\s()]/.test(line[j] as string) && !line.startsWith('//', j)) j++;
    words.push({ text: line.slice(i, j), col: i + 1 });
    i = j;
  }
  return ok({ words, comment: '' });
}

const GO_VERSION = /^1(\.\d+){1,2}((rc|beta)\d+)?$/;

/**
 * Parses a go.mod file: `module`, `go`, `toolchain`, `godebug`, `require`, `replace` and
 * `exclude` (single-line and block forms). `retract`, `tool` and `ignore` are accepted and
 * ignored. Errors point at the offending line.
 */
export function parseGoMod(file: string, text: string): Result<GoMod, Diagnostic> {
  const parsed = directiveLines(file, text, [
    'module',
    'go',
    'toolchain',
    'godebug',
    'require',
    'replace',
    'exclude',
    'retract',
    'tool',
    'ignore',
  ]);
  if (!parsed.ok) return parsed;
  let modulePath: string | undefined;
  let goVersion: string | undefined;
  let toolchain: string | undefined;
  const godebug: GodebugLine[] = [];
  const require: Requirement[] = [];
  const replace: Replacement[] = [];
  const exclude: (ModuleRef & { span: SourceSpan })[] = [];
  for (const d of parsed.value) {
    const span: SourceSpan = { file, line: d.line, col: d.col, endCol: d.endCol };
    const at = (message: string): Result<never, Diagnostic> =>
      err(makeDiagnostic('error', span, message, text));
    switch (d.verb) {
      case 'module':
        if (d.args.length !== 1) return at('usage: module module/path');
        modulePath = d.args[0];
        break;
      case 'go': {
        const v = goLineVersion(d);
        if (!v.ok) return at(v.failure);
        goVersion = v.value;
        break;
      }
      case 'toolchain':
        if (d.args.length !== 1 || !/^go1(\.\d+){0,2}/.test(d.args[0] ?? ''))
          return at(`invalid toolchain '${d.args.join(' ')}': must match format go1.23.0`);
        toolchain = d.args[0];
        break;
      case 'godebug': {
        const kv = godebugLineSetting(d);
        if (!kv.ok) return at(kv.failure);
        godebug.push({ ...kv.value, span });
        break;
      }
      case 'require': {
        const [path, version] = d.args;
        if (d.args.length !== 2 || path === undefined || version === undefined)
          return at('usage: require module/path v1.2.3');
        if (!isVersion(version)) return at(`require ${path}: invalid version '${version}'`);
        require.push({ path, version, indirect: /^indirect\b/.test(d.comment), span });
        break;
      }
      case 'exclude': {
        const [path, version] = d.args;
        if (d.args.length !== 2 || path === undefined || version === undefined)
          return at('usage: exclude module/path v1.2.3');
        exclude.push({ path, version, span });
        break;
      }
      case 'replace': {
        const r = parseReplace(d.args);
        if (r === undefined)
          return at(
            'usage: replace module/path [v1.2.3] => other/module v1.4 or replace module/path [v1.2.3] => ../local/directory',
          );
        replace.push({ ...r, span });
        break;
      }
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
  return ok({ file, modulePath, goVersion, toolchain, godebug, require, replace, exclude });
}

/** What pgobuild needs from a go.work file. */
export interface GoWork {
  /** Workspace-relative path of the go.work file. */
  readonly file: string;
  readonly goVersion?: string;
  readonly toolchain?: string;
  readonly godebug: readonly GodebugLine[];
  /** Module directories, relative to the go.work file's directory, as written. */
  readonly use: readonly { readonly dir: string; readonly span: SourceSpan }[];
  readonly replace: readonly Replacement[];
}

/** Parses a go.work file: `go`, `toolchain`, `godebug`, `use` and `replace`. */
export function parseGoWork(file: string, text: string): Result<GoWork, Diagnostic> {
  const parsed = directiveLines(file, text, ['go', 'toolchain', 'godebug', 'use', 'replace']);
  if (!parsed.ok) return parsed;
  let goVersion: string | undefined;
  let toolchain: string | undefined;
  const godebug: GodebugLine[] = [];
  const use: { dir: string; span: SourceSpan }[] = [];
  const replace: Replacement[] = [];
  for (const d of parsed.value) {
    const span: SourceSpan = { file, line: d.line, col: d.col, endCol: d.endCol };
    const at = (message: string): Result<never, Diagnostic> =>
      err(makeDiagnostic('error', span, message, text));
    switch (d.verb) {
      case 'go': {
        const v = goLineVersion(d);
        if (!v.ok) return at(v.failure);
        goVersion = v.value;
        break;
      }
      case 'toolchain':
        toolchain = d.args[0];
        break;
      case 'godebug': {
        const kv = godebugLineSetting(d);
        if (!kv.ok) return at(kv.failure);
        godebug.push({ ...kv.value, span });
        break;
      }
      case 'use':
        if (d.args.length !== 1) return at('usage: use local/dir');
        use.push({ dir: d.args[0] as string, span });
        break;
      case 'replace': {
        const r = parseReplace(d.args);
        if (r === undefined) return at('usage: replace module/path [v1.2.3] => other/module v1.4');
        replace.push({ ...r, span });
        break;
      }
      default:
        break;
    }
  }
  return ok({ file, goVersion, toolchain, godebug, use, replace });
}

/** The version of a `go` line, checked alike in go.mod and go.work; or what is wrong with it. */
function goLineVersion(d: DirectiveLine): Result<string, string> {
  const v = d.args[0] ?? '';
  return d.args.length === 1 && GO_VERSION.test(v)
    ? ok(v)
    : err(`invalid go version '${d.args.join(' ')}': must match format 1.23.0`);
}

/** The key and value of a `godebug` line (go.mod and go.work); or what is wrong with it. */
function godebugLineSetting(d: DirectiveLine): Result<{ key: string; value: string }, string> {
  const kv = d.args.length === 1 ? parseGodebug(d.args[0] as string) : undefined;
  return kv === undefined ? err('expected godebug key=value') : ok(kv);
}

function parseReplace(args: readonly string[]): { old: ModuleRef; new: ModuleRef } | undefined {
  const arrow = args.indexOf('=>');
  if (arrow < 1 || arrow > 2) return undefined;
  const left = args.slice(0, arrow);
  const right = args.slice(arrow + 1);
  if (right.length < 1 || right.length > 2) return undefined;
  const oldRef: ModuleRef = { path: left[0] as string, version: left[1] };
  const newRef: ModuleRef = { path: right[0] as string, version: right[1] };
  if (newRef.version === undefined && !isLocalPath(newRef.path)) return undefined;
  return { old: oldRef, new: newRef };
}

/** A replacement target that is a directory (`./x`, `../x`, or absolute), as modfile decides. */
export function isLocalPath(p: string): boolean {
  return p.startsWith('./') || p.startsWith('../') || p === '.' || p === '..' || p.startsWith('/');
}

function isVersion(v: string): boolean {
  return /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(v);
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
