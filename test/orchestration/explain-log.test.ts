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

  it("rewrites only the key records of the shard holding an executed node, where its profile variant's are", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-'));
    const ids = Array.from({ length: 300 }, (_, i) => `compile://lib/p${i}:p${i}@linux_amd64`);
    const first = await ExplainLog.open(root);
    first.beginBuild();
    for (const id of ids)
      await first.record(id, 'GoCompile', id, 'executed', `k-${id}`, () => summary('k', 'old'));
    await first.save();
    const dir = path.join(root, 'pgobuild-out', '.pgobuild', 'key-records');
    const shards = fs.readdirSync(dir).sort();
    expect(shards.length).toBeGreaterThan(30);
    const before = new Map(shards.map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs]));
    // Another file's write moves the clock past any mtime granularity.
    await new Promise((r) => setTimeout(r, 20));

    const second = await ExplainLog.open(root);
    second.beginBuild();
    const edited = `${ids[7] as string} pgo[//cmd/api]`;
    for (const id of ids)
      if (id !== ids[7])
        await second.record(id, 'GoCompile', id, 'cached', `k-${id}`, () => summary('k', 'old'));
    await second.record(edited, 'GoCompile', edited, 'executed', 'k2', () => ({
      ...summary('k2', 'old'),
      pgo: { digest: 'd', file: 'cmd/api/default.pgo', binary: '//cmd/api' },
    }));
    await second.save();
    const rewritten = shards.filter(
      (f) => fs.statSync(path.join(dir, f)).mtimeMs !== before.get(f),
    );
    expect(rewritten).toHaveLength(1);
    // Found in the shard it shares with the variant without a profile.
    expect((await ExplainLog.open(root)).entries()[edited]?.reasons).toEqual([
      expect.stringMatching(/^profile added/),
    ]);
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
