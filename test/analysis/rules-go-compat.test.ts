import type { AttrValue, DeclaredTarget, UserRuleDefinition } from '../../src/analysis/rule-api';
import { attrSpecsOf } from '../../src/analysis/rule-api';
import { desugarRulesGo } from '../../src/analysis/rules-go-compat';
import { type Attrs, type Rule, attr, go, goBinaryTransition, rule } from '../../src/rules';
import { goLibrary } from '../../src/analysis/builtin-rules';

/**
 * rules_go's `embed` and `pgoprofile` are rewritten for targets of rules with the Go toolchain,
 * whatever their name: go_binary's and a workspace's own Go rules alike. A rule without it owns
 * the meaning of its attributes, even ones named `embed`.
 */
const span = { file: 'app/BUILD', line: 1, col: 1, endCol: 5 };

function userRule<A extends Attrs>(name: string, typed: Rule<A>): UserRuleDefinition {
  // As the rule-file loader holds a file's rules: untyped.
  const r = typed as unknown as Rule;
  return {
    name,
    doc: '',
    attrs: attrSpecsOf(r),
    implementation: () => Promise.reject(new Error('not run here')),
    user: { rule: r, file: { file: 'tools/rules/r.ts', absPath: '/r.ts', digest: '' } },
  } as unknown as UserRuleDefinition;
}

const labels = (...values: string[]): AttrValue => ({
  type: 'label_list',
  span,
  value: values.map((value) => ({ value, span })),
});

function target(
  name: string,
  r: DeclaredTarget['rule'],
  attrs: Record<string, AttrValue>,
): DeclaredTarget {
  return { rule: r, pkg: 'app', name, span, attrs: new Map(Object.entries(attrs)) };
}

const program = userRule(
  'go_program',
  rule({
    toolchains: ['go'],
    executable: true,
    cfg: goBinaryTransition,
    attrs: { srcs: attr.labelList({ allowFiles: true }), embed: attr.labelList() },
    implementation: async (ctx) => [await go(ctx).compile()],
  }),
);

const bundle = userRule(
  'bundle',
  rule({ attrs: { embed: attr.labelList({ allowFiles: true }) }, implementation: () => [] }),
);

describe('rules_go compatibility by rule properties', () => {
  const lib = target('lib', goLibrary, { srcs: labels('lib.go'), deps: labels('//dep') });

  it("a workspace Go rule's embed takes the embedded library's sources and deps", () => {
    const prog = target('prog', program, { srcs: labels('main.go'), embed: labels(':lib') });
    const r = desugarRulesGo(
      new Map([
        ['lib', lib],
        ['prog', prog],
      ]),
    );
    if (!r.ok) throw new Error(r.failure.message);
    const attrs = r.value.get('prog')?.attrs;
    expect(attrs?.has('embed')).toBe(false);
    expect(attrs?.get('srcs')).toMatchObject({
      value: [{ value: 'main.go' }, { value: 'lib.go' }],
    });
    expect(attrs?.get('deps')).toMatchObject({ value: [{ value: '//dep' }] });
  });

  it('a rule without the Go toolchain keeps its own embed, whatever it names', () => {
    const b = target('b', bundle, { embed: labels('data.txt') });
    const r = desugarRulesGo(new Map([['b', b]]));
    if (!r.ok) throw new Error(r.failure.message);
    expect(r.value.get('b')).toBe(b);
  });

  it('embedding a target that provides no GoArchiveInfo is an error at the label', () => {
    const prog = target('prog', program, { srcs: labels('main.go'), embed: labels(':b') });
    const b = target('b', bundle, {});
    const r = desugarRulesGo(
      new Map([
        ['prog', prog],
        ['b', b],
      ]),
    );
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.failure.message).toContain("can only embed a go_library, and ':b' is a bundle");
  });
});
