import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Result } from '../util/result';
import { err, ok } from '../util/result';

/** The rc file's name, at the workspace root. */
export const RC_FILE_NAME = '.pgobuildrc';

/** One argument for the CLI and where it came from (for error messages and relative paths). */
export interface SourcedArg {
  readonly arg: string;
  /** `command line` or `.pgobuildrc:3`. */
  readonly origin: string;
  /** The directory relative paths in the argument are resolved against. */
  readonly baseDir: string;
}

/** One `command --flag …` line of an rc file. */
export interface RcLine {
  /** `common`, `build`, `test`, … */
  readonly command: string;
  readonly args: readonly string[];
  /** 1-based. */
  readonly line: number;
}

/** A malformed rc file line (exit 2). */
export interface RcFileFailure {
  readonly reason: 'rc-file-syntax';
  /** `path:line: message`. */
  readonly message: string;
}

/** Commands an rc line may name; `common` applies to every command. */
const RC_COMMANDS = new Set([
  'common',
  'build',
  'test',
  'run',
  'query',
  'explain',
  'generate',
  'clean',
]);

/**
 * Reads `<root>/.pgobuildrc` (absent = no lines). The format is `.bazelrc`'s: one
 * `<command> <args…>` per line, `#` comments, blank lines, arguments split on whitespace with
 * '…' and "…" quoting. Bazel's `build:name` configs and `import` lines are not supported.
 */
export async function readRcFile(root: string): Promise<Result<RcLine[], RcFileFailure>> {
  const file = path.join(root, RC_FILE_NAME);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return ok([]);
    return err({ reason: 'rc-file-syntax', message: `${file}: cannot read: ${String(e)}` });
  }
  return parseRcFile(text, RC_FILE_NAME);
}

/** Parses rc file text; `name` is used in messages. */
export function parseRcFile(text: string, name: string): Result<RcLine[], RcFileFailure> {
  const lines: RcLine[] = [];
  const bad = (line: number, message: string): Result<RcLine[], RcFileFailure> =>
    err({ reason: 'rc-file-syntax', message: `${name}:${line}: ${message}` });
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const lineNo = i + 1;
    const words = splitWords(raw);
    if (words === undefined) return bad(lineNo, 'unterminated quote');
    const [command, ...args] = words;
    if (command === undefined) continue;
    if (command === 'import' || command === 'try-import') {
      return bad(lineNo, `'${command}' lines are not supported`);
    }
    if (command.includes(':')) {
      return bad(lineNo, `configs ('${command}') are not supported: name the command alone`);
    }
    if (!RC_COMMANDS.has(command)) {
      return bad(
        lineNo,
        `unknown command '${command}' (expected one of ${[...RC_COMMANDS].join(', ')})`,
      );
    }
    const notFlag = args.find(
      (a, j) => !a.startsWith('-') && !(args[j - 1] ?? '').startsWith('--'),
    );
    if (notFlag !== undefined) {
      return bad(lineNo, `'${notFlag}' is not a flag: rc lines hold flags only (--name=value)`);
    }
    lines.push({ command, args, line: lineNo });
  }
  return ok(lines);
}

/**
 * The rc arguments for a command, in file order: `common` lines, and the lines of the command and
 * of those it inherits from, as in Bazel (`test` and `run` inherit `build`).
 */
export function rcArgsFor(command: string, lines: readonly RcLine[], root: string): SourcedArg[] {
  const applies = new Set(['common', command]);
  if (command === 'test' || command === 'run') applies.add('build');
  return lines
    .filter((l) => applies.has(l.command))
    .flatMap((l) =>
      l.args.map((arg) => ({ arg, origin: `${RC_FILE_NAME}:${l.line}`, baseDir: root })),
    );
}

/** Splits on whitespace, honouring quotes; comments start at an unquoted `#`. */
function splitWords(line: string): string[] | undefined {
  const words: string[] = [];
  let current: string | undefined;
  let quote: string | undefined;
  for (const ch of line) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      current ??= '';
    } else if (ch === '#' && current === undefined) {
      break;
    } else if (/\s/.test(ch)) {
      if (current !== undefined) words.push(current);
      current = undefined;
    } else {
      current = (current ?? '') + ch;
    }
  }
  if (quote !== undefined) return undefined;
  if (current !== undefined) words.push(current);
  return words;
}
