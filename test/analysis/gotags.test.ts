import { configuration } from '../../src/analysis/configuration';
import { gotagsTransition } from '../../src/analysis/gotags';
import type { DeclaredTarget } from '../../src/analysis/rule-api';
import { defaultPlatform } from '../../src/go/platform';
import { goBinary } from '../../src/analysis/builtin-rules';

const span = { file: 'cmd/x/BUILD', line: 4, col: 5, endCol: 9 };

function binary(gotags: string[] | undefined): DeclaredTarget {
  const attrs = new Map();
  if (gotags !== undefined)
    attrs.set('gotags', {
      type: 'string_list',
      span,
      value: gotags.map((value) => ({ value, span })),
    });
  return { rule: goBinary, pkg: 'cmd/x', name: 'x', span, attrs } as DeclaredTarget;
}

describe('the gotags transition', () => {
  const base = configuration(defaultPlatform('linux', 'amd64'));

  it('adds the attribute tags after --gotags, each once, and names them in the configuration', () => {
    const r = gotagsTransition(binary(['fancy', 'netgo', 'fancy']), base, ['netgo']);
    if (!r.ok) throw new Error(JSON.stringify(r.failure));
    expect(r.value.tags).toEqual(['netgo', 'fancy']);
    expect(r.value.id).toBe('linux_amd64 tags[netgo,fancy]');
  });

  it('is no transition without the attribute, or when it adds no tag', () => {
    expect(gotagsTransition(binary(undefined), base, ['a'])).toEqual({ ok: true, value: base });
    expect(gotagsTransition(binary(['a']), base, ['a'])).toEqual({ ok: true, value: base });
    expect(gotagsTransition(binary([]), base, [])).toEqual({ ok: true, value: base });
  });

  it('refuses a word no build constraint could name, at its BUILD location', () => {
    const r = gotagsTransition(binary(['ok', 'a-b']), base, []);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure).toHaveLength(1);
    expect(r.failure[0]?.reason).toBe('bad-attribute');
    expect(r.failure[0]?.diagnostic?.span).toEqual(span);
    expect(r.failure[0]?.diagnostic?.message).toContain('"a-b" is not a build tag');
  });
});
