import { err, ok, type Result } from '../util/result';
import type { PprofFunction, PprofLocation, PprofProfile, PprofSample } from './profile';

/*
 * Renaming profile functions after a refactor (`pgobuild pgo rename`).
 *
 * The compiler matches profile nodes by linker symbol name (reference §6.1), so a package move or
 * a type rename makes every sample of the moved code stale. A mapping OLD=NEW is written in the
 * grammar of those names:
 *
 *   symbol    = [ "type:.eq." | "type:.hash." ] pkgpath "." component { "." component }
 *   pkgpath   = the package path, up to the first "." after its last "/"; a "." inside its last
 *               element is written %2e, as the linker writes it (gopkg.in/yaml%2ev3)
 *   component = name [ "[" type args "]" ] [ "-fm" ]      e.g. Map[...], Handle-fm, func1, 2
 *             | "(*" name [ "[" type args "]" ] ")"       a pointer receiver, e.g. (*List[...])
 *
 * - A **package mapping** (OLD has no "." after its last "/", e.g. `example.com/a/old`) matches
 *   every symbol whose package path is OLD or lies under it as whole path elements
 *   (`example.com/a/old/sub`, not `example.com/a/older`), and replaces that prefix with NEW,
 *   which must be a package path too. Function file names under OLD (`-trimpath` form,
 *   `example.com/a/old/x.go`) move with it.
 * - A **name mapping** (OLD is `pkgpath.C1[.C2…]`, e.g. `example.com/a/lib.Square`,
 *   `example.com/a/lib.(*T).M`, `example.com/a/lib.F`) matches the symbols of that exact package
 *   whose leading components are C1…Ck, as whole components: `lib.Square` matches `lib.Square`,
 *   its methods `lib.Square.Area` and `lib.(*Square).Grow`, its generic instantiations
 *   `lib.(*Square[...]).Grow`, its closures `lib.Square.Area.func1`, but not `lib.SquareRoot`.
 *   Those k components are replaced by NEW's (NEW is a name too, possibly in another package);
 *   the rest of the symbol (methods, closures), type arguments and a `-fm` suffix are kept.
 *   Receivers: OLD `T` matches both `T.M` and `(*T).M` and the symbol keeps its form; OLD `(*T)`
 *   matches pointer receivers only; NEW `(*T)` makes the result a pointer receiver and, after an
 *   OLD `(*T)`, NEW `T` makes it a value receiver.
 * - When several mappings match a symbol, the most specific one applies alone: name mappings
 *   before package mappings, more components before fewer, longer package paths before shorter.
 *   Names inside type arguments are not rewritten (runtime/pprof writes generic shapes there).
 */

/** One parsed component of a symbol after its package path. */
interface Component {
  readonly name: string;
  readonly pointer: boolean;
  /** `[...]` type arguments, kept as written. */
  readonly args: string;
  /** `-fm` (method value wrapper) or ''. */
  readonly suffix: string;
}

/** A symbol split per the grammar above. */
interface ParsedSymbol {
  readonly prefix: string;
  readonly pkg: string;
  readonly components: readonly Component[];
}

/** One `--map OLD=NEW`, parsed. */
export interface RenameMapping {
  /** The argument as the user wrote it (`OLD=NEW`), for reports. */
  readonly spec: string;
  readonly from: string;
  readonly to: string;
  readonly kind: 'package' | 'name';
  readonly fromSymbol: ParsedSymbol;
  readonly toSymbol: ParsedSymbol;
}

/** What one mapping did. */
export interface MappingReport {
  readonly spec: string;
  readonly kind: 'package' | 'name';
  /** Distinct function names it renamed. */
  readonly functions: number;
  /** Samples with at least one frame it renamed. */
  readonly samples: number;
  /** Up to 5 renames it made, `old → new`, as examples. */
  readonly examples: readonly string[];
}

/** The renamed profile and an account per mapping. */
export interface RenameResult {
  readonly profile: PprofProfile;
  readonly mappings: readonly MappingReport[];
  /** Distinct function names renamed by any mapping. */
  readonly renamedFunctions: number;
}

const SPECIALS = ['type:.eq.', 'type:.hash.'];

