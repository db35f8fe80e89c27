import { type Diagnostic, type Result, type SourceSpan, err, ok } from '../util';
import { parseLabel } from '../workspace';
import {
  type AttrValue,
  type DeclaredTarget,
  isTestRule,
  providesGoArchive,
  usesGoToolchain,
} from './rule-api';

/**
 * The .bzl files that define rules_go's rules, under the repository names rules_go has had
 * (`@rules_go` with Bzlmod, `@io_bazel_rules_go` with a WORKSPACE). Loading them binds pgobuild's
 * built-in rules of the same names, so BUILD files Gazelle writes load unchanged.
 */
export const RULES_GO_DEF_BZL: ReadonlySet<string> = new Set([
  '@rules_go//go:def.bzl',
  '@io_bazel_rules_go//go:def.bzl',
]);

/**
 * Rewrites rules_go spellings into pgobuild's, as the package's targets are loaded, for targets
 * of rules with the Go toolchain (go_library, go_binary, a workspace's own Go rules; other rules'
 * attributes mean what their rule says):
 *
 * - a non-test target with `embed = [":lib"]` takes the embedded library's `srcs`,
 *   `deps` and `embedsrcs` (and its `importpath` when it has none), as rules_go does; so graph
 *   construction sees a go_binary with sources (Gazelle writes a main package as a `<dir>_lib`
 *   go_library plus a go_binary that embeds it);
 * - `pgoprofile = "file.pprof"` (a label relative to the package) becomes `pgo = ":file.pprof"`.
 *
 * Embedding is resolved within the package (rules_go users embed a library of the same package);
 * an embed of another package, of a missing target or of a target that provides no
 * GoArchiveInfo is an error at the label. A test's `embed` is the package under test, which
 * test analysis reads.
 */
export function desugarRulesGo(
  targets: ReadonlyMap<string, DeclaredTarget>,
): Result<Map<string, DeclaredTarget>, Diagnostic> {
  const out = new Map<string, DeclaredTarget>();
  for (const [name, target] of targets) {
    if (!usesGoToolchain(target.rule)) {
      out.set(name, target);
      continue;
    }
    let attrs = new Map(target.attrs);
    const profile = attrs.get('pgoprofile');
    if (profile !== undefined && profile.type === 'label') {
      if (attrs.has('pgo'))
        return err(diagnostic(profile.span, `${target.rule.name} sets both pgo and pgoprofile`));
      const v = profile.value;
      const value = v.startsWith(':') || v.startsWith('//') ? v : `:${v}`;
      attrs.delete('pgoprofile');
      attrs.set('pgo', { type: 'string', value, span: profile.span });
    }
    if (!isTestRule(target.rule)) {
      const embedded = embeddedLibraries(target, targets);
      if (!embedded.ok) return embedded;
      attrs = mergeEmbedded(attrs, embedded.value);
    }
    out.set(name, { ...target, attrs });
  }
  return ok(out);
}

function embeddedLibraries(
  target: DeclaredTarget,
  targets: ReadonlyMap<string, DeclaredTarget>,
): Result<DeclaredTarget[], Diagnostic> {
  const found: DeclaredTarget[] = [];
  const embed = target.attrs.get('embed');
  if (embed === undefined || embed.type !== 'label_list') return ok(found);
  for (const e of embed.value) {
    const parts = parseLabel(e.value, target.pkg);
    if (!parts.ok) return err(diagnostic(e.span, parts.failure.message));
    if (parts.value.pkg !== target.pkg)
      return err(
        diagnostic(
          e.span,
          `${target.rule.name} '${target.name}' embeds '${e.value}' of another package; embed a go_library of package ${target.pkg === '' ? '//' : `//${target.pkg}`}`,
        ),
      );
    const lib = targets.get(parts.value.name);
    if (lib === undefined)
      return err(
        diagnostic(e.span, `embedded target '${e.value}' is not declared in this package`),
      );
    if (!providesGoArchive(lib.rule) || lib === target)
      return err(
        diagnostic(
          e.span,
          `${target.rule.name} '${target.name}' can only embed a go_library, and '${e.value}' is a ${lib === target ? 'reference to itself' : lib.rule.name}`,
        ),
      );
    found.push(lib);
  }
  return ok(found);
}

/** The attributes of a target with its embedded libraries' sources, deps and importpath added. */
function mergeEmbedded(
  attrs: Map<string, AttrValue>,
  libs: readonly DeclaredTarget[],
): Map<string, AttrValue> {
  if (libs.length === 0) return attrs;
  for (const attr of ['srcs', 'deps', 'embedsrcs']) {
    const own = attrs.get(attr);
    const items = own?.type === 'label_list' ? [...own.value] : [];
    const seen = new Set(items.map((i) => i.value));
    for (const lib of libs) {
      const theirs = lib.attrs.get(attr);
      if (theirs?.type !== 'label_list') continue;
      for (const item of theirs.value)
        if (!seen.has(item.value)) {
          seen.add(item.value);
          items.push(item);
        }
    }
    const span = own?.span ?? libs.map((l) => l.attrs.get(attr)?.span).find((s) => s !== undefined);
    if (span !== undefined) attrs.set(attr, { type: 'label_list', value: items, span });
  }
  if (!attrs.has('importpath'))
    for (const lib of libs) {
      const ip = lib.attrs.get('importpath');
      if (ip !== undefined) {
        attrs.set('importpath', ip);
        break;
      }
    }
  attrs.delete('embed');
  return attrs;
}

function diagnostic(span: SourceSpan, message: string): Diagnostic {
  return { severity: 'error', span, message, sourceLine: '' };
}
