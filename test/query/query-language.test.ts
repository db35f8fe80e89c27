import type { AnalysisFailure, DeclaredTarget } from '../../src/analysis';
import {
  type QueryExpression,
  type QueryUniverse,
  evaluateQuery,
  parseQuery,
} from '../../src/query';
import { type Result, err, ok } from '../../src/util';
import { goBinary, goLibrary } from '../../src/analysis/builtin-rules';

describe('parseQuery', () => {
  it('parses patterns, deps, rdeps and kind, nested', () => {
    const q = parseQuery(" kind('go_binary', rdeps(//..., deps(//lib/base)))");
    expect(q.ok).toBe(true);
    if (!q.ok) return;
    expect(q.value).toEqual({
      op: 'kind',
      rule: /go_binary/,
      of: {
        op: 'rdeps',
        universe: { op: 'pattern', pattern: '//...' },
        of: { op: 'deps', of: { op: 'pattern', pattern: '//lib/base' } },
      },
    });
  });

  it('takes quoted patterns and commas inside quotes', () => {
    expect(parseQuery("deps('//a:b')")).toEqual(
      ok({ op: 'deps', of: { op: 'pattern', pattern: '//a:b' } }),
    );
    const q = parseQuery('kind("go_(binary|test),x", //...)');
    expect(q.ok && q.value.op === 'kind' && q.value.rule.source).toBe('go_(binary|test),x');
  });

  it.each<[string, string]>([
    [
      "kind('[', //a/...)",
      "kind(): '[' is not a valid regular expression: /[/: Unterminated character class",
    ],
    ['deps(//a', "missing ')' at the end of 'deps(//a' (the '(' at column 5)"],
    ['deps(//a))', "unexpected ')' after ')' at column 10 in 'deps(//a))'"],
    ['deps(//a) + //b', "unexpected '+ //b' after ')' at column 10"],
    [
      '//a)',
      "unexpected ')' at column 4 in '//a)': expected a target pattern or deps(), rdeps(), kind()",
    ],
    ['somepath(//a, //b)', "unknown function 'somepath' at column 1: expected deps, rdeps or kind"],
    ['deps(//a, //b)', 'deps(expr) takes one argument, got 2 at column 1'],
    ['rdeps(//...)', 'rdeps(universe, expr) takes 2 arguments, got 1 at column 1'],
    ['deps()', 'deps(expr) takes one argument, got 0 at column 1'],
    ['rdeps(//..., )', "empty argument in 'rdeps(//..., )' at column 1"],
    ["kind('', //...)", 'kind() needs a rule pattern at column 6'],
    ["kind('go_binary, //...)", "unterminated ' quote"],
    ['deps(kind(x))', "kind('pattern', expr) takes 2 arguments, got 1 at column 6"],
    ['   ', 'expected an expression at column 4'],
  ])('refuses %j: %s', (text, message) => {
    const q = parseQuery(text);
    expect(q.ok).toBe(false);
    if (q.ok) return;
    expect(q.failure).toContain(message);
    expect(q.failure.startsWith('query: ')).toBe(true);
  });
});

const span = { file: 'BUILD', line: 1, col: 1, endCol: 2 };
const target = (pkg: string, rule = goLibrary): DeclaredTarget =>
  ({ rule, pkg, name: pkg.split('/').pop() as string, span, attrs: new Map() }) as DeclaredTarget;

/** A workspace of four targets: cmd/one → lib/mid → lib/base; lib/lone alone. */
function fakeUniverse(brokenDeps: string[] = []): QueryUniverse & { asked: string[] } {
  const base = target('lib/base');
  const mid = target('lib/mid');
  const lone = target('lib/lone');
  const one = target('cmd/one', goBinary);
  const all = [one, mid, base, lone];
  const edges = new Map<DeclaredTarget, DeclaredTarget[]>([
    [one, [mid]],
    [mid, [base]],
  ]);
  const asked: string[] = [];
  return {
    asked,
    expand: (pattern): Promise<Result<readonly DeclaredTarget[], AnalysisFailure[]>> => {
      asked.push(pattern);
      if (pattern === '//...') return Promise.resolve(ok(all));
      const t = all.find((x) => `//${x.pkg}` === pattern);
      return Promise.resolve(
        t === undefined
          ? err([{ reason: 'unknown-target', message: `no target ${pattern}` } as AnalysisFailure])
          : ok([t]),
      );
    },
    directDeps: (t) =>
      Promise.resolve(
        brokenDeps.includes(t.pkg)
          ? err([{ reason: 'bad-label', message: `broken deps in ${t.pkg}` } as AnalysisFailure])
          : ok(edges.get(t) ?? []),
      ),
  };
}

async function labels(universe: QueryUniverse, text: string): Promise<string[] | string> {
  const q = parseQuery(text);
  if (!q.ok) throw new Error(q.failure);
  const r = await evaluateQuery(universe, q.value as QueryExpression);
  return r.ok ? [...r.value.keys()].sort() : r.failure.map((f) => f.message).join('; ');
}

describe('evaluateQuery', () => {
  it('deps is the closure including the start', async () => {
    expect(await labels(fakeUniverse(), 'deps(//cmd/one)')).toEqual([
      '//cmd/one:one',
      '//lib/base:base',
      '//lib/mid:mid',
    ]);
  });

  it('rdeps keeps the universe targets that reach the second set', async () => {
    expect(await labels(fakeUniverse(), 'rdeps(//..., //lib/base)')).toEqual([
      '//cmd/one:one',
      '//lib/base:base',
      '//lib/mid:mid',
    ]);
  });

  it('kind filters on the rule name', async () => {
    expect(await labels(fakeUniverse(), "kind('go_binary', //...)")).toEqual(['//cmd/one:one']);
    expect(await labels(fakeUniverse(), 'kind(library$, deps(//cmd/one))')).toEqual([
      '//lib/base:base',
      '//lib/mid:mid',
    ]);
  });

  it('passes on the failures of patterns and edges', async () => {
    expect(await labels(fakeUniverse(), 'deps(//nope)')).toBe('no target //nope');
    expect(await labels(fakeUniverse(['lib/mid']), 'deps(//cmd/one)')).toBe(
      'broken deps in lib/mid',
    );
    // The universe is not asked for the second set once the first failed.
    const u = fakeUniverse();
    expect(await labels(u, 'rdeps(//nope, //lib/base)')).toBe('no target //nope');
    expect(u.asked).toEqual(['//nope']);
  });
});