/** Splits `s` on `sep` characters that are outside `[...]` and `(...)`. */
function splitTopLevel(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '[' || ch === '(') depth++;
    else if (ch === ']' || ch === ')') depth--;
    else if (ch === sep && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

function parseComponent(text: string): Component {
  let body = text;
  let suffix = '';
  if (body.endsWith('-fm')) {
    suffix = '-fm';
    body = body.slice(0, -3);
  }
  let pointer = false;
  const ptr = /^\(\*(.*)\)$/s.exec(body);
  if (ptr !== null) {
    pointer = true;
    body = ptr[1] as string;
  }
  const bracket = body.indexOf('[');
  const name = bracket < 0 ? body : body.slice(0, bracket);
  const args = bracket < 0 ? '' : body.slice(bracket);
  return { name, pointer, args, suffix };
}

/** Parses a linker symbol name; undefined when it has no package-qualified form. */
function parseSymbol(symbol: string): ParsedSymbol | undefined {
  const prefix = SPECIALS.find((p) => symbol.startsWith(p)) ?? '';
  const s = symbol.slice(prefix.length);
  // The package path ends at the first "." after the last "/" (outside type arguments).
  let depth = 0;
  let lastSlash = -1;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '[' || ch === '(') depth++;
    else if (ch === ']' || ch === ')') depth--;
    else if (ch === '/' && depth === 0) lastSlash = i;
  }
  depth = 0;
  for (let i = lastSlash + 1; i < s.length; i++) {
    const ch = s[i];
    if (ch === '[' || ch === '(') depth++;
    else if (ch === ']' || ch === ')') depth--;
    else if (ch === '.' && depth === 0) {
      if (i === 0) return undefined;
      return {
        prefix,
        pkg: s.slice(0, i),
        components: splitTopLevel(s.slice(i + 1), '.').map(parseComponent),
      };
    }
  }
  return { prefix, pkg: s, components: [] };
}

function formatComponent(c: Component): string {
  const body = `${c.name}${c.args}`;
  return `${c.pointer ? `(*${body})` : body}${c.suffix}`;
}

function formatSymbol(p: ParsedSymbol): string {
  return [p.prefix + p.pkg, ...p.components.map(formatComponent)].join('.');
}

const IDENT = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const COMPONENT = /^[^\s.()[\]=]+$/u;
const PATH_ELEMENT = /^[^\s/()[\]=]+$/u;

/** Checks one side of a mapping against the grammar; returns what is wrong, or undefined. */
function checkSide(text: string, parsed: ParsedSymbol | undefined): string | undefined {
  if (text === '') return 'is empty';
  if (/\s/.test(text)) return 'contains white space';
  if (parsed === undefined || parsed.prefix !== '')
    return 'is not a package path or a function name';
  if (parsed.pkg.split('/').some((e) => !PATH_ELEMENT.test(e)))
    return `has a malformed package path "${parsed.pkg}"`;
  for (const [i, c] of parsed.components.entries()) {
    if (c.args !== '')
      return 'writes type arguments; leave them out, instantiations are matched and kept';
    if (c.suffix !== '') return 'ends in -fm; name the method, its wrappers follow it';
    if (c.pointer && i !== 0) return 'has (*T) after the first component (only a receiver can)';
    if (c.pointer ? !IDENT.test(c.name) : !COMPONENT.test(c.name))
      return `has a malformed component "${formatComponent(c)}"`;
  }
  return undefined;
}

/**
 * Parses one `OLD=NEW` (the `--map` argument or a `--map-file` line). Failures say what is wrong
 * without naming where (the caller adds `--map X` or `file:line`).
 */
export function parseRenameMapping(spec: string): Result<RenameMapping, string> {
  const eq = spec.indexOf('=');
  if (eq < 0) return err('expected OLD=NEW, e.g. example.com/a/old=example.com/a/new');
  const from = spec.slice(0, eq).trim();
  const to = spec.slice(eq + 1).trim();
  const fromSymbol = parseSymbol(from);
  const toSymbol = parseSymbol(to);
  const bad = checkSide(from, fromSymbol);
  if (bad !== undefined) return err(`OLD "${from}" ${bad}`);
  const badTo = checkSide(to, toSymbol);
  if (badTo !== undefined) return err(`NEW "${to}" ${badTo}`);
  if (fromSymbol === undefined || toSymbol === undefined) return err('unreachable');
  const kind = fromSymbol.components.length === 0 ? 'package' : 'name';
  const toKind = toSymbol.components.length === 0 ? 'package' : 'name';
  if (kind !== toKind)
    return err(
      `OLD "${from}" is a ${kind === 'package' ? 'package path' : 'function or type name'} but NEW "${to}" is a ${toKind === 'package' ? 'package path' : 'function or type name'}; both sides must be the same kind`,
    );
  if (from === to) return err(`OLD and NEW are the same ("${from}")`);
  return ok({ spec: `${from}=${to}`, from, to, kind, fromSymbol, toSymbol });
}

/** Orders mappings most specific first (see the grammar comment). */
function specificity(m: RenameMapping): number {
  return m.kind === 'name'
    ? 1_000_000 + m.fromSymbol.components.length * 10_000 + m.fromSymbol.pkg.length
    : m.fromSymbol.pkg.length;
}

/** Applies `m` to a parsed symbol; undefined when it does not match. */
function applyMapping(m: RenameMapping, s: ParsedSymbol): ParsedSymbol | undefined {
  const from = m.fromSymbol;
  const to = m.toSymbol;
  if (m.kind === 'package') {
    if (s.pkg !== from.pkg && !s.pkg.startsWith(`${from.pkg}/`)) return undefined;
    return { ...s, pkg: to.pkg + s.pkg.slice(from.pkg.length) };
  }
  if (s.pkg !== from.pkg || s.components.length < from.components.length) return undefined;
  for (const [i, c] of from.components.entries()) {
    const have = s.components[i] as Component;
    if (have.name !== c.name || (c.pointer && !have.pointer)) return undefined;
  }
  const k = from.components.length;
  const replaced = to.components.map((c, i): Component => {
    const old = i < k ? s.components[i] : undefined;
    if (old === undefined) return c;
    const pointer = c.pointer || (old.pointer && !(from.components[i]?.pointer ?? false));
    return { name: c.name, pointer, args: old.args, suffix: old.suffix };
  });
  return { prefix: s.prefix, pkg: to.pkg, components: [...replaced, ...s.components.slice(k)] };
}

