import { setMaxListeners } from 'node:events';
import type { Result } from '../util/result';

/** A unit of work in a DAG. `deps` name other jobs of the same run. */
export interface Job<T, F> {
  readonly id: string;
  readonly deps: readonly string[];
  /**
   * Does the work. Receives the values of all deps (every dep is `done`). Should stop promptly
   * when `signal` aborts. Throwing is a bug (see {@link Scheduler.run}).
   */
  run(signal: AbortSignal, depValues: ReadonlyMap<string, T>): Promise<Result<T, F>>;
}

/** What became of one job. */
export type JobOutcome<T, F> =
  | { readonly status: 'done'; readonly value: T }
  | { readonly status: 'failed'; readonly failure: F }
  /** A dependency failed; `by` is the id of the failed job upstream. */
  | { readonly status: 'blocked'; readonly by: string }
  /** It was running when the run was aborted (Ctrl-C, or another job failed without keepGoing). */
  | { readonly status: 'cancelled' }
  /** It never started because the run was aborted first. */
  | { readonly status: 'not-run' };

/** Options of a {@link Scheduler}. */
export interface SchedulerOptions {
  /** Continue with independent jobs after a failure (like `make -k`). */
  readonly keepGoing: boolean;
  /** Aborting it cancels running jobs and starts nothing new (Ctrl-C). */
  readonly signal: AbortSignal;
  /**
   * Most `run` calls in flight at once (default 64). This is not `--jobs` (that bounds spawns,
   * through a shared {@link Semaphore} inside `run`); it only keeps thousands of ready jobs from
   * opening thousands of files at once.
   */
  readonly maxInFlight?: number;
  /**
   * Jobs to start before the others when several are ready (a build prefers the actions that ran
   * last time and what they depend on: after an edit, the work that will miss the cache). Order
   * among preferred jobs, and among the rest, is the order given. Until every preferred job has
   * started, at most {@link OTHERS_WHILE_PREFERRED} others are in flight: jobs that settle in
   * microtasks advance in rounds of everything in flight, so a full window of others would delay
   * each level of the preferred jobs' dependency chain by a whole round.
   */
  readonly preferred?: ReadonlySet<string>;
}

const DEFAULT_MAX_IN_FLIGHT = 64;

/**
 * Longest stretch the scheduling loop keeps the event loop busy. Jobs answered from a cache settle
 * in microtasks, so a run of thousands of them would otherwise hold back the I/O callbacks (exec
 * roots, process exits) of the jobs that do real work.
 */
const MAX_BUSY_MS = 4;

/** Jobs that are not preferred in flight at once while preferred ones wait to start. */
const OTHERS_WHILE_PREFERRED = 4;

/**
 * Runs a DAG of jobs: each job starts as soon as all its deps are done, up to `maxInFlight` at
 * once, preferred jobs first, then in the order given among those ready.
 *
 * Failure handling: a failed job marks every transitive dependent `blocked`. Without keepGoing
 * the first failure also aborts the signal given to running jobs (they end `cancelled`) and
 * nothing new starts (`not-run`). A job that fails after the run was aborted is reported as
 * `cancelled`, since its failure is presumably the abort itself; one that still succeeds is
 * `done` (its value is valid).
 */
export class Scheduler<T, F> {
  private readonly maxInFlight: number;

