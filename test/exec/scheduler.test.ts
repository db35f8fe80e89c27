import { Scheduler, Semaphore, countOutcomes, type Job, type JobOutcome } from '../../src/exec';
import { err, ok, type Result } from '../../src/util/result';

type Failure = { reason: 'boom' } | { reason: 'aborted' };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
    } else {
      signal.addEventListener('abort', () => resolve(), { once: true });
    }
  });
}

function job(
  id: string,
  deps: string[],
  run: (
    signal: AbortSignal,
    depValues: ReadonlyMap<string, string>,
  ) => Promise<Result<string, Failure>>,
): Job<string, Failure> {
  return { id, deps, run };
}

/** A job that succeeds with its own id after `ms`. */
function quick(id: string, deps: string[] = [], ms = 1, log?: string[]): Job<string, Failure> {
  return job(id, deps, async () => {
    log?.push(`start ${id}`);
    await sleep(ms);
    log?.push(`end ${id}`);
    return ok(id);
  });
}

/** A job that fails after `ms`. */
function failing(id: string, deps: string[] = [], ms = 1): Job<string, Failure> {
  return job(id, deps, async () => {
    await sleep(ms);
    return err({ reason: 'boom' });
  });
}

/** A job that only ends when the run is aborted, then fails with `aborted`. */
function untilAborted(id: string, deps: string[] = [], started?: () => void): Job<string, Failure> {
  return job(id, deps, async (signal) => {
    started?.();
    await aborted(signal);
    return err({ reason: 'aborted' });
  });
}

function scheduler(
  keepGoing: boolean,
  signal = new AbortController().signal,
  maxInFlight?: number,
) {
  return new Scheduler<string, Failure>({ keepGoing, signal, maxInFlight });
}

function statuses(
  outcomes: ReadonlyMap<string, JobOutcome<string, Failure>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, o] of outcomes) {
    out[id] = o.status === 'blocked' ? `blocked by ${o.by}` : o.status;
  }
  return out;
}

describe('Scheduler ordering', () => {
  it('runs a diamond in dependency order and passes dep values', async () => {
    const log: string[] = [];
    let seen: string[] = [];
    const jobs = [
      job('d', ['b', 'c'], async (_signal, deps) => {
        log.push('start d');
        seen = [...deps.entries()].map(([k, v]) => `${k}=${v}`).sort();
        return ok('d');
      }),
      quick('b', ['a'], 5, log),
      quick('c', ['a'], 1, log),
      quick('a', [], 1, log),
    ];
    const outcomes = await scheduler(false).run(jobs);
    expect(statuses(outcomes)).toEqual({ d: 'done', b: 'done', c: 'done', a: 'done' });
    expect(outcomes.get('d')).toEqual({ status: 'done', value: 'd' });
    expect(seen).toEqual(['b=b', 'c=c']);
    const at = (entry: string): number => log.indexOf(entry);
    expect(at('end a')).toBeLessThan(at('start b'));
    expect(at('end a')).toBeLessThan(at('start c'));
    expect(at('end b')).toBeLessThan(at('start d'));
    expect(at('end c')).toBeLessThan(at('start d'));
    // b and c are independent, so they overlap: c starts before b ends.
    expect(at('start c')).toBeLessThan(at('end b'));
  });

  it('returns outcomes in the order jobs were given and counts them', async () => {
    const outcomes = await scheduler(true).run([quick('z'), failing('y'), quick('x', ['y'])]);
    expect([...outcomes.keys()]).toEqual(['z', 'y', 'x']);
    expect(countOutcomes(outcomes)).toEqual({
      done: 1,
      failed: 1,
      blocked: 1,
      cancelled: 0,
      'not-run': 0,
    });
  });

  it('handles an empty graph and duplicate deps', async () => {
    expect((await scheduler(false).run([])).size).toBe(0);
    const outcomes = await scheduler(false).run([quick('a'), quick('b', ['a', 'a'])]);
    expect(statuses(outcomes)).toEqual({ a: 'done', b: 'done' });
  });
});

