import { unreachable } from '../util';

/**
 * Writes the BUILD-file syntax `pgobuild generate` produces the way buildifier formats it, so its
 * output passes `buildifier --mode=check`: one argument per line in rule calls, 4-space indent,
 * trailing commas, lists of two or more elements (or with comments) one element per line,
 * sortable lists (`srcs`, `deps`, `visibility`, `data`…) in buildifier's label order, `load`
 * symbols sorted, two spaces before a trailing comment.
 */

/** A list element with an optional trailing comment (`# keep`). */
export interface ListItem {
  readonly value: string;
  /** Comment text after the element, `#` included. */
  readonly comment?: string;
}

/** An attribute value as `pgobuild generate` writes it. */
export type AttrSyntax =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'list'; readonly items: readonly ListItem[] }
  | { readonly kind: 'glob'; readonly patterns: readonly string[] }
  /** Source text kept as written (a hand-written or `# keep` attribute), value only. */
  | { readonly kind: 'verbatim'; readonly text: string };

/** One `name = value` argument of a rule call, with comment lines above it and after it. */
export interface RuleArg {
  readonly name: string;
  readonly value: AttrSyntax;
  readonly leadingComments?: readonly string[];
  readonly trailingComment?: string;
}

/** The arguments buildifier sorts the elements of (its `IsSortableListArg` table, the Go subset). */
const SORTABLE = new Set(['srcs', 'deps', 'data', 'visibility', 'tags', 'embedsrcs', 'embed']);

/** buildifier's argument priorities (`NamePriority`); other names sort at 0, stably. */
const NAME_PRIORITY: Readonly<Record<string, number>> = {
  name: -99,
  size: -95,
  timeout: -94,
  testonly: -93,
  src: -92,
  srcdir: -91,
  srcs: -90,
  out: -89,
  outs: -88,
  hdrs: -87,
  destdir: 1,
  exports: 2,
  runtime_deps: 3,
  deps: 4,
};

/** Go's strconv.Quote subset Starlark strings need (labels and file names are plain text). */
export function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Orders arguments as buildifier does: by priority, ties in their given order. */
export function sortArgs(args: readonly RuleArg[]): RuleArg[] {
  return args
    .map((a, i) => ({ a, i }))
    .sort((x, y) => priority(x.a.name) - priority(y.a.name) || x.i - y.i)
    .map((x) => x.a);
}

function priority(name: string): number {
  return NAME_PRIORITY[name] ?? 0;
}

/** buildifier's string-list order: `:local` labels, then `//…`, then `@repo…`, then by parts. */
export function compareLabels(a: string, b: string): number {
  const phase = (s: string): number =>
    s.startsWith(':') ? 1 : s.startsWith('//') ? 2 : s.startsWith('@') ? 3 : 0;
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  const sa = a.replace(/:/g, '.').split('.');
  const sb = b.replace(/:/g, '.').split('.');
  for (let k = 0; k < sa.length && k < sb.length; k++) {
    const x = sa[k] as string;
    const y = sb[k] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  if (sa.length !== sb.length) return sa.length - sb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts and de-duplicates list elements the way buildifier orders the named argument. */
export function sortItems(argName: string, items: readonly ListItem[]): ListItem[] {
  const seen = new Map<string, ListItem>();
  for (const item of items) if (!seen.has(item.value)) seen.set(item.value, item);
  const unique = [...seen.values()];
  return SORTABLE.has(argName) ? unique.sort((x, y) => compareLabels(x.value, y.value)) : unique;
}

/** A value at the indentation of an argument (4 spaces): continuation lines indented 4 more. */
function formatValue(argName: string, v: AttrSyntax): string {
  switch (v.kind) {
    case 'string':
      return quote(v.value);
    case 'verbatim':
      return v.text;
    case 'glob':
      return `glob(${formatList(v.patterns.map((value) => ({ value })))})`;
    case 'list':
      return formatList(sortItems(argName, v.items));
    default:
      return unreachable(v);
  }
}

function formatList(items: readonly ListItem[]): string {
  if (items.length === 0) return '[]';
  const first = items[0] as ListItem;
  if (items.length === 1 && first.comment === undefined) return `[${quote(first.value)}]`;
  const lines = items.map(
    (i) => `        ${quote(i.value)},${i.comment === undefined ? '' : `  ${i.comment}`}`,
  );
  return `[\n${lines.join('\n')}\n    ]`;
}

/** A rule call: `kind(` then one argument per line, arguments in buildifier's order. */
export function formatRule(kind: string, args: readonly RuleArg[]): string {
  const lines = [`${kind}(`];
  for (const a of sortArgs(args)) {
    for (const c of a.leadingComments ?? []) lines.push(`    ${c}`);
    const trailing = a.trailingComment === undefined ? '' : `  ${a.trailingComment}`;
    lines.push(`    ${a.name} = ${formatValue(a.name, a.value)},${trailing}`);
  }
  lines.push(')');
  return lines.join('\n');
}

/** `load("<label>", "sym", …)` with the symbols sorted and de-duplicated. */
export function formatLoad(label: string, symbols: readonly string[]): string {
  const sorted = [...new Set(symbols)].sort();
  return `load(${[label, ...sorted].map(quote).join(', ')})`;
}
