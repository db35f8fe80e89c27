import { testBinaryName } from '../../src/go/test-run-action';

describe('testBinaryName (cmd/go testBinaryName / DefaultExecName)', () => {
  test.each([
    ['example.com/m/lib', 'lib.test'],
    ['example.com/m/cmd/app', 'app.test'],
    ['example.com/m/v2', 'm.test'],
    ['example.com/m/v10', 'm.test'],
    ['example.com/m/v1', 'v1.test'],
    ['example.com/m/v01', 'v01.test'],
    ['v2', 'v2.test'],
    ['lib', 'lib.test'],
  ])('%s → %s', (importPath, name) => {
    expect(testBinaryName(importPath)).toBe(name);
  });
});
