import * as fs from 'node:fs';

/** Appends a new exported function to a Go file (changes its export data, so dependents rebuild). */
export function addExportedFunction(file: string, tag: string): void {
  fs.appendFileSync(
    file,
    `\n// BenchEdit${tag} exists to invalidate this package.\nfunc BenchEdit${tag}() int { return ${tag.length} }\n`,
  );
}

/**
 * Edits the body of an existing function, the edit a developer makes all day: the first line
 * starting with `signature` (e.g. `func Score(`) gains a first statement that counts into a
 * package-level variable, declared once at the end of the file. The signature, and so the
 * package's API, stays the same; the object code changes on every edit (the statement repeats).
 */
export function editFunctionBody(file: string, signature: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(signature) && l.trimEnd().endsWith('{'));
  if (at < 0) throw new Error(`${file}: no function line starting with ${signature}`);
  lines.splice(at + 1, 0, '\tbenchBodyEdits++');
  const declared = text.includes('\nvar benchBodyEdits int\n');
  fs.writeFileSync(file, `${lines.join('\n')}${declared ? '' : '\nvar benchBodyEdits int\n'}`);
}
