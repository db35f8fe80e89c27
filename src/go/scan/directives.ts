import type { Result } from '../../util/result';
import { err, ok } from '../../util/result';
import { goQuotedPrefix, goUnquote } from './go-quote';
import { goTrimRightSpace, goTrimSpace, isGoSpace } from './go-unicode';

/** One argument of a directive comment, with its character offset inside the comment text. */
export interface DirectiveArg {
  readonly arg: string;
  /** Offset of the argument's first character within the comment text. */
  readonly offset: number;
  /** Length of the argument as written (quotes included). */
  readonly length: number;
}

/**
 * `ast.ParseDirective` + `Directive.ParseArgs` for `//go:embed`: the patterns of a //go:embed
 * comment (bare words, "double-quoted" and `back-quoted` strings separated by spaces). Undefined
 * when the comment is not a //go:embed directive (e.g. `//go:embedded`); an error message when its
 * arguments are malformed.
 */
export function parseGoEmbedArgs(comment: string): Result<DirectiveArg[], string> | undefined {
  const directive = parseDirective(comment);
  if (directive === undefined || directive.tool !== 'go' || directive.name !== 'embed') {
    return undefined;
  }
  const list: DirectiveArg[] = [];
  let pos = directive.argsOffset;
  let str = directive.args;
  const skipSpace = (): void => {
    while (str.length > 0 && isGoSpace(str.codePointAt(0) ?? 0)) {
      const w = (str.codePointAt(0) ?? 0) > 0xffff ? 2 : 1;
      str = str.slice(w);
      pos += w;
    }
  };
  for (skipSpace(); str !== ''; skipSpace()) {
    const start = pos;
    if (str[0] === '`' || str[0] === '"') {
      const q = goQuotedPrefix(str);
      const bad = `invalid quoted string in //go:embed: ${str}`;
      if (q === undefined) return err(bad);
      const arg = goUnquote(q) ?? '';
      str = str.slice(q.length);
      pos += q.length;
      if (str !== '' && !isGoSpace(str.codePointAt(0) ?? 0)) return err(bad);
      list.push({ arg, offset: start, length: q.length });
    } else {
      const word = takeNonSpace(str);
      str = str.slice(word.length);
      pos += word.length;
      list.push({ arg: word, offset: start, length: word.length });
    }
  }
  return ok(list);
}

interface ParsedDirective {
  readonly tool: string;
  readonly name: string;
  readonly args: string;
  readonly argsOffset: number;
}

function isAlnum(c: string | undefined): boolean {
  return c !== undefined && /^[a-z0-9]$/.test(c);
}

/** `ast.ParseDirective`: `//tool:name args` with a lower-case alphanumeric tool. */
function parseDirective(c: string): ParsedDirective | undefined {
  if (!(c.length >= 3 && c.startsWith('//') && isAlnum(c[2]))) return undefined;
  const str = c.slice(2);
  const colon = str.indexOf(':');
  if (colon <= 0 || colon + 1 >= str.length) return undefined;
  for (let i = 0; i <= colon + 1; i++) {
    if (i !== colon && !isAlnum(str[i])) return undefined;
  }
  const tool = str.slice(0, colon);
  const rest = str.slice(colon + 1);
  const name = takeNonSpace(rest);
  const afterName = rest.slice(name.length);
  const args = afterName.slice(afterName.length - goTrimLeft(afterName).length);
  const argsOffset = 2 + colon + 1 + name.length + (afterName.length - args.length);
  return { tool, name, args: goTrimRightSpace(args), argsOffset };
}

function goTrimLeft(s: string): string {
  let i = 0;
  while (i < s.length && isGoSpace(s.codePointAt(i) ?? 0))
    i += (s.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  return s.slice(i);
}

function takeNonSpace(s: string): string {
  let i = 0;
  while (i < s.length) {
    const cp = s.codePointAt(i) ?? 0;
    if (isGoSpace(cp)) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return s.slice(0, i);
}

/** The key and value of a well-formed //go:debug directive. */
export interface GoDebugSetting {
  readonly key: string;
  readonly value: string;
}

/**
 * cmd/go's ParseGoDebug plus the syntactic part of modload.CheckGodebug. Undefined when the
 * comment is not a //go:debug line; an error message (as cmd/go prints it after
 * "invalid //go:debug: ") when it is malformed. Unknown keys are not detected here: that needs
 * the toolchain's internal/godebugs table.
 */
export function parseGoDebugDirective(text: string): Result<GoDebugSetting, string> | undefined {
  if (!text.startsWith('//go:debug')) return undefined;
  const i = text.search(/[ \t]/);
  if (i < 0) {
    return goTrimSpace(text) === '//go:debug' ? err('missing key=value') : undefined;
  }
  const kv = goTrimSpace(text.slice(i));
  const eq = kv.indexOf('=');
  if (eq < 0) return err('missing key=value');
  const key = kv.slice(0, eq);
  const value = kv.slice(eq + 1);
  if (/[ \t]/.test(key)) return err('key contains space');
  if (/[ \t]/.test(value)) return err('value contains space');
  if (key.includes(',')) return err('key contains comma');
  if (value.includes(',')) return err('value contains comma');
  if (key === 'default' && !(value.startsWith('go') && isValidGoVersion(value.slice(2)))) {
    return err('value for default= must be goVERSION');
  }
  return ok({ key, value });
}

/** gover.IsValid: `1`, `1.21`, `1.21.3`, `1.21rc1`, `1.21beta2`. */
function isValidGoVersion(v: string): boolean {
  return /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*)((rc|beta)[1-9][0-9]*|\.(0|[1-9][0-9]*))?)?$/.test(v);
}
