import { err, ok, type Result } from '../util/result';

/** Gives a permit back. Calling it more than once is harmless. */
export type Release = () => void;

/** Why no permit was granted. */
export interface SemaphoreCancelled {
  readonly reason: 'cancelled';
}

interface Waiter {
  readonly grant: (release: Release) => void;
  readonly onAbort: () => void;
}

/**
 * A counting semaphore with FIFO fairness. It bounds the expensive part of jobs (spawning tools)
 * to `--jobs`, while cheap work such as cache lookups runs without a permit.
 *
 * Waiting for a permit is cancellable; cancellation is an expected outcome, so it is a
 * `Result` value rather than a rejected promise (a rejection would reach the scheduler as a bug).
 */
export class Semaphore {
  private available: number;
  private readonly waiters: Waiter[] = [];

  /** @param permits how many holders may run at once (at least 1). */
  constructor(private readonly permits: number) {
    if (!Number.isInteger(permits) || permits < 1) {
      throw new Error(`Semaphore needs a positive integer of permits, got ${permits}`);
    }
    this.available = permits;
  }

  /** Permits currently held. */
  get inUse(): number {
    return this.permits - this.available;
  }

  /** Waits for a permit; fails with `cancelled` if `signal` aborts first (or already has). */
  acquire(signal?: AbortSignal): Promise<Result<Release, SemaphoreCancelled>> {
    if (signal?.aborted === true) {
      return Promise.resolve(err({ reason: 'cancelled' }));
    }
    if (this.available > 0 && this.waiters.length === 0) {
      this.available--;
      return Promise.resolve(ok(this.makeRelease()));
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', waiter.onAbort);
          resolve(ok(release));
        },
        onAbort: () => {
          const at = this.waiters.indexOf(waiter);
          if (at >= 0) {
            this.waiters.splice(at, 1);
          }
          resolve(err({ reason: 'cancelled' }));
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /**
   * Runs `fn` while holding a permit and releases it afterwards, also when `fn` throws.
   * Fails with `cancelled` if the permit was not obtained before `signal` aborted.
   */
  async use<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<Result<T, SemaphoreCancelled>> {
    const permit = await this.acquire(signal);
    if (!permit.ok) {
      return permit;
    }
    try {
      return ok(await fn());
    } finally {
      permit.value();
    }
  }

  private makeRelease(): Release {
    let released = false;
    return () => {
      if (released) {
        return;
      }
      released = true;
      // Hand the permit straight to the next waiter so that a newcomer cannot overtake it.
      const next = this.waiters.shift();
      if (next !== undefined) {
        next.grant(this.makeRelease());
      } else {
        this.available++;
      }
    };
  }
}
