import { countPlan, hotSetChanges } from '../../src/cli/pgo-plan-command';
import type { PlannedAction } from '../../src/cli/plan-actions';

const edge = (caller: string, callee: string, weight: number, callSiteOffset = 1) => ({
  caller,
  callee,
  weight,
  callSiteOffset,
});

describe('hot sets per package', () => {
  it('counts an edge for its caller and callee packages, and only the hot (99%) edges', () => {
    const before = [
      edge('main.main', 'example.com/a/lib.Work', 600),
      edge('main.main', 'example.com/a/lib.Other', 395),
      // After the edge that crosses 99%: not hot, so its disappearance changes no hot set.
      edge('example.com/a/util.F', 'example.com/a/util.G', 5),
    ];
    const after = [
      edge('main.main', 'example.com/a/lib.Work', 600, 2),
      edge('main.main', 'example.com/a/lib.Other', 400),
    ];
    expect(hotSetChanges(before, after)).toEqual([
      { pkg: 'example.com/a/lib', before: 2, after: 2, added: 1, removed: 1 },
      { pkg: 'main', before: 2, after: 2, added: 1, removed: 1 },
    ]);
    expect(hotSetChanges(after, after)).toEqual([]);
  });
});

describe('plan counts', () => {
  const a = (
    id: string,
    mnemonic: string,
    status: PlannedAction['status'],
    key?: string,
  ): PlannedAction => ({ id, mnemonic, description: id, status, key });
  const plan = [
    a('c1', 'GoCompile', 'cached-local', 'k1'),
    a('c2', 'GoCompile', 'cached-remote', 'k2new'),
    a('c3', 'GoCompile', 'execute', undefined),
    a('c4', 'GoCompile', 'execute-after-deps', undefined),
    a('c5', 'GoCompile', 'shared', undefined),
    a('l1', 'GoLink', 'execute-after-deps', undefined),
    a('b', 'GoBuilder', 'cached-local', 'kb'),
  ];

  it('splits by kind; new keys are those unlike the baseline, unknown keys included', () => {
    const counts = countPlan(
      plan,
      new Map([
        ['c1', 'k1'],
        ['c2', 'k2old'],
        ['b', 'kb'],
      ]),
    );
    expect(counts.compile).toEqual({
      actions: 5,
      changed: 4,
      cachedLocal: 1,
      cachedRemote: 1,
      shared: 1,
      execute: 2,
    });
    expect(counts.link).toMatchObject({ actions: 1, changed: 1, execute: 1 });
    expect(counts.tool).toMatchObject({ actions: 1, changed: 0, cachedLocal: 1 });
    expect(counts.test.actions).toBe(0);
  });

  it('without a baseline, new keys are unknown', () => {
    expect(countPlan(plan, undefined).compile.changed).toBeNull();
  });
});
