import { mkdtemp, readFile, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import * as protobuf from 'protobufjs';
import {
  compareEdges,
  compareUtf8,
  formatProfileFailure,
  runPreprocessCommand,
  serializePreprocessed,
} from '../../src/pprof';
import { IdTable } from '../../src/pprof/id-table';
import { Int64Reader } from '../../src/pprof/int64-reader';

describe('compareUtf8', () => {
  it('orders like a bytewise comparison of the UTF-8 encodings', () => {
    const alphabet = [
      'a',
      'b',
      'z',
      '\u00e9',
      '\u07ff',
      '\u0800',
      '\ud7ff',
      '\ue000',
      '\uff46',
      '\uffff',
      '\u{10000}',
      '\u{1f600}',
      '\u{10ffff}',
      '',
    ];
    const strings: string[] = [];
    for (const x of alphabet)
      for (const y of alphabet)
        for (const z of ['', 'a', '\u{1f600}', '\uffff']) strings.push(x + y + z);
    const encoded = strings.map((x) => Buffer.from(x, 'utf8'));
    const mismatches: string[] = [];
    strings.forEach((a, i) => {
      strings.forEach((b, j) => {
        const bytes = Math.sign(Buffer.compare(encoded[i] as Buffer, encoded[j] as Buffer));
        if (Math.sign(compareUtf8(a, b)) !== bytes) {
          mismatches.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
        }
      });
    });
    expect(mismatches).toEqual([]);
    // The pair that plain `<` gets wrong really is in the set.
    expect('\u{1f600}' < '\uff46').toBe(true);
    expect(compareUtf8('\u{1f600}', '\uff46')).toBeGreaterThan(0);
  });
});

describe('serializePreprocessed', () => {
  it('writes the header alone for no edges', () => {
    expect(Buffer.from(serializePreprocessed([])).toString('utf8')).toBe('GO PREPROFILE V1\n');
  });

  it('writes three lines per edge, negative offsets and large weights in plain decimal', () => {
    const edges = [
      { caller: 'main.main', callee: 'main.f', callSiteOffset: -3, weight: 2 ** 40 },
      { caller: 'p%2eq.T.M', callee: 'runtime.asyncPreempt', callSiteOffset: 0, weight: 1 },
    ];
    expect(Buffer.from(serializePreprocessed(edges)).toString('utf8')).toBe(
      'GO PREPROFILE V1\nmain.main\nmain.f\n-3 1099511627776\np%2eq.T.M\nruntime.asyncPreempt\n0 1\n',
    );
  });

  it('writes long and non-ASCII names exactly, however large the output grows', () => {
    const edges = Array.from({ length: 300 }, (_, i) => ({
      caller: `пакет.Функция${i}${'λ'.repeat(i)}`,
      callee: `日本.f${'x'.repeat(3 * i)}`,
      callSiteOffset: i - 7,
      weight: 300 - i,
    }));
    const expected =
      'GO PREPROFILE V1\n' +
      edges.map((e) => `${e.caller}\n${e.callee}\n${e.callSiteOffset} ${e.weight}\n`).join('');
    expect(Buffer.from(serializePreprocessed(edges)).toString('utf8')).toBe(expected);
  });

  it('sorts by weight, then caller, callee and offset', () => {
    const e = (caller: string, callee: string, callSiteOffset: number, weight: number) => ({
      caller,
      callee,
      callSiteOffset,
      weight,
    });
    const sorted = [
      e('b', 'x', 1, 5),
      e('a', 'y', 2, 5),
      e('a', 'x', 9, 5),
      e('a', 'x', -1, 5),
      e('z', 'z', 0, 7),
    ].sort(compareEdges);
    expect(sorted).toEqual([
      e('z', 'z', 0, 7),
      e('a', 'x', -1, 5),
      e('a', 'x', 9, 5),
      e('a', 'y', 2, 5),
      e('b', 'x', 1, 5),
    ]);
  });
});

describe('runPreprocessCommand', () => {
  const FIXTURE = path.join(__dirname, '..', 'fixtures', 'profiles');

  /** A writable that collects everything written to it. */
  function sink(): { stream: Writable; text: () => string; bytes: () => Buffer } {
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(Buffer.from(chunk));
        cb();
      },
    });
    return {
      stream,
      text: () => Buffer.concat(chunks).toString('utf8'),
      bytes: () => Buffer.concat(chunks),
    };
  }

  it('writes to stdout without -o and to the file with it, resolving paths against cwd', async () => {
    const out = sink();
    const errs = sink();
    const io = { stdout: out.stream, stderr: errs.stream, cwd: FIXTURE };
    expect(await runPreprocessCommand('p2pool-observer-web.cpu.pprof', undefined, io)).toBe(0);
    expect(out.text().startsWith('GO PREPROFILE V1\n')).toBe(true);
    expect(errs.text()).toBe('');

    const dir = await mkdtemp(path.join(os.tmpdir(), 'pgobuild-preprocess-cmd-'));
    try {
      const toFile = { ...io, cwd: dir };
      const input = path.join(FIXTURE, 'p2pool-observer-web.cpu.pprof');
      expect(await runPreprocessCommand(input, 'out.preprofile', toFile)).toBe(0);
      expect(Buffer.compare(await readFile(path.join(dir, 'out.preprofile')), out.bytes())).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prints the formatted failure and returns 2', async () => {
    const out = sink();
    const errs = sink();
    const io = { stdout: out.stream, stderr: errs.stream, cwd: FIXTURE };
    expect(await runPreprocessCommand('markdown-server.heap.pprof', undefined, io)).toBe(2);
    expect(out.text()).toBe('');
    expect(errs.text()).toMatch(
      /^markdown-server\.heap\.pprof: not a CPU profile: sample types are \[alloc_objects\/count /,
    );
    expect(await runPreprocessCommand('.', undefined, io)).toBe(2);
    expect(errs.text()).toContain(
      '.: is a directory: expected a pprof CPU profile file, found a directory\n',
    );
  });
});

