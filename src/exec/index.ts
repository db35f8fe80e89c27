// The executor: runs actions in sandboxes and DAGs of jobs with bounded, cancellable concurrency.
export * from './executor';
export * from './interrupt';
export * from './placeholders';
export * from './sandbox';
export * from './sandbox-base';
export * from './scheduler';
export * from './semaphore';
export * from './spawn-process';
