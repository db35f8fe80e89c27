import { EXIT, signalExitCode } from '../../src/util/exit-code';

describe('the exit-code table', () => {
  it('has the codes README documents', () => {
    expect(EXIT).toEqual({ ok: 0, failure: 1, usage: 2, internal: 3 });
  });

  it('reports a signal as shells do: 128 + its number', () => {
    expect(signalExitCode('SIGINT')).toBe(130);
    expect(signalExitCode('SIGTERM')).toBe(143);
    expect(signalExitCode('SIGHUP')).toBe(129);
    expect(signalExitCode('SIGKILL')).toBe(137);
  });
});