describe('Scheduler bounds', () => {
  it('never lets more than --jobs holders into the semaphore', async () => {
    const semaphore = new Semaphore(3);
    let holders = 0;
    let maxHolders = 0;
    let cheapStarted = 0;
    const jobs = Array.from({ length: 20 }, (_, i) =>
      job(`j${i}`, [], async (signal) => {
        cheapStarted++; // the cache-lookup part runs without a permit
        const r = await semaphore.use(async () => {
          holders++;
          maxHolders = Math.max(maxHolders, holders);
          await sleep(5);
          holders--;
          return `j${i}`;
        }, signal);
        return r.ok ? ok(r.value) : err({ reason: 'aborted' });
      }),
    );
    const outcomes = await scheduler(false).run(jobs);
    expect(countOutcomes(outcomes).done).toBe(20);
    expect(maxHolders).toBe(3);
    expect(cheapStarted).toBe(20);
    expect(semaphore.inUse).toBe(0);
  });

  it('caps the number of run calls in flight', async () => {
    let running = 0;
    let maxRunning = 0;
    const jobs = Array.from({ length: 12 }, (_, i) =>
      job(`j${i}`, [], async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(3);
        running--;
        return ok('x');
      }),
    );
    const outcomes = await scheduler(false, new AbortController().signal, 4).run(jobs);
    expect(countOutcomes(outcomes).done).toBe(12);
    expect(maxRunning).toBe(4);
  });
});

describe('Scheduler failures', () => {
  it('with keepGoing: blocks transitive dependents and finishes independent work', async () => {
    const outcomes = await scheduler(true).run([
      failing('a'),
      quick('b', ['a']),
      quick('c', ['b']),
      quick('d', [], 20),
      quick('e', ['d']),
      quick('f', ['e', 'c']),
    ]);
    expect(statuses(outcomes)).toEqual({
      a: 'failed',
      b: 'blocked by a',
      c: 'blocked by a',
      d: 'done',
      e: 'done',
      f: 'blocked by a',
    });
    expect(outcomes.get('a')).toEqual({ status: 'failed', failure: { reason: 'boom' } });
  });

  it('without keepGoing: cancels running jobs and starts nothing new', async () => {
    let slowSawAbort = false;
    const outcomes = await scheduler(false).run([
      failing('a', [], 10),
      quick('b', ['a']),
      job('slow', [], async (signal) => {
        await aborted(signal);
        slowSawAbort = true;
        return err({ reason: 'aborted' });
      }),
      quick('later', [], 30),
      quick('after-later', ['later']),
    ]);
    expect(slowSawAbort).toBe(true);
    expect(statuses(outcomes)).toEqual({
      a: 'failed',
      b: 'blocked by a',
      slow: 'cancelled',
      // A job that still succeeds after the abort keeps its (valid) value.
      later: 'done',
      'after-later': 'not-run',
    });
  });

  it('without keepGoing: ready jobs waiting for an in-flight slot are not-run', async () => {
    const outcomes = await scheduler(false, new AbortController().signal, 1).run([
      failing('a'),
      quick('b'),
      quick('c'),
    ]);
    expect(statuses(outcomes)).toEqual({ a: 'failed', b: 'not-run', c: 'not-run' });
  });
});

describe('Scheduler cancellation', () => {
  it('aborting the caller signal mid-run cancels running jobs and leaves the rest not-run', async () => {
    const controller = new AbortController();
    let started = 0;
    const onStart = (): void => {
      started++;
      if (started === 2) {
        controller.abort();
      }
    };
    const outcomes = await scheduler(true, controller.signal).run([
      quick('a'),
      untilAborted('x', ['a'], onStart),
      untilAborted('y', ['a'], onStart),
      quick('z', ['x']),
    ]);
    expect(statuses(outcomes)).toEqual({ a: 'done', x: 'cancelled', y: 'cancelled', z: 'not-run' });
  });

  it('runs nothing when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    let ran = false;
    const outcomes = await scheduler(true, controller.signal).run([
      job('a', [], async () => {
        ran = true;
        return ok('a');
      }),
    ]);
    expect(ran).toBe(false);
    expect(statuses(outcomes)).toEqual({ a: 'not-run' });
  });

  it('re-throws a bug in a job only after cancelling and waiting for the others', async () => {
    let otherSettled = false;
    const run = scheduler(true).run([
      job('bad', [], async () => {
        await sleep(5);
        throw new Error('bug in job');
      }),
      job('other', [], async (signal) => {
        await aborted(signal);
        await sleep(10);
        otherSettled = true;
        return err({ reason: 'aborted' });
      }),
      quick('never', ['bad']),
    ]);
    await expect(run).rejects.toThrow('bug in job');
    expect(otherSettled).toBe(true);
  });

  it('treats a synchronous throw like an asynchronous one', async () => {
    const throwing: Job<string, Failure> = {
      id: 'sync',
      deps: [],
      run: () => {
        throw new Error('sync bug');
      },
    };
    await expect(scheduler(false).run([throwing])).rejects.toThrow('sync bug');
  });
});

