// go/ast's CommentGroup.Text and go/doc's example output extraction.

/** `ast.CommentGroup.Text` for the texts of a group's comments (`//…` or `/*…*\/`, no CRs). */
export function commentGroupText(comments: readonly string[]): string {
  const lines: string[] = [];
  for (let c of comments) {
    if (c[1] === '/') {
      c = c.slice(2);
      if (c.length > 0) {
        if (c[0] === ' ') {
          // Strip the first space: required for Example tests.
          c = c.slice(1);
        } else if (isDirective(c)) {
          continue;
        }
      }
    } else if (c[1] === '*') {
      c = c.slice(2, -2);
    }
    for (const l of c.split('\n')) lines.push(l.replace(/[ \t\n\r]+$/, ''));
  }
  // Remove leading blank lines; collapse runs of interior blank lines to one.
  const kept: string[] = [];
  for (const line of lines) {
    if (line !== '' || (kept.length > 0 && kept[kept.length - 1] !== '')) kept.push(line);
  }
  if (kept.length > 0 && kept[kept.length - 1] !== '') kept.push('');
  return kept.join('\n');
}

/** go/ast's isDirective (the text after `//`): `line `, `extern `, `export `, or `[a-z0-9]+:[a-z0-9]`. */
function isDirective(c: string): boolean {
  if (c.startsWith('line ') || c.startsWith('extern ') || c.startsWith('export ')) return true;
  const colon = c.indexOf(':');
  if (colon <= 0 || colon + 1 >= c.length) return false;
  for (let i = 0; i <= colon + 1; i++) {
    if (i === colon) continue;
    if (!/^[a-z0-9]$/.test(c[i] ?? '')) return false;
  }
  return true;
}

const outputPrefix = /^[\t\n\v\f\r ]*(unordered )?output:/iu;

/** What an example's last comment says about its expected output (go/doc's exampleOutput). */
export interface ExampleOutput {
  readonly output: string;
  readonly unordered: boolean;
  /** There was an output comment (possibly with empty output). */
  readonly hasOutput: boolean;
}

/** go/doc's exampleOutput applied to the text of the last comment group in an example body. */
export function exampleOutput(lastCommentText: string | undefined): ExampleOutput {
  if (lastCommentText !== undefined) {
    const m = outputPrefix.exec(lastCommentText);
    if (m !== null) {
      let text = lastCommentText.slice(m[0].length).replace(/^ +/, '');
      if (text.startsWith('\n')) text = text.slice(1);
      return { output: text, unordered: m[1] !== undefined, hasOutput: true };
    }
  }
  return { output: '', unordered: false, hasOutput: false };
}
