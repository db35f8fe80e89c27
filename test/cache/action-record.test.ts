import type { ActionResult } from '../../src/cache';
import { decodeActionRecord, encodeActionRecord, validateActionResult } from '../../src/cache';
import { sha256 } from '../../src/util/digest';
import { testKey } from './test-data';

const result: ActionResult = {
  outputs: [{ path: 'pkg/a.a', digest: sha256('a'), size: 1, executable: false }],
  exitCode: 0,
  stdout: { digest: sha256('out'), size: 3 },
  metadata: { durationMs: '5' },
};

function detail(bytes: Uint8Array, key = testKey('k')): string {
  const r = decodeActionRecord(bytes, key);
  if (r.ok) throw new Error('expected a failure');
  expect(r.failure.reason).toBe('corrupt-action-record');
  return r.failure.detail;
}

describe('action records', () => {
  test('round-trip', () => {
    const bytes = encodeActionRecord(testKey('k'), result);
    expect(Buffer.from(bytes).toString().split('\n')[0]).toMatch(
      /^pgobuild-ac v1 [0-9a-f]{64} [0-9a-f]{64} \d+$/,
    );
    expect(decodeActionRecord(bytes, testKey('k'))).toEqual({ ok: true, value: result });
  });

  test('truncation, edits, a foreign key and garbage are all rejected with a reason', () => {
    const bytes = Buffer.from(encodeActionRecord(testKey('k'), result));
    expect(detail(bytes.subarray(0, bytes.length - 1))).toMatch(/header says/);
    expect(detail(bytes.subarray(0, 20))).toBe('no header line');
    const edited = Buffer.from(bytes.toString().replace('"exitCode":0', '"exitCode":1'));
    expect(detail(edited)).toMatch(/checksum/);
    expect(detail(bytes, testKey('other'))).toMatch(/written for key/);
    expect(detail(Buffer.from('hello\nworld'))).toMatch(/malformed header/);
    expect(detail(new Uint8Array(0))).toBe('no header line');
  });

  test('a well-checksummed body that is not an ActionResult is rejected', () => {
    const body = Buffer.from(JSON.stringify({ outputs: 'nope', exitCode: 0 }));
    const header = `pgobuild-ac v1 ${testKey('k')} ${sha256(body)} ${body.length}\n`;
    expect(detail(Buffer.concat([Buffer.from(header), body]))).toBe('outputs is not an array');
  });
});

describe('validateActionResult', () => {
  test.each([
    [null, 'not an object'],
    [{ outputs: [], exitCode: 1.5 }, 'exitCode is not an integer'],
    [
      { outputs: [{ path: 'a', digest: 'xyz', size: 1, executable: false }], exitCode: 0 },
      'digest',
    ],
    [
      { outputs: [{ path: 'a', digest: sha256('a'), size: -1, executable: false }], exitCode: 0 },
      'size',
    ],
    [
      {
        outputs: [{ path: 'a/./b', digest: sha256('a'), size: 1, executable: false }],
        exitCode: 0,
      },
      'path',
    ],
    [{ outputs: [{ path: 'a', digest: sha256('a'), size: 1 }], exitCode: 0 }, 'executable'],
    [{ outputs: [], exitCode: 0, stderr: sha256('e') }, 'stderr'],
    [{ outputs: [], exitCode: 0, metadata: { n: 1 } }, 'metadata.n'],
  ])('rejects %j', (value, why) => {
    const r = validateActionResult(value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure.detail).toContain(why);
  });
});