/**
 * Renames the functions of `p` by `mappings` (see the grammar above). Every sample, location,
 * mapping and value is kept; only function names (and system names, and file names under a
 * moved package) change.
 */
export function renameFunctions(p: PprofProfile, mappings: readonly RenameMapping[]): RenameResult {
  const ordered = [...mappings].sort((a, b) => specificity(b) - specificity(a));
  const renamesBy = new Map<RenameMapping, Map<string, string>>(
    mappings.map((m) => [m, new Map()]),
  );
  const memo = new Map<string, { to: string; by: RenameMapping } | null>();
  const rename = (name: string): { to: string; by: RenameMapping } | null => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    let result: { to: string; by: RenameMapping } | null = null;
    const parsed = parseSymbol(name);
    if (parsed !== undefined && parsed.components.length > 0) {
      for (const m of ordered) {
        const out = applyMapping(m, parsed);
        if (out === undefined) continue;
        const to = formatSymbol(out);
        if (to !== name) result = { to, by: m };
        break;
      }
    }
    memo.set(name, result);
    if (result !== null) renamesBy.get(result.by)?.set(name, result.to);
    return result;
  };

  const renamedFns = new Set<PprofFunction>();
  const byMapping = new Map<PprofFunction, RenameMapping>();
  const functions = new Map<PprofFunction, PprofFunction>();
  for (const f of p.functions) {
    const n = rename(f.name);
    const sys = f.systemName === f.name ? n : rename(f.systemName);
    if (n === null && sys === null) {
      functions.set(f, f);
      continue;
    }
    let filename = f.filename;
    const by = n?.by ?? sys?.by;
    if (by?.kind === 'package') {
      const from = by.fromSymbol.pkg;
      if (filename.startsWith(`${from}/`)) filename = by.toSymbol.pkg + filename.slice(from.length);
    }
    const renamed: PprofFunction = {
      ...f,
      name: n?.to ?? f.name,
      systemName: sys?.to ?? f.systemName,
      filename,
    };
    functions.set(f, renamed);
    renamedFns.add(renamed);
    if (by !== undefined) byMapping.set(renamed, by);
  }
  const locations = new Map<PprofLocation, PprofLocation>();
  for (const l of p.locations) {
    locations.set(l, {
      ...l,
      lines: l.lines.map((ln) => ({
        ...ln,
        function:
          ln.function === undefined ? undefined : (functions.get(ln.function) ?? ln.function),
      })),
    });
  }
  const sampleCounts = new Map<RenameMapping, number>();
  const samples: PprofSample[] = p.samples.map((s) => {
    const locs = s.locations.map((l) => locations.get(l) ?? l);
    const touched = new Set<RenameMapping>();
    for (const l of locs)
      for (const ln of l.lines) {
        const by = ln.function === undefined ? undefined : byMapping.get(ln.function);
        if (by !== undefined) touched.add(by);
      }
    for (const m of touched) sampleCounts.set(m, (sampleCounts.get(m) ?? 0) + 1);
    return { ...s, locations: locs };
  });
  const profile: PprofProfile = {
    ...p,
    functions: p.functions.map((f) => functions.get(f) ?? f),
    locations: p.locations.map((l) => locations.get(l) ?? l),
    samples,
  };
  const all = new Set<string>();
  const reports = mappings.map((m): MappingReport => {
    const renames = renamesBy.get(m) ?? new Map<string, string>();
    for (const k of renames.keys()) all.add(k);
    return {
      spec: m.spec,
      kind: m.kind,
      functions: renames.size,
      samples: sampleCounts.get(m) ?? 0,
      examples: [...renames].slice(0, 5).map(([a, b]) => `${a} → ${b}`),
    };
  });
  return { profile, mappings: reports, renamedFunctions: all.size };
}

/**
 * A hint for a mapping that matched nothing: when OLD, read as a package path with its last
 * element's dots escaped (`gopkg.in/yaml.v3` → `gopkg.in/yaml%2ev3`), names a package of the
 * profile, the user meant that.
 */
export function unmatchedMappingHint(p: PprofProfile, m: RenameMapping): string | undefined {
  const slash = m.from.lastIndexOf('/');
  const escaped = m.from.slice(0, slash + 1) + m.from.slice(slash + 1).replaceAll('.', '%2e');
  if (escaped === m.from) return undefined;
  const hit = p.functions.some((f) => {
    const s = parseSymbol(f.name);
    return s !== undefined && (s.pkg === escaped || s.pkg.startsWith(`${escaped}/`));
  });
  return hit
    ? `the profile has package ${escaped}: a "." in the last element of a package path is written %2e, as the linker writes it`
    : undefined;
}
