import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ActionResult } from '../../src/cache/action-result';
import { RecordMemo } from '../../src/cache/verified-memo';
import { testKey } from './test-data';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-record-memo-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const stat = (p: string): fs.BigIntStats => fs.lstatSync(p, { bigint: true });

describe('RecordMemo', () => {
  const result: ActionResult = { outputs: [], exitCode: 0 };

  test('answers a decoded record while its file keeps the state it was decoded in', () => {
    const file = path.join(dir, 'record');
    fs.writeFileSync(file, 'v1');
    const memo = new RecordMemo();
    const key = testKey('k');
    expect(memo.get(key, stat(file))).toBeUndefined();
    memo.remember(key, stat(file), result);
    expect(memo.get(key, stat(file))).toBe(result);
    expect(memo.get(testKey('other'), stat(file))).toBeUndefined();
  });

  test('an edit (mtime restored), a replacement or a touch makes it read again', () => {
    const file = path.join(dir, 'record');
    fs.writeFileSync(file, 'v1');
    const memo = new RecordMemo();
    const key = testKey('k');
    memo.remember(key, stat(file), result);

    const before = fs.statSync(file);
    fs.writeFileSync(file, 'v2');
    fs.utimesSync(file, before.atime, before.mtime);
    expect(memo.get(key, stat(file))).toBeUndefined();

    memo.remember(key, stat(file), result);
    const replacement = path.join(dir, 'new');
    fs.writeFileSync(replacement, 'v2');
    fs.renameSync(replacement, file);
    expect(memo.get(key, stat(file))).toBeUndefined();

    memo.remember(key, stat(file), result);
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(file, later, later);
    expect(memo.get(key, stat(file))).toBeUndefined();
  });
});
