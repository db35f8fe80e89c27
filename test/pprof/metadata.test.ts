import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { decodeProfile, pprofMessageType, preprocessProfileBytes } from '../../src/pprof';
import { goPreprofileBytes } from './go-oracle';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'profiles');

describe('metadata that preprocessing drops', () => {
  it('a profile with other timeNanos/durationNanos preprocesses to the same bytes', async () => {
    const original = await readFile(path.join(FIXTURES, 'p2pool-observer-web.cpu.pprof'));
    const type = pprofMessageType('Profile');
    const message = type.decode(gunzipSync(original)) as unknown as Record<string, unknown>;
    message['time_nanos'] = 1_234_567_890_000_000_000;
    message['duration_nanos'] = 61_000_000_000;
    const changedRaw = type.encode(message).finish();
    const changed = gzipSync(changedRaw);
    expect(Buffer.compare(changed, original)).not.toBe(0);

    const decoded = decodeProfile(changed, 'changed.pgo');
    expect(decoded.ok && decoded.value !== 'empty' && decoded.value.timeNanos).toBe(
      1_234_567_890_000_000_000n,
    );
    expect(decoded.ok && decoded.value !== 'empty' && decoded.value.durationNanos).toBe(
      61_000_000_000n,
    );

    const before = preprocessProfileBytes(original, 'default.pgo');
    const after = preprocessProfileBytes(changed, 'default.pgo');
    const afterRaw = preprocessProfileBytes(changedRaw, 'default.pgo');
    expect(before.ok).toBe(true);
    expect(after).toEqual(before);
    expect(afterRaw).toEqual(before);
    // A plain Uint8Array (not a Node Buffer) decodes the same way.
    expect(preprocessProfileBytes(new Uint8Array(changedRaw), 'default.pgo')).toEqual(before);
    const go = await goPreprofileBytes(changed);
    expect(go.ok && before.ok && Buffer.compare(go.bytes, Buffer.from(before.value))).toBe(0);
  });
});
