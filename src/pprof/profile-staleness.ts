import type { PprofProfile } from './profile';
import type { WeightedEdge } from './profile-edges';

/** Where each function of a package is declared: `F` or `T.M` → lines of its `func` keyword. */
export type DeclaredFunctions = ReadonlyMap<string, readonly number[]>;

/** One hot function of the profile that no longer matches the source. */
export interface StaleFunction {
  readonly name: string;
  /** `missing`: no such function in its package now; `moved`: its `func` line changed. */
  readonly why: 'missing' | 'moved';
  readonly profileLine: number;
  readonly sourceLines: readonly number[];
}

/** How much of a profile's hot set still matches the current source. */
export interface Staleness {
  /** Hot functions that belong to workspace packages (the only ones checked). */
  readonly checkedFunctions: number;
  readonly staleFunctions: readonly StaleFunction[];
  /** Hot edges whose caller or callee is a checked function. */
  readonly checkedEdges: number;
  readonly staleEdges: number;
  /** staleEdges / checkedEdges (0 when nothing was checked). */
  readonly rate: number;
}

/**
 * A linker symbol split into package path and the rest (`example.com/a/lib.(*T).M` →
 * `example.com/a/lib`, `(*T).M`), generic shape arguments removed first.
 */
export function splitSymbol(name: string): { pkg: string; rest: string } | undefined {
  let plain = '';
  let depth = 0;
  for (const ch of name) {
    if (ch === '[') depth++;
    else if (ch === ']') depth--;
    else if (depth === 0) plain += ch;
  }
  const slash = plain.lastIndexOf('/');
  const dot = plain.indexOf('.', slash + 1);
  if (dot < 0) return undefined;
  return { pkg: plain.slice(0, dot), rest: plain.slice(dot + 1) };
}

const WRAPPER = /^(func|gowrap|deferwrap)\d+$/;

/**
 * The declaration a symbol's rest names: `F`, or `T.M` for a method; `closure` when the symbol
 * is a function literal (or go/defer wrapper) inside it, whose own line is not the `func` line.
 * Undefined for package-level closures (`glob..func1`) and other compiler-made names.
 */
export function declarationOf(rest: string): { key: string; closure: boolean } | undefined {
  const parts = rest.replace(/^\(\*?([^)]+)\)/, '$1').split('.');
  const head: string[] = [];
  for (const p of parts) {
    if (WRAPPER.test(p) || /^\d+$/.test(p)) break;
    head.push(p);
  }
  if (
    head.length === 0 ||
    head.length > 2 ||
    head.some((p) => !/^[\p{L}_][\p{L}\p{N}_]*$/u.test(p))
  )
    return undefined;
  return { key: head.join('.'), closure: head.length < parts.length };
}

/**
 * Finds the `func` declarations of Go source text: `func F(`, `func (r *T) M(`, generics
 * included. Returns key → 1-based lines.
 */
export function scanDeclaredFunctions(texts: readonly string[]): DeclaredFunctions {
  const out = new Map<string, number[]>();
  const re =
    /^func\s*(?:\(\s*(?:[\p{L}_][\p{L}\p{N}_]*\s+)?\*?\s*([\p{L}_][\p{L}\p{N}_]*)(?:\[[^\]]*\])?\s*\)\s*)?([\p{L}_][\p{L}\p{N}_]*)\s*[[(]/u;
  for (const text of texts) {
    text.split('\n').forEach((line, i) => {
      const m = re.exec(line);
      if (m === null) return;
      const key = m[1] !== undefined ? `${m[1]}.${m[2]}` : (m[2] as string);
      const lines = out.get(key) ?? [];
      lines.push(i + 1);
      out.set(key, lines);
    });
  }
  return out;
}

/**
 * The stale rate of a profile's hot set (reference §6.1–6.2: the compiler matches functions by
 * linker name and call sites by line offset from the `func` line): every hot function of a
 * workspace package is looked up in its package's current source (`declared(pkg)`, undefined
 * for packages outside the workspace); a function that is gone, or whose `func` line moved
 * (so every offset of its call sites is off), is stale, and so is each hot edge touching it.
 */
export function profileStaleness(
  p: PprofProfile,
  hot: readonly WeightedEdge[],
  declared: (pkg: string) => DeclaredFunctions | undefined,
): Staleness {
  const startLine = new Map<string, number>();
  for (const f of p.functions) if (!startLine.has(f.name)) startLine.set(f.name, f.startLine);
  const verdicts = new Map<string, StaleFunction | 'fresh' | 'unchecked'>();
  const judge = (name: string): StaleFunction | 'fresh' | 'unchecked' => {
    const known = verdicts.get(name);
    if (known !== undefined) return known;
    let verdict: StaleFunction | 'fresh' | 'unchecked' = 'unchecked';
    const sym = splitSymbol(name);
    const decl = sym === undefined ? undefined : declarationOf(sym.rest);
    const functions = sym === undefined ? undefined : declared(sym.pkg);
    if (decl !== undefined && functions !== undefined) {
      const lines = functions.get(decl.key) ?? [];
      const line = startLine.get(name) ?? 0;
      if (lines.length === 0)
        verdict = { name, why: 'missing', profileLine: line, sourceLines: [] };
      else if (!decl.closure && line !== 0 && !lines.includes(line))
        verdict = { name, why: 'moved', profileLine: line, sourceLines: lines };
      else verdict = 'fresh';
    }
    verdicts.set(name, verdict);
    return verdict;
  };
  let checkedEdges = 0;
  let staleEdges = 0;
  for (const e of hot) {
    const a = judge(e.caller);
    const b = judge(e.callee);
    if (a === 'unchecked' && b === 'unchecked') continue;
    checkedEdges++;
    if (typeof a === 'object' || typeof b === 'object') staleEdges++;
  }
  const checked = [...verdicts.values()].filter((v) => v !== 'unchecked');
  return {
    checkedFunctions: checked.length,
    staleFunctions: checked.filter((v): v is StaleFunction => typeof v === 'object'),
    checkedEdges,
    staleEdges,
    rate: checkedEdges > 0 ? staleEdges / checkedEdges : 0,
  };
}
