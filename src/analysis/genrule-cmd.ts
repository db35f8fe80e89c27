import { type Result, err, ok } from '../util';

/** What the substitutions of a genrule's `cmd` stand for (every path exec-root relative). */
export interface GenruleCmdContext {
  /**
   * The paths a label of `srcs` or `tools` stands for, as written in `$(location X)`; undefined
   * when the label is neither a src nor a tool of the genrule.
   */
  readonly locate: (label: string) => readonly string[] | undefined;
  /** `$(SRCS)` (and `$<` when there is exactly one). */
  readonly srcs: readonly string[];
  /** `$(OUTS)` (and `$@` when there is exactly one). */
  readonly outs: readonly string[];
  /** `$(RULEDIR)`: the package's output directory. */
  readonly ruleDir: string;
  /**
   * Make variables (`$(GOOS)`, `$(GOARCH)`, `$(BINDIR)`, `$(GENDIR)`): what the genrule's
   * configuration and output root define.
   */
  readonly makeVariables: Readonly<Record<string, string>>;
}

/** Where in `cmd` an expansion failed (offset and length in the string) and why. */
export interface CmdProblem {
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

/** The variables `$(NAME)` may name, for the "unknown variable" message. */
const VARIABLES = ['SRCS', 'OUTS', 'RULEDIR', '@D'];

/**
 * Expands Bazel's genrule substitutions in `cmd`: `$(location X)`, `$(locations X)`,
 * `$(execpath X)`, `$(execpaths X)`, `$(rootpath X)`, `$(rootpaths X)` for labels of `srcs` and
 * `tools`, `$(SRCS)`, `$(OUTS)`, `$(RULEDIR)`, `$(@D)`, the make variables of the context
 * (`$(GOOS)`…), `$@` (exactly one out), `$<` (exactly one src) and `$$` for a literal
 * `$`. Anything else after a `$` is an error, as in Bazel (a shell variable is written `$$VAR`).
 * Lists are joined with spaces and, like Bazel's, not quoted.
 */
export function expandGenruleCmd(cmd: string, c: GenruleCmdContext): Result<string, CmdProblem> {
  let out = '';
  let i = 0;
  while (i < cmd.length) {
    const dollar = cmd.indexOf('$', i);
    if (dollar < 0) {
      out += cmd.slice(i);
      break;
    }
    out += cmd.slice(i, dollar);
    const next = cmd[dollar + 1];
    const problem = (length: number, message: string): Result<string, CmdProblem> =>
      err({ offset: dollar, length, message });
    if (next === '$') {
      out += '$';
      i = dollar + 2;
      continue;
    }
    if (next === '@' || next === '<') {
      const list = next === '@' ? c.outs : c.srcs;
      const what = next === '@' ? 'outs' : 'srcs';
      if (list.length !== 1)
        return problem(
          2,
          `$${next} needs exactly one file in ${what}, and this genrule has ${list.length}; use $(${what.toUpperCase()})`,
        );
      out += list[0] as string;
      i = dollar + 2;
      continue;
    }
    if (next !== '(') {
      return problem(
        next === undefined ? 1 : 2,
        `'$' must be followed by '(', '@', '<' or '$': write '$$' for a '$' the shell should see (as in Bazel's genrule)`,
      );
    }
    const close = cmd.indexOf(')', dollar);
    if (close < 0) return problem(cmd.length - dollar, `unterminated '$(': no closing ')'`);
    const inner = cmd.slice(dollar + 2, close);
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
          `label '${arg}' in $(${fn}) is not a declared src or tool of this genrule: add it to srcs or tools`,
        );
      if (arity === 'one' && paths.length !== 1)
        return problem(
          length,
          `label '${arg}' in $(${fn}) expands to ${paths.length} files; use $(${fn}s ${arg})`,
        );
      out += (fn.startsWith('rootpath') ? paths.map(rootPathOf) : paths).join(' ');
      continue;
    }
    switch (inner) {
      case 'SRCS':
        out += c.srcs.join(' ');
        break;
      case 'OUTS':
        out += c.outs.join(' ');
        break;
      case 'RULEDIR':
        out += c.ruleDir;
        break;
      case '@D':
        out += c.outs.length === 1 ? dirOf(c.outs[0] as string) : c.ruleDir;
        break;
      default: {
        const made = Object.hasOwn(c.makeVariables, inner) ? c.makeVariables[inner] : undefined;
        if (made !== undefined) {
          out += made;
          break;
        }
        const known = [...VARIABLES, ...Object.keys(c.makeVariables)];
        return problem(
          length,
          `unknown variable $(${inner}): expected one of ${known.map((v) => `$(${v})`).join(', ')}, or $(location <label>)`,
        );
      }
    }
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

function dirOf(p: string): string {
  const slash = p.lastIndexOf('/');
  return slash < 0 ? '.' : p.slice(0, slash);
}
