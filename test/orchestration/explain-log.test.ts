import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExplainLog, type KeySummary, settleExplainLog } from '../../src/orchestration/explain-log';

const summary = (key: string, input: string): KeySummary => ({
  key,
  toolchain: 't',
  steps: 's',
  env: 'e',
  inputs: { 'a.go': input },
});

describe('ExplainLog', () => {
  it('keeps every record when many actions report at once, and names what changed next time', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-'));
    const first = await ExplainLog.open(root);
    first.beginBuild();
    // Concurrent reports of actions never seen before (all cached, e.g. from a shared cache).
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        first.record(`n${i}`, 'GoCompile', `//p${i}`, 'cached', `k${i}`, () =>
          summary(`k${i}`, 'old'),
        ),
      ),
    );
    await first.save();

    const second = await ExplainLog.open(root);
    second.beginBuild();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        second.record(`n${i}`, 'GoCompile', `//p${i}`, 'executed', `k${i}'`, () =>
          summary(`k${i}'`, 'new'),
        ),
      ),
    );
    await second.save();

    const entries = (await ExplainLog.open(root)).entries();
    expect(Object.keys(entries)).toHaveLength(50);
    for (const e of Object.values(entries)) {
      expect(e.status).toBe('executed');
      expect(e.reasons).toEqual([expect.stringMatching(/^input changed: a\.go/)]);
    }
  });

  it('remembers what the latest build that executed actions executed, through null builds and replays', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-'));
    const build = async (executed: readonly string[]): Promise<void> => {
      const log = await ExplainLog.open(root);
      log.beginBuild();
      for (const id of ['a', 'b', 'c'])
        await log.record(
          id,
          'GoCompile',
          id,
          executed.includes(id) ? 'executed' : 'cached',
          `k${id}`,
          () => summary(`k${id}`, 'x'),
        );
      await log.save();
    };
    const recent = async (): Promise<readonly string[]> =>
      (await ExplainLog.open(root)).recentlyExecuted();
    await build(['b', 'c']);
    expect(await recent()).toEqual(['b', 'c']);
    await build([]);
    expect(await recent()).toEqual(['b', 'c']);
    await build(['a']);
    // The up-to-date check's replay marks every entry cached, and keeps what had executed.
    settleExplainLog(root);
    const settled = await ExplainLog.open(root);
    expect(Object.values(settled.entries()).map((e) => e.status)).toEqual([
      'cached',
      'cached',
      'cached',
    ]);
    expect(settled.recentlyExecuted()).toEqual(['a']);
  });
});
