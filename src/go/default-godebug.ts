import * as fs from 'node:fs';
import * as path from 'node:path';

/** One entry of `internal/godebugs.All` that has a changed default. */
interface GodebugChange {
  readonly name: string;
  readonly changed: number;
  readonly old: string;
}

const tableCache = new Map<string, readonly GodebugChange[]>();

/**
 * Reads the SDK's own GODEBUG table (`$GOROOT/src/internal/godebugs/table.go`), so defaults always
 * match the toolchain in use rather than a copy frozen into pgobuild.
 */
function godebugTable(goroot: string): readonly GodebugChange[] {
  let table = tableCache.get(goroot);
  if (table === undefined) {
    const text = fs.readFileSync(
      path.join(goroot, 'src', 'internal', 'godebugs', 'table.go'),
      'utf8',
    );
    const entries: GodebugChange[] = [];
    for (const m of text.matchAll(/\{Name:\s*"([^"]+)"[^}]*\}/g)) {
      const changed = /Changed:\s*(\d+)/.exec(m[0]);
      const old = /Old:\s*"([^"]*)"/.exec(m[0]);
      if (changed !== null)
        entries.push({ name: m[1] as string, changed: Number(changed[1]), old: old?.[1] ?? '' });
    }
    table = entries;
    tableCache.set(goroot, table);
  }
  return table;
}

/**
 * cmd/go's `defaultGODEBUG` for a main package (load/godebug.go): the defaults implied by the main
 * module's go version, overridden by go.mod `godebug` lines and then by `//go:debug` directives;
 * a `default=go1.X` entry moves the base version. Keys sorted, `k=v` joined by commas.
 */
export function defaultGodebug(
  goroot: string,
  moduleGoVersion: string | undefined,
  goModGodebug: readonly { key: string; value: string }[],
  directives: readonly { key: string; value: string }[],
): string {
  const overrides = new Map<string, string>();
  for (const { key, value } of [...goModGodebug, ...directives]) overrides.set(key, value);
  let goVersion = moduleGoVersion ?? '1.20';
  const base = overrides.get('default');
  if (base !== undefined) {
    overrides.delete('default');
    const v = base.replace(/^go/, '');
    if (/^1\.\d+/.test(v)) goVersion = v;
  }
  const minor = /^1\.(\d+)/.exec(goVersion);
  const values = new Map<string, string>();
  if (minor !== null) {
    const n = Number(minor[1]);
    for (const entry of godebugTable(goroot))
      if (n < entry.changed) values.set(entry.name, entry.old);
  }
  for (const [k, v] of overrides) values.set(k, v);
  return [...values.keys()]
    .sort()
    .map((k) => `${k}=${values.get(k) ?? ''}`)
    .join(',');
}
