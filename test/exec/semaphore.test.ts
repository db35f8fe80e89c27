import { Semaphore } from '../../src/exec';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Semaphore', () => {
  it('grants permits in FIFO order once released', async () => {
    const semaphore = new Semaphore(1);
    const first = await semaphore.acquire();
    if (!first.ok) throw new Error('no permit');
    const order: string[] = [];
    const second = semaphore.acquire().then((r) => {
      order.push('second');
      return r;
    });
    const third = semaphore.acquire().then((r) => {
      order.push('third');
      return r;
    });
    await tick();
    expect(order).toEqual([]);
    expect(semaphore.inUse).toBe(1);
    first.value();
    first.value(); // releasing twice must not hand out a second permit
    const s = await second;
    await tick();
    expect(order).toEqual(['second']);
    if (!s.ok) throw new Error('no permit');
    s.value();
    const t = await third;
    expect(order).toEqual(['second', 'third']);
    if (!t.ok) throw new Error('no permit');
    t.value();
    expect(semaphore.inUse).toBe(0);
  });

  it('fails with cancelled when the signal aborts while waiting, without losing the permit', async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    if (!held.ok) throw new Error('no permit');
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort();
    expect(await waiting).toEqual({ ok: false, failure: { reason: 'cancelled' } });
    held.value();
    expect(semaphore.inUse).toBe(0);
    const again = await semaphore.acquire(new AbortController().signal);
    expect(again.ok).toBe(true);
  });

  it('fails at once with an already-aborted signal', async () => {
    const semaphore = new Semaphore(2);
    expect(await semaphore.acquire(AbortSignal.abort())).toEqual({
      ok: false,
      failure: { reason: 'cancelled' },
    });
    expect(semaphore.inUse).toBe(0);
  });

  it('use() releases the permit even when the function throws', async () => {
    const semaphore = new Semaphore(1);
    await expect(
      semaphore.use(async () => {
        throw new Error('inner');
      }),
    ).rejects.toThrow('inner');
    expect(semaphore.inUse).toBe(0);
    expect(await semaphore.use(async () => 42)).toEqual({ ok: true, value: 42 });
  });

  it('rejects a non-positive size', () => {
    expect(() => new Semaphore(0)).toThrow();
  });
});