describe('Scheduler graph validation', () => {
  it('detects a cycle and names it', async () => {
    await expect(
      scheduler(false).run([quick('a', ['c']), quick('b', ['a']), quick('c', ['b']), quick('d')]),
    ).rejects.toThrow(/dependency cycle (a -> c -> b -> a|b -> a -> c -> b|c -> b -> a -> c)/);
  });

  it('detects a self-loop', async () => {
    await expect(scheduler(false).run([quick('a', ['a'])])).rejects.toThrow(
      'dependency cycle a -> a',
    );
  });

  it('rejects unknown deps and duplicate ids before running anything', async () => {
    let ran = false;
    const spy = job('ok', [], async () => {
      ran = true;
      return ok('ok');
    });
    await expect(scheduler(false).run([spy, quick('a', ['missing'])])).rejects.toThrow(
      'unknown job "missing"',
    );
    await expect(scheduler(false).run([spy, quick('a'), quick('a')])).rejects.toThrow(
      'duplicate job id "a"',
    );
    expect(ran).toBe(false);
  });

  it('handles a deep chain without recursion limits', async () => {
    const jobs = Array.from({ length: 5000 }, (_, i) =>
      job(`n${i}`, i === 0 ? [] : [`n${i - 1}`], async () => ok(`n${i}`)),
    );
    const outcomes = await scheduler(false).run(jobs);
    expect(countOutcomes(outcomes).done).toBe(5000);
  });

  it('starts preferred jobs first, and keeps few others in flight until they have all started', async () => {
    const started: string[] = [];
    const cached = (id: string, deps: string[] = []): Job<string, Failure> =>
      job(id, deps, async () => {
        started.push(id);
        return ok(id);
      });
    // Fifty cache hits, and the chain to the action an edit changed (its dependencies first).
    const others = Array.from({ length: 50 }, (_, i) => cached(`n${i}`));
    const chain = [cached('p1'), cached('p2', ['p1']), cached('p3', ['p2'])];
    const s = new Scheduler<string, Failure>({
      keepGoing: false,
      signal: new AbortController().signal,
      preferred: new Set(['p1', 'p2', 'p3']),
    });
    const outcomes = await s.run([...others, ...chain]);
    expect(countOutcomes(outcomes).done).toBe(53);
    expect(started[0]).toBe('p1');
    // Each level of the chain waits for one round of what is in flight: four others, not fifty.
    expect(started.indexOf('p3')).toBeLessThan(15);
  });

  it('lets the event loop run while a long stretch of jobs settles in microtasks', async () => {
    let settled = 0;
    const busy = (id: string): Job<string, Failure> =>
      job(id, [], async () => {
        // A cache hit costs CPU, not I/O: its promise resolves without the event loop.
        const until = performance.now() + 0.02;
        while (performance.now() < until);
        settled++;
        return ok(id);
      });
    let settledWhenIoRan: number | undefined;
    setImmediate(() => (settledWhenIoRan = settled));
    await scheduler(false).run(Array.from({ length: 2000 }, (_, i) => busy(`b${i}`)));
    expect(settled).toBe(2000);
    expect(settledWhenIoRan).toBeLessThan(2000);
  });
});
