import type { Argument, CallExpr, Expr, Stmt } from '../starlark/ast';
import { parseFile } from '../starlark';
import { type Diagnostic, type Result, err, ok } from '../util';
import { type ListItem, type RuleArg, formatLoad, formatRule, sortArgs } from './buildifier-format';
import {
  type GeneratedKind,
  type GeneratedRule,
  MANAGED_ATTRS,
  type RuleNames,
} from './generated-rules';

const GO_KINDS: ReadonlySet<string> = new Set(['go_library', 'go_binary', 'go_test']);
const RULES_GO_LOADS: ReadonlySet<string> = new Set([
  '@rules_go//go:def.bzl',
  '@io_bazel_rules_go//go:def.bzl',
]);
/** Gazelle deletes a rule it owns when none of these is left after merging. */
const NON_EMPTY_ATTRS = ['srcs', 'deps', 'embed'];

/** A `# keep` comment, as Gazelle recognises it (`# keep`, `# keep: reason`). */
export function isKeepComment(comment: string): boolean {
  return /^#\s*keep\b/.test(comment.trim());
}

/**
 * Writes or updates a BUILD file with generated rules, the way Gazelle merges: an existing rule
 * of the same kind and name (or a go_library with the same importpath, or the only go_binary /
 * go_test) takes the generated values of the attributes `generate` owns (srcs, embedsrcs, embed,
 * importpath, deps), keeps every other attribute as written and anything marked `# keep` (the
 * rule, an attribute, a list element); rules `generate` would name but that have no sources any
 * more are deleted; everything else in the file is kept as written. `load` of rules_go's def.bzl
 * lists exactly the Go rules the file uses. The result is buildifier-formatted where it was
 * written by `generate`, and the same for the same input (idempotent).
 */
