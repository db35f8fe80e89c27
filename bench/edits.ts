import * as fs from 'node:fs';

/** Appends a new exported function to a Go file (changes its export data, so dependents rebuild). */
export function addExportedFunction(file: string, tag: string): void {
  fs.appendFileSync(
    file,
    `\n// BenchEdit${tag} exists to invalidate this package.\nfunc BenchEdit${tag}() int { return ${tag.length} }\n`,
  );
}

/** The statement a body edit adds, and the package-level counter it needs. */
const COUNT = 'benchBodyEdits++';
const COUNTER_DECLARATION = '\nvar benchBodyEdits int\n';

/**
 * Edits the body of an existing function, the edit a developer makes all day: the first line
 * starting with `signature` (e.g. `func Score(`) gains a first statement counting into a
 * package-level variable. The first edit of a file inserts that statement on a new line and
 * declares the variable at the end of the file (every later declaration moves down a line, and
 * positions are part of the export data, so importers recompile as for an API change); each later
 * edit repeats the statement on that same line (`benchBodyEdits++; benchBodyEdits++`), so no
 * position moves and the signature, and so the package's API, stays the same while the object
 * code changes. Whether the export data changes then is the compiler's answer (an inlinable
 * function's body is part of it), for pgobuild and cmd/go alike.
 */
export function editFunctionBody(file: string, signature: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(signature) && l.trimEnd().endsWith('{'));
  if (at < 0) throw new Error(`${file}: no function line starting with ${signature}`);
  const first = lines[at + 1];
  if (first !== undefined && first.startsWith(`\t${COUNT}`)) {
    lines[at + 1] = `${first}; ${COUNT}`;
    fs.writeFileSync(file, lines.join('\n'));
    return;
  }
  lines.splice(at + 1, 0, `\t${COUNT}`);
  const declared = text.includes(COUNTER_DECLARATION);
  fs.writeFileSync(file, `${lines.join('\n')}${declared ? '' : COUNTER_DECLARATION}`);
}