  constructor(private readonly opts: SchedulerOptions) {
    this.maxInFlight = opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 1) {
      throw new Error(`maxInFlight must be a positive integer, got ${this.maxInFlight}`);
    }
  }

  /**
   * Runs all jobs and resolves with the outcome of every one once nothing is running any more.
   *
   * Throws (before running anything) on duplicate ids, unknown dep ids and dependency cycles:
   * those are bugs of whoever built the graph.
   *
   * A job whose `run` throws is a bug too. The scheduler is generic over `F`, so it cannot turn
   * the exception into a failure value; instead it aborts every other running job, waits for them
   * to settle (no work is left behind), and re-throws the first exception. The CLI boundary turns
   * it into an `internal-error`.
   */
  async run(jobs: readonly Job<T, F>[]): Promise<ReadonlyMap<string, JobOutcome<T, F>>> {
    const byId = indexJobs(jobs);
    checkAcyclic(jobs, byId);

    const outcomes = new Map<string, JobOutcome<T, F>>();
    const unmetDeps = new Map<string, number>();
    const dependents = new Map<string, string[]>();
    const preferred = this.opts.preferred;
    const isPreferred = (id: string): boolean => preferred?.has(id) === true;
    const ready = new ReadyQueue(isPreferred);
    // Preferred jobs not yet started (nor blocked), and the other jobs in flight.
    const preferredLeft = new Set(jobs.filter((j) => isPreferred(j.id)).map((j) => j.id));
    let othersInFlight = 0;
    for (const job of jobs) {
      const distinctDeps = new Set(job.deps);
      unmetDeps.set(job.id, distinctDeps.size);
      for (const dep of distinctDeps) {
        const list = dependents.get(dep);
        if (list === undefined) {
          dependents.set(dep, [job.id]);
        } else {
          list.push(job.id);
        }
      }
      if (distinctDeps.size === 0) {
        ready.push(job.id);
      }
    }

    // Our own controller: it aborts on the caller's signal, on the first failure without
    // keepGoing, and on a thrown bug.
    const controller = new AbortController();
    // Every running job (and every job waiting on a Semaphore) listens on this one signal; that is
    // expected, not a leak, so Node's listener-count warning is turned off for it.
    setMaxListeners(0, controller.signal);
    const onOuterAbort = (): void => controller.abort(this.opts.signal.reason);
    if (this.opts.signal.aborted) {
      controller.abort(this.opts.signal.reason);
    } else {
      this.opts.signal.addEventListener('abort', onOuterAbort, { once: true });
    }

    let thrown: { readonly error: unknown } | undefined;
    const inFlight = new Set<string>();
    // Resolved whenever a job finishes: the loop below waits on it instead of racing every
    // in-flight promise (which attaches a handler to each of them per wake-up).
    let wake: () => void = () => undefined;

    const markBlocked = (failedId: string): void => {
      const stack = [...(dependents.get(failedId) ?? [])];
      for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
        if (outcomes.has(id)) {
          continue;
        }
        outcomes.set(id, { status: 'blocked', by: failedId });
        preferredLeft.delete(id);
        stack.push(...(dependents.get(id) ?? []));
      }
    };

    const settle = (id: string, result: Result<T, F>): void => {
      if (result.ok) {
        outcomes.set(id, { status: 'done', value: result.value });
        for (const dependent of dependents.get(id) ?? []) {
          const left = (unmetDeps.get(dependent) ?? 0) - 1;
          unmetDeps.set(dependent, left);
          if (left === 0 && !outcomes.has(dependent)) {
            ready.push(dependent);
          }
        }
        return;
      }
      if (controller.signal.aborted) {
        outcomes.set(id, { status: 'cancelled' });
        return;
      }
      outcomes.set(id, { status: 'failed', failure: result.failure });
      markBlocked(id);
      if (!this.opts.keepGoing) {
        controller.abort(new Error(`job ${id} failed`));
      }
    };

    const start = (job: Job<T, F>): Promise<void> => {
      const depValues = new Map<string, T>();
      for (const dep of job.deps) {
        const outcome = outcomes.get(dep);
        if (outcome?.status !== 'done') {
          throw new Error(`bug: job ${job.id} started before its dep ${dep} was done`);
        }
        depValues.set(dep, outcome.value);
      }
      // Wrapped so that a synchronous throw inside `run` is handled like an asynchronous one.
      return Promise.resolve()
        .then(() => job.run(controller.signal, depValues))
        .then(
          (result) => settle(job.id, result),
          (error: unknown) => {
            outcomes.set(job.id, { status: 'cancelled' });
            if (thrown === undefined) {
              thrown = { error };
            }
            controller.abort(new Error(`job ${job.id} threw`));
          },
        )
        .finally(() => {
          inFlight.delete(job.id);
          if (!isPreferred(job.id)) othersInFlight--;
          wake();
        });
    };

    try {
      let busySince = Date.now();
      for (;;) {
        while (!controller.signal.aborted && inFlight.size < this.maxInFlight) {
          const id = ready.shift(
            preferredLeft.size === 0 || othersInFlight < OTHERS_WHILE_PREFERRED,
          );
          if (id === undefined) break;
          const job = byId.get(id);
          if (job === undefined) {
            throw new Error(`bug: ready queue holds unknown job ${id}`);
          }
          inFlight.add(job.id);
          if (isPreferred(id)) preferredLeft.delete(id);
          else othersInFlight++;
          void start(job);
        }
        if (inFlight.size === 0) {
          break;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        if (Date.now() - busySince >= MAX_BUSY_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          busySince = Date.now();
        }
      }
    } finally {
      this.opts.signal.removeEventListener('abort', onOuterAbort);
    }

    if (thrown !== undefined) {
      throw thrown.error;
    }
    for (const job of jobs) {
      if (!outcomes.has(job.id)) {
        outcomes.set(job.id, { status: 'not-run' });
      }
    }
    // Report in the order the jobs were given, which callers find easiest to read.
    const ordered = new Map<string, JobOutcome<T, F>>();
    for (const job of jobs) {
      const outcome = outcomes.get(job.id);
      if (outcome !== undefined) {
        ordered.set(job.id, outcome);
      }
    }
    return ordered;
  }
}