export function mergeBuildFile(
  file: string,
  existing: string | undefined,
  generated: readonly GeneratedRule[],
  names: RuleNames,
  loadLabel: string,
): Result<string, Diagnostic> {
  if (existing === undefined) {
    const kinds = generated.map((r) => r.kind);
    const parts = [formatLoad(loadLabel, kinds), ...generated.map(newRuleText)];
    return ok(`${parts.join('\n\n')}\n`);
  }
  const parsed = parseFile(file, existing, 'build');
  if (!parsed.ok) return err(parsed.failure.diagnostic);
  const lines = existing.split('\n');
  const statements = parsed.value.statements;

  // Match generated rules to existing calls: by kind and name, then by importpath / only-of-kind.
  const calls = statements.map((s) => goRuleCall(s));
  const matchOf = new Map<number, GeneratedRule>();
  const unmatched = new Set(generated);
  const rename = new Map<string, string>();
  for (const [i, c] of calls.entries()) {
    if (c === undefined) continue;
    const g = generated.find((r) => unmatched.has(r) && r.kind === c.kind && r.name === c.name);
    if (g !== undefined) {
      matchOf.set(i, g);
      unmatched.delete(g);
    }
  }
  for (const g of [...unmatched]) {
    const candidates = [...calls.entries()].filter(
      ([i, c]) => c !== undefined && !matchOf.has(i) && c.kind === g.kind,
    );
    let found: number | undefined;
    if (g.kind === 'go_library') {
      const want = stringArg(g.args, 'importpath');
      found = candidates.find(([, c]) => c?.importpath !== undefined && c.importpath === want)?.[0];
    } else if (candidates.length === 1) found = candidates[0]?.[0];
    const c = found === undefined ? undefined : calls[found];
    if (found !== undefined && c !== undefined) {
      matchOf.set(found, g);
      unmatched.delete(g);
      rename.set(g.name, c.name);
    }
  }
  const renamed = (g: GeneratedRule): GeneratedRule => ({
    ...g,
    args: g.args.map((a) =>
      a.name === 'embed' && a.value.kind === 'list'
        ? {
            ...a,
            value: {
              kind: 'list',
              items: a.value.items.map((it) => ({
                ...it,
                value: it.value.startsWith(':')
                  ? `:${rename.get(it.value.slice(1)) ?? it.value.slice(1)}`
                  : it.value,
              })),
            },
          }
        : a,
    ),
  });

  const owned = (kind: GeneratedKind, name: string): boolean =>
    (kind === 'go_library' && name === names.library) ||
    (kind === 'go_binary' && name === names.binary) ||
    (kind === 'go_test' && name === names.test);

  // Each statement becomes its text (undefined: deleted); loads are settled at the end.
  const out: { text: string | undefined; leading: string[]; blankBefore: boolean }[] = [];
  let loadIndex: number | undefined;
  const usedKinds = new Set<string>();
  let prevEnd = 0;
  for (const [i, stmt] of statements.entries()) {
    const startLine = stmt.span.line;
    const endLine = stmt.end.line;
    const between = lines.slice(prevEnd, startLine - 1);
    prevEnd = endLine;
    // Comment lines directly above the statement belong to it (deleted with it).
    const leading: string[] = [];
    while (between.length > 0 && /^\s*#/.test(between[between.length - 1] ?? ''))
      leading.unshift(between.pop() as string);
    pushStandalone(out, between);
    const blankBefore = between.length > 0 && (between[between.length - 1] ?? '').trim() === '';
    const original = lines.slice(startLine - 1, endLine).join('\n');
    const c = calls[i];
    if (stmt.kind === 'load' && RULES_GO_LOADS.has(stmt.label) && loadIndex === undefined) {
      if (stmt.bindings.every((b) => b.local.name === b.exported)) {
        loadIndex = out.length;
        out.push({ text: original, leading, blankBefore });
        continue;
      }
    }
    if (c === undefined) {
      if (
        stmt.kind === 'expr' &&
        stmt.expr.kind === 'call' &&
        stmt.expr.callee.kind === 'identifier'
      )
        usedKinds.add(stmt.expr.callee.name);
      out.push({ text: original, leading, blankBefore });
      continue;
    }
    const ruleKeep =
      leading.some(isKeepComment) || trailingComment(lines, stmt.span.line, 0, true) !== undefined;
    const g = matchOf.get(i);
    if (ruleKeep || c.call.args.some((a) => a.kind !== 'named')) {
      usedKinds.add(c.kind);
      out.push({ text: original, leading, blankBefore });
      continue;
    }
    if (g === undefined && !owned(c.kind, c.name)) {
      usedKinds.add(c.kind);
      out.push({ text: original, leading, blankBefore });
      continue;
    }
    const merged = mergeRule(lines, c.call, g === undefined ? undefined : renamed(g));
    if (merged === undefined) {
      out.push({ text: undefined, leading: [], blankBefore });
      continue;
    }
    usedKinds.add(c.kind);
    out.push({ text: merged, leading, blankBefore: true });
  }
  pushStandalone(out, lines.slice(prevEnd));
  for (const g of generated)
    if (unmatched.has(g)) {
      usedKinds.add(g.kind);
      out.push({ text: newRuleText(renamed(g)), leading: [], blankBefore: true });
    }

  const goKinds = [...usedKinds].filter((k) => GO_KINDS.has(k));
  if (loadIndex !== undefined) {
    const entry = out[loadIndex];
    const stmt = statements.find((s) => s.kind === 'load' && RULES_GO_LOADS.has(s.label));
    if (entry !== undefined && stmt?.kind === 'load') {
      const others = stmt.bindings.map((b) => b.exported).filter((s) => !GO_KINDS.has(s));
      const symbols = [...others, ...goKinds];
      const text = symbols.length === 0 ? undefined : formatLoad(stmt.label, symbols);
      out[loadIndex] = { ...entry, text, leading: text === undefined ? [] : entry.leading };
    }
  } else if (goKinds.length > 0) {
    const first = out[0];
    if (first !== undefined) first.blankBefore = true;
    out.unshift({ text: formatLoad(loadLabel, goKinds), leading: [], blankBefore: true });
  }

  const chunks: string[] = [];
  for (const o of out) {
    if (o.text === undefined) continue;
    const text = [...o.leading, o.text].join('\n');
    if (chunks.length === 0) chunks.push(text);
    else chunks.push(o.blankBefore ? `\n${text}` : text);
  }
  return ok(
    `${chunks
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim()}\n`,
  );
}

/** Comment lines between statements that belong to neither, as one chunk. */
function pushStandalone(
  out: { text: string | undefined; leading: string[]; blankBefore: boolean }[],
  between: readonly string[],
): void {
  const first = between.findIndex((l) => l.trim() !== '');
  if (first < 0) return;
  let last = between.length - 1;
  while ((between[last] ?? '').trim() === '') last--;
  out.push({
    text: between.slice(first, last + 1).join('\n'),
    leading: [],
    blankBefore: first > 0,
  });
}

/** A new rule, its arguments in Gazelle's order (buildifier's priorities, then by name). */
function newRuleText(g: GeneratedRule): string {
  const args = [...g.args].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return formatRule(g.kind, [
    { name: 'name', value: { kind: 'string', value: g.name } },
    ...sortArgs(args),
  ]);
}

interface GoRuleCall {
  readonly kind: GeneratedKind;
  readonly name: string;
  readonly importpath?: string;
  readonly call: CallExpr;
}

function goRuleCall(stmt: Stmt): GoRuleCall | undefined {
  if (stmt.kind !== 'expr' || stmt.expr.kind !== 'call') return undefined;
  const call = stmt.expr;
  if (call.callee.kind !== 'identifier' || !GO_KINDS.has(call.callee.name)) return undefined;
  const named = (n: string): Expr | undefined =>
    call.args.find(
      (a): a is Extract<Argument, { kind: 'named' }> => a.kind === 'named' && a.name === n,
    )?.value;
  const name = named('name');
  if (name?.kind !== 'literal' || typeof name.value !== 'string') return undefined;
  const ip = named('importpath');
  return {
    kind: call.callee.name as GeneratedKind,
    name: name.value,
    importpath: ip?.kind === 'literal' && typeof ip.value === 'string' ? ip.value : undefined,
    call,
  };
}

function stringArg(args: readonly RuleArg[], name: string): string | undefined {
  const a = args.find((x) => x.name === name);
  return a?.value.kind === 'string' ? a.value.value : undefined;
}

/**
 * The comment at the end of line `line` after column `afterCol` (1-based; 0: anywhere after the
 * code), `#` included; with `keepOnly`, only a `# keep` comment.
 */
function trailingComment(
  lines: readonly string[],
  line: number,
  afterCol: number,
  keepOnly = false,
): string | undefined {
  const text = lines[line - 1] ?? '';
  const rest = afterCol > 0 ? text.slice(afterCol - 1) : text;
  const hash = findComment(rest);
  if (hash < 0) return undefined;
  const comment = rest.slice(hash).trim();
  if (keepOnly && !isKeepComment(comment)) return undefined;
  return comment;
}

/** Index of a `#` that starts a comment (outside string literals), or -1. */
function findComment(text: string): number {
  let quoteChar: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoteChar !== undefined) {
      if (c === '\\') i++;
      else if (c === quoteChar) quoteChar = undefined;
    } else if (c === '"' || c === "'") quoteChar = c;
    else if (c === '#') return i;
  }
  return -1;
}

