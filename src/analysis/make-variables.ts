import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Result, type SourceSpan, err, ok } from '../util';

/** What the substitutions of an attribute's text stand for (every path exec-root relative). */
export interface MakeVariableContext {
  /**
   * The paths a label stands for, as written in `$(location X)`; undefined when no label
   * attribute of the target names it.
   */
  readonly locate: (label: string) => readonly string[] | undefined;
  /** The target's label attributes, for the message about a label none of them names. */
  readonly labelAttrs: readonly string[];
  /**
   * `$(NAME)`, and `$N` for a one-character name (Make's `$@`, `$<`): the rule's own
   * substitutions first, then the make variables of the configuration (`$(GOOS)`…).
   */
  readonly variables: Readonly<Record<string, string>>;
}

/** Where in the text an expansion failed (offset and length in the string) and why. */
export interface ExpansionProblem {
  readonly offset: number;
  readonly length: number;
  readonly message: string;
}

/** The `$(…)` functions taking a label: `location` needs exactly one file, the plural any number. */
const LABEL_FUNCTIONS: Readonly<Record<string, 'one' | 'many'>> = {
  location: 'one',
  locations: 'many',
  execpath: 'one',
  execpaths: 'many',
  rootpath: 'one',
  rootpaths: 'many',
};

/** Make's automatic variables, which genrule defines only for exactly one file. */
const AUTOMATIC: Readonly<Record<string, string>> = {
  '@': '$@ stands for the only output, and is defined only when there is exactly one; use $(OUTS)',
  '<': '$< stands for the only input, and is defined only when there is exactly one; use $(SRCS)',
};

/**
 * Expands Bazel's substitutions in `text` (genrule's `cmd`, or a string attribute a rule expands
 * with `ctx.expandMakeVariables`): `$(location X)`, `$(locations X)`, `$(execpath X)`,
 * `$(execpaths X)`, `$(rootpath X)`, `$(rootpaths X)` for labels of the target's label
 * attributes, `$(NAME)` and `$N` from the context's variables, and `$$` for a literal `$`.
 * Anything else after a `$` is an error, as in Bazel (a shell variable is written `$$VAR`).
 * Lists are joined with spaces and, like Bazel's, not quoted.
 */
export function expandMakeVariables(
  text: string,
  c: MakeVariableContext,
): Result<string, ExpansionProblem> {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    const problem = (length: number, message: string): Result<string, ExpansionProblem> =>
      err({ offset: dollar, length, message });
    if (next === '$') {
      out += '$';
      i = dollar + 2;
      continue;
    }
    if (next !== undefined && next !== '(') {
      const value = Object.hasOwn(c.variables, next) ? c.variables[next] : undefined;
      if (value !== undefined) {
        out += value;
        i = dollar + 2;
        continue;
      }
      const automatic = AUTOMATIC[next];
      if (automatic !== undefined) return problem(2, automatic);
    }
    if (next !== '(') {
      return problem(
        next === undefined ? 1 : 2,
        `'$' must be followed by '(', '@', '<' or '$': write '$$' for a '$' the shell should see (as in Bazel's genrule)`,
      );
    }
    const close = text.indexOf(')', dollar);
    if (close < 0) return problem(text.length - dollar, `unterminated '$(': no closing ')'`);
    const inner = text.slice(dollar + 2, close);
    const length = close + 1 - dollar;
    i = close + 1;
    const space = inner.search(/\s/);
    if (space >= 0) {
      const fn = inner.slice(0, space);
      const arg = inner.slice(space).trim();
      const arity = LABEL_FUNCTIONS[fn];
      if (arity === undefined)
        return problem(
          length,
          `unknown function $(${fn} ...): expected one of ${Object.keys(LABEL_FUNCTIONS).join(', ')}`,
        );
      const paths = c.locate(arg);
      if (paths === undefined)
        return problem(
          length,
          `label '${arg}' in $(${fn}) is named by no label attribute of this target (${c.labelAttrs.join(', ')}): add it to one`,
        );
      if (arity === 'one' && paths.length !== 1)
        return problem(
          length,
          `label '${arg}' in $(${fn}) expands to ${paths.length} files; use $(${fn}s ${arg})`,
        );
      out += (fn.startsWith('rootpath') ? paths.map(rootPathOf) : paths).join(' ');
      continue;
    }
    const value = Object.hasOwn(c.variables, inner) ? c.variables[inner] : undefined;
    if (value === undefined) {
      const known = Object.keys(c.variables).filter((v) => v.length > 1);
      return problem(
        length,
        `unknown variable $(${inner}): expected one of ${known.map((v) => `$(${v})`).join(', ')}, or $(location <label>)`,
      );
    }
    out += value;
  }
  return ok(out);
}

/**
 * Bazel's `rootpath`: a file's path relative to its output root (a runfiles path), the
 * workspace path for a source, `<package>/<out>` for an output.
 */
function rootPathOf(p: string): string {
  return p.replace(/^pgobuild-out\/(host\/)?bin\//, '');
}

/**
 * The span of a failed substitution in the BUILD file when the attribute's string is written on
 * one line (found there verbatim); otherwise the attribute's.
 */
export function problemSpan(
  root: string,
  span: SourceSpan,
  text: string,
  problem: { readonly offset: number; readonly length: number },
): SourceSpan {
  const token = text.slice(problem.offset, problem.offset + problem.length);
  let line: string | undefined;
  try {
    line = fs.readFileSync(path.join(root, span.file), 'utf8').split('\n')[span.line - 1];
  } catch {
    return span;
  }
  if (line === undefined || token.includes('\n')) return span;
  // The literal's text up to the token, if written without escapes, starts right after the quote.
  const prefix = text.slice(0, problem.offset);
  const start = span.col; // span.col is the quote's column (1-based): text starts at index col.
  if (!prefix.includes('\n') && line.slice(start, start + prefix.length) === prefix) {
    const col = start + prefix.length + 1;
    if (line.slice(col - 1, col - 1 + token.length) === token)
      return { ...span, col, endCol: col + token.length };
  }
  const at = line.indexOf(token, span.col - 1);
  return at < 0 ? span : { ...span, col: at + 1, endCol: at + 1 + token.length };
}
