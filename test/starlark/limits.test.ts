import { STARLARK_LIMITS } from '../../src/starlark/limits';
import { evaluate, failure, globals } from './helpers';

/** Runs `f` and answers how long it took, in milliseconds. */
function timed<T>(f: () => T): { value: T; ms: number } {
  const started = Date.now();
  const value = f();
  return { value, ms: Date.now() - started };
}

describe('bounds on what a BUILD file can make the evaluator do', () => {
  test('a huge repetition is an error at its line, at once', () => {
    const { value: f, ms } = timed(() => failure('x = 1\ny = [1] * 100000000\n', 'build'));
    expect(f.diagnostic.message).toMatch(/repetition result is too large/);
    expect(f.diagnostic.span).toMatchObject({ file: 'pkg/BUILD', line: 2 });
    expect(ms).toBeLessThan(1000);
  });

  test('strings and lists cannot grow past the limits by doubling', () => {
    const s = failure(
      's0 = "x" * 1000000\ns1 = s0 + s0\ns2 = s1 + s1\ns3 = s2 + s2\ns4 = s3 + s3\ns5 = s4 + s4\n',
    );
    expect(s.diagnostic.message).toMatch(/string concatenation is too large/);
    expect(s.diagnostic.span.line).toBe(6);
    const l = failure('def f():\n    x = [1] * 600000\n    x += x\n    return x\ny = f()\n');
    expect(l.diagnostic.message).toMatch(/too large \(limit 1000000\)/);
  });

  test('range and builtins cannot build oversized values', () => {
    expect(failure('x = range(100000000)\n').diagnostic.message).toMatch(/too large/);
    expect(failure('x = "ab" * 5000000\ny = x.replace("a", "aaaa")\n').diagnostic.message).toMatch(
      /replace\(\) result is too large/,
    );
  });

  test('evaluation stops after a bounded number of steps', () => {
    const { value: f, ms } = timed(() =>
      failure(
        'def f():\n    n = 0\n    for i in range(1000000):\n        for j in range(1000000):\n            n += 1\n    return n\nx = f()\n',
      ),
    );
    expect(f.diagnostic.message).toMatch(new RegExp(`after ${STARLARK_LIMITS.maxSteps} steps`));
    expect(ms).toBeLessThan(30000);
  });

  test.each([
    ['brackets nested 500 deep', `x = ${'['.repeat(500)}${']'.repeat(500)}\n`, /nested too deeply/],
    [
      'parentheses nested 100000 deep',
      `x = ${'('.repeat(100000)}1${')'.repeat(100000)}\n`,
      /nested too deeply/,
    ],
    ['5,000 + terms', `x = 1${' + 1'.repeat(5000)}\n`, /too long a chain of operators/],
    ['a 5,000-long attribute chain', `x = a${'.b'.repeat(5000)}\n`, /too long a chain/],
    ['20,000 unary minus', `x = ${'-'.repeat(20000)}1\n`, /nested too deeply/],
    ['20,000 nots', `x = ${'not '.repeat(20000)}True\n`, /nested too deeply/],
  ])('%s: a syntax error at the file, not a stack overflow', (_, text, message) => {
    const f = failure(text, 'build');
    expect(f.reason).toBe('build-file-syntax');
    expect(f.diagnostic.message).toMatch(message);
    expect(f.diagnostic.span.file).toBe('pkg/BUILD');
  });

  test('ordinary depth and sizes still evaluate', () => {
    const g = globals(
      `x = ${'['.repeat(150)}1${']'.repeat(150)}\ny = 1${' + 1'.repeat(900)}\nz = [0] * 500000\n`,
    );
    expect(g.get('y')).toBe(901);
    expect(evaluate('srcs = ["a.go"] * 10 + glob_like\n', 'build').ok).toBe(false);
  });
});
