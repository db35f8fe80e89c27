import * as os from 'node:os';
import { binaryLinkopts, stampValue } from '../../src/analysis/link-options';
import type { DeclaredTarget } from '../../src/analysis/rule-api';
import { workspaceStatus } from '../../src/orchestration/workspace-status';
import { goBinary } from '../../src/analysis/builtin-rules';

const span = { file: 'cmd/x/BUILD', line: 4, col: 5, endCol: 9 };

function binary(xDefs: Record<string, string>, gcLinkopts: string[] = []): DeclaredTarget {
  const attrs = new Map();
  attrs.set('x_defs', {
    type: 'string_dict',
    span,
    value: Object.entries(xDefs).map(([key, value]) => ({ key, value, span })),
  });
  attrs.set('gc_linkopts', {
    type: 'string_list',
    span,
    value: gcLinkopts.map((value) => ({ value, span })),
  });
  return { rule: goBinary, pkg: 'cmd/x', name: 'x', span, attrs } as DeclaredTarget;
}

describe('x_defs and gc_linkopts', () => {
  it('become -X flags (a bare name is the main package), then gc_linkopts, then --linkopt', () => {
    const r = binaryLinkopts(
      ['-X=main.v=cli'],
      binary({ v: 'attr', 'example.com/m/lib.Name': 'a b' }, ['-s']),
      'main',
      undefined,
    );
    expect(r).toEqual({
      ok: true,
      value: ['-X=main.v=attr', '-X=example.com/m/lib.Name=a b', '-s', '-X=main.v=cli'],
    });
  });

  it('a bare name of a go_test is in the package under test', () => {
    const r = binaryLinkopts([], binary({ v: '1' }), 'example.com/m/lib', undefined);
    expect(r).toEqual({ ok: true, value: ['-X=example.com/m/lib.v=1'] });
  });

  it('a key that names no variable is an error at the BUILD line', () => {
    const r = binaryLinkopts([], binary({ 'main.1x': '1' }), 'main', undefined);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.failure.span).toEqual(span);
      expect(r.failure.message).toContain('x_defs');
    }
  });

  it('gc_linkopts that pgobuild sets itself are an error at the BUILD line', () => {
    const r = binaryLinkopts([], binary({}, ['-o=/tmp/x']), 'main', undefined);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure.message).toContain('gc_linkopts of //cmd/x: -o is set by pgobuild');
  });

  it('{KEY} is replaced only with --stamp, and only for keys the status command printed', () => {
    expect(stampValue('{A}-{B}', undefined)).toBe('{A}-{B}');
    expect(stampValue('{A}-{B}', new Map([['A', '1']]))).toBe('1-{B}');
  });
});

describe('workspaceStatus', () => {
  it('reads KEY value lines in the workspace root', () => {
    const r = workspaceStatus(
      'echo "STABLE_X  a b"; echo EMPTY; echo; pwd | sed "s/^/DIR /"',
      os.tmpdir(),
    );
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.get('STABLE_X')).toBe('a b');
      expect(r.value.get('EMPTY')).toBe('');
      expect(r.value.has('DIR')).toBe(true);
    }
  });

  it('a failing command is an error naming the flag', () => {
    const r = workspaceStatus('echo oops >&2; exit 3', os.tmpdir());
    expect(r).toEqual({
      ok: false,
      failure: '--workspace_status_command echo oops >&2; exit 3 failed (exit 3): oops',
    });
  });
});
