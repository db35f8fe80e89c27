import type { BuildEvent } from '../../src/events';
import { parseTestFlags } from '../../src/cli/test-flags';
import { TestOutputFilter } from '../../src/cli/test-output-filter';

describe('test flags', () => {
  test('--test_filter, --test_arg and the arguments after -- in that order', () => {
    const flags = parseTestFlags({
      testFilter: 'Parse',
      testArg: ['-test.v', '-test.count=2'],
      afterDashes: ['-test.bench=.'],
    });
    expect(flags).toEqual({
      ok: true,
      value: {
        run: { args: ['-test.run=Parse', '-test.v', '-test.count=2', '-test.bench=.'] },
        output: 'errors',
      },
    });
    expect(parseTestFlags({ testArg: '-test.v', afterDashes: [] })).toMatchObject({
      ok: true,
      value: { run: { args: ['-test.v'] } },
    });
  });

  test.each([
    [{ testOutput: 'streamed' }, '--test_output must be one of errors, all, summary, got streamed'],
    [{ testOutput: ['all', 'errors'] }, '--test_output must be one of'],
    [{ testFilter: '' }, '--test_filter needs a regular expression'],
    [{ testFilter: ['A', 'B'] }, '--test_filter is given more than once (A, B)'],
    [{ testArg: [''] }, '--test_arg needs a value'],
  ])('%j is a usage error', (raw, message) => {
    const r = parseTestFlags({ ...raw, afterDashes: [] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure).toContain(message);
  });

  test('--test_output decides which results a human log prints', () => {
    const shown = (mode: 'errors' | 'all' | 'summary'): (boolean | undefined)[] => {
      const seen: BuildEvent[] = [];
      const filter = new TestOutputFilter({ emit: (e) => seen.push(e) }, mode);
      for (const status of ['passed', 'cached', 'failed'] as const)
        filter.emit({ type: 'test-result', target: '//t', status, durationMs: 0, output: 'x' });
      return seen.map((e) => (e.type === 'test-result' ? e.showOutput : undefined));
    };
    expect(shown('errors')).toEqual([false, false, true]);
    expect(shown('all')).toEqual([true, true, true]);
    expect(shown('summary')).toEqual([false, false, false]);
  });
});
