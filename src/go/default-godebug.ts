import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareGoVersions } from './go-mod';

/** One entry of `internal/godebugs.All` that has a changed default. */
interface GodebugChange {
  readonly name: string;
  readonly changed: number;
  readonly old: string;
}

/** What pgobuild needs from the SDK's `internal/godebugs` table. */
interface GodebugTable {
  /** Every known setting (`godebugs.All`), changed default or not. */
  readonly known: ReadonlySet<string>;
  /** The settings whose default changed in some Go version. */
  readonly changes: readonly GodebugChange[];
  /** Removed settings (`godebugs.Removed`) and the minor version that removed each. */
  readonly removed: ReadonlyMap<string, number>;
}

const tableCache = new Map<string, GodebugTable>();

/**
 * Reads the SDK's own GODEBUG table (`$GOROOT/src/internal/godebugs/table.go`), so defaults and
 * the known keys always match the toolchain in use rather than a copy frozen into pgobuild.
 */
function godebugTable(goroot: string): GodebugTable {
  let table = tableCache.get(goroot);
  if (table === undefined) {
    const text = fs.readFileSync(
      path.join(goroot, 'src', 'internal', 'godebugs', 'table.go'),
      'utf8',
    );
    // `var Removed = []RemovedInfo{…}` (Go ≥ 1.24) follows `var All`; older tables have no list.
    const removedAt = text.search(/\bvar Removed\b/);
    const allText = removedAt < 0 ? text : text.slice(0, removedAt);
    const removedText = removedAt < 0 ? '' : text.slice(removedAt);
    const known = new Set<string>();
    const changes: GodebugChange[] = [];
    for (const m of allText.matchAll(/\{Name:\s*"([^"]+)"[^}]*\}/g)) {
      const name = m[1] as string;
      known.add(name);
      const changed = /Changed:\s*(\d+)/.exec(m[0]);
      const old = /Old:\s*"([^"]*)"/.exec(m[0]);
      if (changed !== null)
        changes.push({ name, changed: Number(changed[1]), old: old?.[1] ?? '' });
    }
    const removed = new Map<string, number>();
    for (const m of removedText.matchAll(/\{Name:\s*"([^"]+)",\s*Removed:\s*(\d+)\s*\}/g))
      removed.set(m[1] as string, Number(m[2]));
    table = { known, changes, removed };
    tableCache.set(goroot, table);
  }
  return table;
}

/**
 * cmd/go's `modload.CheckGodebug` for a well-formed `key=value` (the syntax is checked where it is
 * parsed): `default=goX` must not be newer than the toolchain, any other key must be a setting of
 * the toolchain's table. `verb` is how cmd/go names the setting: `godebug` for go.mod/go.work
 * lines, `//go:debug setting` for directives. Returns cmd/go's message, or undefined when valid.
 */
export function checkGodebugSetting(
  goroot: string,
  toolchainVersion: string,
  verb: 'godebug' | '//go:debug setting',
  key: string,
  value: string,
): string | undefined {
  if (key === 'default') {
    const v = value.replace(/^go/, '');
    const local = toolchainVersion.replace(/^go/, '');
    if (value.startsWith('go') && compareGoVersions(v, local) > 0)
      return `default=${value} too new (toolchain is go${local})`;
    return undefined;
  }
  const table = godebugTable(goroot);
  if (table.known.has(key)) return undefined;
  const removed = table.removed.get(key);
  if (removed !== undefined)
    return `use of removed ${verb} "${key}", see https://go.dev/doc/godebug#go-1${removed}`;
  return `unknown ${verb} "${key}"`;
}

/**
 * The Go version whose GODEBUG defaults a main package gets (cmd/go `MainModules.GoVersion`):
 * the go.work `go` line (1.18 when absent) in workspace mode, else the go.mod `go` line (1.16
 * when absent, `gover.DefaultGoModVersion`), and outside any module the toolchain's own version.
 */
export function mainModuleGoVersion(
  source: { readonly goVersion?: string; readonly modulePath?: string } | undefined,
  toolchainVersion: string,
): string {
  if (source === undefined) return toolchainVersion.replace(/^go/, '');
  if (source.goVersion !== undefined) return source.goVersion;
  return 'modulePath' in source && source.modulePath !== undefined ? '1.16' : '1.18';
}

/**
 * cmd/go's `defaultGODEBUG` for a main package (load/godebug.go): the defaults implied by the main
 * module's go version (see {@link mainModuleGoVersion}), overridden by go.mod `godebug` lines and
 * then by `//go:debug` directives; a `default=go1.X` entry moves the base version. Keys sorted,
 * `k=v` joined by commas.
 */
export function defaultGodebug(
  goroot: string,
  goVersion: string,
  goModGodebug: readonly { key: string; value: string }[],
  directives: readonly { key: string; value: string }[],
): string {
  const overrides = new Map<string, string>();
  for (const { key, value } of [...goModGodebug, ...directives]) overrides.set(key, value);
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
    for (const entry of godebugTable(goroot).changes)
      if (n < entry.changed) values.set(entry.name, entry.old);
  }
  for (const [k, v] of overrides) values.set(k, v);
  return [...values.keys()]
    .sort()
    .map((k) => `${k}=${values.get(k) ?? ''}`)
    .join(',');
}
