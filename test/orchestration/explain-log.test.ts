import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExplainLog, type KeySummary } from '../../src/orchestration/explain-log';

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
});
