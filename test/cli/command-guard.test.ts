import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CommandGuard, type ProcessHooks, guardCommand } from '../../src/cli/command-guard';
import type { BuildEvent, EventSink } from '../../src/events';
import { parseEvents } from '../e2e/harness';

const REPO = path.resolve(__dirname, '..', '..');

/** Collects events. */
class Collector implements EventSink {
  readonly events: BuildEvent[] = [];
  emit(event: BuildEvent): void {
    this.events.push(event);
  }
}

/** A fake `process` whose beforeExit the test fires by hand. */
class FakeProcess implements ProcessHooks {
  listener: (() => void) | undefined;
  once(_event: 'beforeExit', listener: () => void): void {
    this.listener = listener;
  }
  off(_event: 'beforeExit', listener: () => void): void {
    if (this.listener === listener) this.listener = undefined;
  }
}

const STARTED: BuildEvent = { type: 'command-started', command: 'build', patterns: [], jobs: 1 };
const FINISHED: BuildEvent = {
  type: 'command-finished',
  exitCode: 0,
  executed: 0,
  cached: 0,
  failed: 0,
  durationMs: 1,
  spawns: 0,
};

function setup(): { sink: Collector; guard: CommandGuard; proc: FakeProcess } {
  const sink = new Collector();
  return { sink, guard: new CommandGuard(sink, () => 1000), proc: new FakeProcess() };
}

test('a command whose promise never settles ends with command-finished and exit 3 at beforeExit', async () => {
  const { sink, guard, proc } = setup();
  const code = guardCommand(
    guard,
    () => {
      guard.emit(STARTED);
      // Awaits a promise that nothing can ever settle (as a dependency cycle used to).
      return new Promise<number>(() => undefined);
    },
    proc,
  );
  expect(proc.listener).toBeDefined();
  proc.listener?.();
  await expect(code).resolves.toBe(3);
  expect(sink.events.map((e) => e.type)).toEqual([
    'command-started',
    'diagnostic',
    'command-finished',
  ]);
  const diagnostic = sink.events[1];
  expect(diagnostic?.type === 'diagnostic' && diagnostic.message).toMatch(/^internal error/);
  expect(sink.events[2]).toMatchObject({ type: 'command-finished', exitCode: 3 });
});

test('a command that returns without command-finished exits 3, never its own code', async () => {
  const { sink, guard, proc } = setup();
  const code = await guardCommand(
    guard,
    () => {
      guard.emit(STARTED);
      return Promise.resolve(0);
    },
    proc,
  );
  expect(code).toBe(3);
  expect(sink.events.at(-1)).toMatchObject({ type: 'command-finished', exitCode: 3 });
  expect(proc.listener).toBeUndefined();
});

test('a command that throws after command-started still emits command-finished (exit 3)', async () => {
  const { sink, guard, proc } = setup();
  const run = guardCommand(
    guard,
    () => {
      guard.emit(STARTED);
      return Promise.reject(new Error('boom'));
    },
    proc,
  );
  await expect(run).rejects.toThrow('boom');
  expect(sink.events.at(-1)).toMatchObject({ type: 'command-finished', exitCode: 3 });
  expect(proc.listener).toBeUndefined();
});

test('a command that finishes properly keeps its exit code and its events', async () => {
  const { sink, guard, proc } = setup();
  const code = await guardCommand(
    guard,
    () => {
      guard.emit(STARTED);
      guard.emit({ ...FINISHED, exitCode: 1 });
      return Promise.resolve(1);
    },
    proc,
  );
  expect(code).toBe(1);
  expect(sink.events.map((e) => e.type)).toEqual(['command-started', 'command-finished']);
  expect(proc.listener).toBeUndefined();
});

test('a command without command-started (query, clean) is not asked for command-finished', async () => {
  const { sink, guard, proc } = setup();
  await expect(guardCommand(guard, () => Promise.resolve(2), proc)).resolves.toBe(2);
  expect(sink.events).toEqual([]);
});

test('in a real process, a never-settling command exits 3 with command-finished, not 0', () => {
  const guardModule = path.join(REPO, 'dist', 'src', 'cli', 'command-guard.js');
  const loggerModule = path.join(REPO, 'dist', 'src', 'events', 'json-logger.js');
  const script = `
    const { CommandGuard, guardCommand } = require(${JSON.stringify(guardModule)});
    const { JsonLogger } = require(${JSON.stringify(loggerModule)});
    const guard = new CommandGuard(new JsonLogger(process.stdout));
    guardCommand(guard, async () => {
      guard.emit(${JSON.stringify(STARTED)});
      await new Promise(() => {});
      return 0;
    }).then((code) => { process.exitCode = code; });
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30000 });
  expect(r.status).toBe(3);
  const events = parseEvents(r.stdout);
  expect(events.map((e) => e.type)).toEqual(['command-started', 'diagnostic', 'command-finished']);
  expect(events.at(-1)).toMatchObject({ type: 'command-finished', exitCode: 3 });
});
