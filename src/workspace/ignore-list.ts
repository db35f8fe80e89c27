import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMissing } from './fs-errors';

/** The file at the workspace root that lists directories pgobuild never looks into. */
export const IGNORE_FILE = '.pgobuildignore';

/**
 * Parses the text of a `.pgobuildignore` file (the `.bazelignore` format): one
 * workspace-relative directory per line; blank lines and lines starting with `#` are skipped.
 * Entries are normalised (`./a/b/` → `a/b`); entries that would leave the workspace (absolute,
 * or with a `..` segment) are dropped because they cannot name anything pgobuild walks.
 */
export function parseIgnoreFile(text: string): string[] {
  const entries: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('/')) continue;
    const segments = line.split('/').filter((s) => s !== '' && s !== '.');
    if (segments.length === 0 || segments.includes('..')) continue;
    entries.push(segments.join('/'));
  }
  return entries;
}

/**
 * Reads `<root>/.pgobuildignore` into a set of workspace-relative paths; an absent file means
 * nothing is ignored. Synchronous because glob, which runs inside the BUILD evaluator, needs it.
 */
export function loadIgnoreList(root: string): ReadonlySet<string> {
  let text: string;
  try {
    text = fs.readFileSync(path.join(root, IGNORE_FILE), 'utf8');
  } catch (e) {
    if (isMissing(e)) return new Set();
    throw e;
  }
  return new Set(parseIgnoreFile(text));
}

/** True when `relPath` (workspace-relative) is an ignored directory or lies below one. */
export function isIgnoredPath(relPath: string, ignored: ReadonlySet<string>): boolean {
  if (ignored.size === 0 || relPath === '') return false;
  let prefix = '';
  for (const segment of relPath.split('/')) {
    prefix = prefix === '' ? segment : `${prefix}/${segment}`;
    if (ignored.has(prefix)) return true;
  }
  return false;
}
