import type { Diagnostic } from '../../util';

/**
 * Finds the first `#include` of an assembly file (or a header it lists) that names a file outside
 * the package: an absolute path, or a relative one whose `..` segments climb above the package
 * directory. The assembler would read such a file from wherever it is, and nothing in the action
 * key would change when it does (a stale object reused after the header changed), so a workspace
 * package may not include one. `-I` headers (`textflag.h`) and files of the package pass.
 *
 * @param display the file's workspace-relative path, for the diagnostic
 * @returns a diagnostic at the `#include` line, or undefined when every include stays inside
 */
export function outOfTreeInclude(display: string, text: string): Diagnostic | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, '');
    const m = /^(\s*#\s*include\s*)(["<])([^">]*)[">]?/.exec(line);
    if (m === null) continue;
    const name = m[3] as string;
    const problem = name.startsWith('/')
      ? 'is an absolute path'
      : climbsOut(name)
        ? 'is outside the package directory'
        : undefined;
    if (problem === undefined) continue;
    const col = (m[1] as string).length + 1;
    return {
      severity: 'error',
      span: { file: display, line: i + 1, col, endCol: col + name.length + 2 },
      message: `#include ${m[2]}${name}${m[2] === '<' ? '>' : '"'}: ${problem}; a header must be listed in srcs of this package (files outside it are not part of the action key)`,
      sourceLine: line,
    };
  }
  return undefined;
}

function climbsOut(rel: string): boolean {
  let depth = 0;
  for (const s of rel.split('/')) {
    depth += s === '..' ? -1 : s === '.' || s === '' ? 0 : 1;
    if (depth < 0) return true;
  }
  return false;
}