/** The source text from an expression's start to its end. */
function exprText(lines: readonly string[], e: Expr): string {
  const { line, col } = e.span;
  if (line === e.end.line) return (lines[line - 1] ?? '').slice(col - 1, e.end.col - 1);
  const parts = [(lines[line - 1] ?? '').slice(col - 1)];
  for (let l = line + 1; l < e.end.line; l++) parts.push(lines[l - 1] ?? '');
  parts.push((lines[e.end.line - 1] ?? '').slice(0, e.end.col - 1));
  return parts.join('\n');
}

/**
 * An existing rule call merged with its generated counterpart (undefined `g`: the rule `generate`
 * owns has nothing left to generate); undefined when the merged rule is empty and is deleted.
 */
function mergeRule(
  lines: readonly string[],
  call: CallExpr,
  g: GeneratedRule | undefined,
): string | undefined {
  const args: RuleArg[] = [];
  const present = new Set<string>();
  let boundary = call.span.line;
  for (const a of call.args) {
    if (a.kind !== 'named') continue;
    present.add(a.name);
    const leadingComments: string[] = [];
    for (let l = boundary + 1; l < a.nameSpan.line; l++) {
      const t = (lines[l - 1] ?? '').trim();
      if (t.startsWith('#')) leadingComments.push(t);
    }
    boundary = a.value.end.line;
    const trailing = trailingComment(lines, a.value.end.line, a.value.end.col);
    const keep =
      leadingComments.some(isKeepComment) || (trailing !== undefined && isKeepComment(trailing));
    const kept: RuleArg = {
      name: a.name,
      value: { kind: 'verbatim', text: exprText(lines, a.value) },
      leadingComments,
      trailingComment: trailing,
    };
    if (a.name === 'name') {
      args.push({
        ...kept,
        value: { kind: 'string', value: String((a.value as { value: unknown }).value) },
      });
      continue;
    }
    if (!MANAGED_ATTRS.has(a.name) || keep) {
      args.push(kept);
      continue;
    }
    const fresh = g?.args.find((x) => x.name === a.name)?.value;
    if (
      a.value.kind === 'list' &&
      a.value.items.every((it) => it.kind === 'literal' && typeof it.value === 'string')
    ) {
      const keptItems: ListItem[] = [];
      let itemBoundary = a.value.span.line;
      for (const it of a.value.items) {
        const above: string[] = [];
        for (let l = itemBoundary + 1; l < it.span.line; l++)
          above.push((lines[l - 1] ?? '').trim());
        itemBoundary = it.end.line;
        const multiLine = it.span.line !== a.value.span.line;
        const c = multiLine ? trailingComment(lines, it.end.line, it.end.col) : undefined;
        if ((c !== undefined && isKeepComment(c)) || above.some(isKeepComment))
          keptItems.push({
            value: String((it as { value: unknown }).value),
            comment: c ?? '# keep',
          });
      }
      const freshItems = fresh?.kind === 'list' ? fresh.items : [];
      const keptValues = new Set(keptItems.map((k) => k.value));
      const items = [...keptItems, ...freshItems.filter((f) => !keptValues.has(f.value))];
      if (items.length > 0) args.push({ ...kept, value: { kind: 'list', items } });
      continue;
    }
    if (a.value.kind === 'literal' && typeof a.value.value === 'string') {
      if (fresh !== undefined) args.push({ ...kept, value: fresh });
      continue;
    }
    // Not a literal (glob, select, a variable): Gazelle would replace it; pgobuild keeps it.
    args.push(kept);
  }
  for (const a of [...(g?.args ?? [])].sort((x, y) => (x.name < y.name ? -1 : 1)))
    if (!present.has(a.name) && MANAGED_ATTRS.has(a.name)) args.push(a);
  if (!args.some((a) => NON_EMPTY_ATTRS.includes(a.name))) return undefined;
  const kind = call.callee.kind === 'identifier' ? call.callee.name : 'go_library';
  return formatRule(kind, args);
}
