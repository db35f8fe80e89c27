import { installInterruptHandler } from '../../src/exec';

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
