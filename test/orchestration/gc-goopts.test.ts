import {
  gcflagsSetting,
  neutralizingFlags,
  packageGcflags,
  pgoNeutralizedWarning,
} from '../../src/analysis/gc-goopts';
import type { DeclaredTarget } from '../../src/analysis/rule-api';
import { goBinary } from '../../src/analysis/builtin-rules';
import { buildSettings } from '../../src/go/build-info';

const span = (line: number, col: number) => ({ file: 'cmd/x/BUILD', line, col, endCol: col + 4 });

function binary(gcGoopts: string[] | undefined): DeclaredTarget {
  const attrs = new Map();
  if (gcGoopts !== undefined)
    attrs.set('gc_goopts', {
      type: 'string_list',
      span: span(4, 17),
      value: gcGoopts.map((value, i) => ({ value, span: span(4, 18 + i * 6) })),
    });
  return { rule: goBinary, pkg: 'cmd/x', name: 'x', span: span(1, 1), attrs } as DeclaredTarget;
}

describe('gc_goopts', () => {
  it('a package gets --gc_goopts then its own gc_goopts', () => {
    expect(packageGcflags(['-B'], binary(['-l']))).toEqual(['-B', '-l']);
    expect(packageGcflags([], undefined)).toEqual([]);
  });

  it('the build setting is what go build -gcflags would record', () => {
    expect(gcflagsSetting([], binary(['-l', '-m']))).toBe('-l -m');
    expect(gcflagsSetting(['-B'], binary(['-l']))).toBe('all=-B');
    expect(gcflagsSetting([], binary(undefined))).toBeUndefined();
    const keys = buildSettings({
      goMinor: 26,
      goos: 'linux',
      goarch: 'amd64',
      cgoEnabled: false,
      defaultGodebug: '',
      gcflags: '-l',
    }).map((s) => s.key);
    expect(keys.slice(0, 4)).toEqual(['-buildmode', '-compiler', '-gcflags', '-trimpath']);
  });

  it('-l and -N neutralize PGO; -m and -l=0 do not', () => {
    expect(neutralizingFlags(['-m', '-l', '-N', '-l=0', '-B'])).toEqual(['-l', '-N']);
  });

  it('warns on a PGO binary, at the gc_goopts entry or at the rule for --gc_goopts', () => {
    const fromAttr = pgoNeutralizedWarning([], binary(['-m', '-l']), 'cmd/x/default.pgo');
    expect(fromAttr?.severity).toBe('warning');
    expect(fromAttr?.span).toEqual(span(4, 24));
    expect(fromAttr?.message).toContain(
      'gc_goopts -l on //cmd/x, which is built with the profile cmd/x/default.pgo: -l disables inlining',
    );
    const fromFlag = pgoNeutralizedWarning(['-N'], binary(undefined), 'p.pgo');
    expect(fromFlag?.span).toEqual(span(1, 1));
    expect(fromFlag?.message).toContain('--gc_goopts -N');
    expect(pgoNeutralizedWarning(['-m'], binary(['-B']), 'p.pgo')).toBeUndefined();
  });
});