describe('formatProfileFailure', () => {
  it('names the file, the kind of problem and what was expected', () => {
    expect(
      formatProfileFailure({
        reason: 'profile-unreadable',
        file: 'cmd/api/default.pgo',
        message: 'EACCES: permission denied',
      }),
    ).toBe('cmd/api/default.pgo: cannot read profile: EACCES: permission denied');
  });
});

describe('Int64Reader', () => {
  // Encodes with protobufjs' own writer (a decimal string goes through its Long) and reads back
  // through ours.
  const roundTrip = (kind: 'int64' | 'uint64', value: string): number | bigint => {
    const w = protobuf.Writer.create();
    w[kind](value);
    return new Int64Reader(w.finish())[kind]() as unknown as number | bigint;
  };

  it('reads safe integers as numbers and the rest as exact bigints', () => {
    expect(roundTrip('uint64', '0')).toBe(0);
    expect(roundTrip('uint64', '300')).toBe(300);
    expect(roundTrip('uint64', '268435456')).toBe(268435456); // 2^28: the fifth byte
    expect(roundTrip('uint64', '9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(roundTrip('uint64', '9007199254740993')).toBe(9007199254740993n);
    expect(roundTrip('uint64', '18446744073709551615')).toBe(18446744073709551615n);
    expect(roundTrip('uint64', '18446744069414584320')).toBe(0xffffffff00000000n);
    expect(roundTrip('int64', '-1')).toBe(-1);
    expect(roundTrip('int64', '-9007199254740991')).toBe(-Number.MAX_SAFE_INTEGER);
    expect(roundTrip('int64', '-9223372036854775808')).toBe(-9223372036854775808n);
    expect(roundTrip('int64', '9223372036854775807')).toBe(9223372036854775807n);
  });

  it('fails like protobufjs on a cut-off or an overlong varint', () => {
    expect(() => new Int64Reader(Uint8Array.of(0x80, 0x80)).uint64()).toThrow(/index out of range/);
    expect(() => new Int64Reader(new Uint8Array(11).fill(0x80)).uint64()).toThrow(
      'invalid varint encoding',
    );
  });
});

describe('IdTable', () => {
  it('answers small, huge and bigint IDs alike, and undefined for unknown ones', () => {
    const t = new IdTable<string>();
    t.set(5, 'five');
    t.set(1, 'one');
    t.set(2 ** 40, 'big');
    t.set(2n ** 63n, 'bigint');
    expect([t.get(1), t.get(5), t.get(2 ** 40), t.get(2n ** 63n)]).toEqual([
      'one',
      'five',
      'big',
      'bigint',
    ]);
    expect([t.get(0), t.get(3), t.get(6), t.get(2 ** 41), t.get(7n)]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
