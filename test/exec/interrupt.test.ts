import { installInterruptHandler, interruptedBy, signalExitCode } from '../../src/exec';

describe('installInterruptHandler', () => {
  it('aborts on the first interrupt, calls back on the second, and uninstalls', () => {
    const before = { int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') };
    const controller = new AbortController();
    let second = 0;
    const uninstall = installInterruptHandler(controller, () => second++);
    expect(process.listenerCount('SIGINT')).toBe(before.int + 1);
    expect(process.listenerCount('SIGTERM')).toBe(before.term + 1);

    process.emit('SIGINT', 'SIGINT');
    expect(controller.signal.aborted).toBe(true);
    expect(second).toBe(0);
    process.emit('SIGTERM', 'SIGTERM');
    expect(second).toBe(1);

    uninstall();
    uninstall();
    expect(process.listenerCount('SIGINT')).toBe(before.int);
    expect(process.listenerCount('SIGTERM')).toBe(before.term);
  });

  it('SIGHUP aborts too, and the abort reason names the signal', () => {
    const controller = new AbortController();
    const uninstall = installInterruptHandler(controller, () => undefined);
    try {
      process.emit('SIGHUP', 'SIGHUP');
      expect(interruptedBy(controller.signal)).toBe('SIGHUP');
    } finally {
      uninstall();
    }
  });

  it('exit codes are 128 + the signal number, as shells report them', () => {
    expect(signalExitCode('SIGINT')).toBe(130);
    expect(signalExitCode('SIGTERM')).toBe(143);
    expect(signalExitCode('SIGKILL')).toBe(137);
    expect(signalExitCode('SIGHUP')).toBe(129);
  });

  it('SIGTERM alone aborts', () => {
    const controller = new AbortController();
    const uninstall = installInterruptHandler(controller, () => undefined);
    try {
      process.emit('SIGTERM', 'SIGTERM');
      expect(controller.signal.aborted).toBe(true);
    } finally {
      uninstall();
    }
  });
});