/** Ready job ids: the preferred ones first, each kind in the order they became ready. */
class ReadyQueue {
  private readonly queues: [string[], string[]] = [[], []];
  private readonly heads: [number, number] = [0, 0];

  constructor(private readonly isPreferred: (id: string) => boolean) {}

  push(id: string): void {
    this.queues[this.isPreferred(id) ? 0 : 1].push(id);
  }

  /** The next preferred id, else (when `others`) the next other one. */
  shift(others: boolean): string | undefined {
    for (const q of others ? ([0, 1] as const) : ([0] as const)) {
      const queue = this.queues[q];
      if (this.heads[q] < queue.length) return queue[this.heads[q]++];
    }
    return undefined;
  }
}

/** Counts jobs by outcome status, e.g. for a summary line. */
export function countOutcomes<T, F>(
  outcomes: ReadonlyMap<string, JobOutcome<T, F>>,
): Readonly<Record<JobOutcome<T, F>['status'], number>> {
  const counts = { done: 0, failed: 0, blocked: 0, cancelled: 0, 'not-run': 0 };
  for (const outcome of outcomes.values()) {
    counts[outcome.status]++;
  }
  return counts;
}

function indexJobs<T, F>(jobs: readonly Job<T, F>[]): Map<string, Job<T, F>> {
  const byId = new Map<string, Job<T, F>>();
  for (const job of jobs) {
    if (byId.has(job.id)) {
      throw new Error(`job graph bug: duplicate job id ${JSON.stringify(job.id)}`);
    }
    byId.set(job.id, job);
  }
  for (const job of jobs) {
    for (const dep of job.deps) {
      if (!byId.has(dep)) {
        throw new Error(
          `job graph bug: job ${JSON.stringify(job.id)} depends on unknown job ${JSON.stringify(dep)}`,
        );
      }
    }
  }
  return byId;
}

/** Throws naming one cycle (`a -> b -> a`) if the graph has any. Iterative: graphs can be deep. */
function checkAcyclic<T, F>(
  jobs: readonly Job<T, F>[],
  byId: ReadonlyMap<string, Job<T, F>>,
): void {
  const state = new Map<string, 'visiting' | 'visited'>();
  for (const root of jobs) {
    if (state.has(root.id)) {
      continue;
    }
    // Each frame is a job and the index of the next dep to look at; the stack is the current path.
    const stack: { job: Job<T, F>; nextDep: number }[] = [{ job: root, nextDep: 0 }];
    state.set(root.id, 'visiting');
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      if (frame === undefined) {
        break;
      }
      const depId = frame.job.deps[frame.nextDep++];
      if (depId === undefined) {
        state.set(frame.job.id, 'visited');
        stack.pop();
        continue;
      }
      const depState = state.get(depId);
      if (depState === 'visited') {
        continue;
      }
      if (depState === 'visiting') {
        const path = stack.map((f) => f.job.id);
        const cycle = [...path.slice(path.indexOf(depId)), depId];
        throw new Error(`job graph bug: dependency cycle ${cycle.join(' -> ')}`);
      }
      const dep = byId.get(depId);
      if (dep === undefined) {
        throw new Error(`job graph bug: unknown job ${depId}`);
      }
      state.set(depId, 'visiting');
      stack.push({ job: dep, nextDep: 0 });
    }
  }
}
