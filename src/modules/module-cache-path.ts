import * as path from 'node:path';

/**
 * `module.EscapePath`/`EscapeVersion`: the module cache spells an upper-case letter as `!` and the
 * letter in lower case, so that case-insensitive file systems keep distinct modules apart.
 */
export function escapeModulePath(text: string): string {
  return text.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}

/** Where cmd/go extracts `modulePath@version` in the module cache `gomodcache`. */
export function moduleCacheDir(gomodcache: string, modulePath: string, version: string): string {
  return path.join(gomodcache, `${escapeModulePath(modulePath)}@${escapeModulePath(version)}`);
}
