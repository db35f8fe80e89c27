import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  type HttpGet,
  SUM_GOLANG_ORG_KEY,
  lookupChecksum,
  moduleProxy,
  openNote,
  parseVerifierKey,
} from '../../toolchain';

const LOOKUP = fs.readFileSync(
  path.join(__dirname, '../fixtures/zips/sumdb-lookup-toolchain-go1.26.8.linux-amd64.txt'),
  'utf8',
);
const TILES = JSON.parse(
  fs.readFileSync(
    path.join(__dirname, '../fixtures/zips/sumdb-tiles-go1.26.8.linux-amd64.json'),
    'utf8',
  ),
) as Record<string, string>;
const MODULE = 'golang.org/toolchain';
const VERSION = 'v0.0.1-go1.26.8.linux-amd64';

/** A verifier key and signer made here, in x/mod's note format. */
function testKey(name: string): { vkey: string; signNote: (text: string) => string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  const key = Buffer.concat([Buffer.from([1]), raw]);
  const hash = createHash('sha256').update(`${name}\n`).update(key).digest().subarray(0, 4);
  return {
    vkey: `${name}+${hash.toString('hex')}+${key.toString('base64')}`,
    signNote: (text) =>
      `${text}\n\u2014 ${name} ${Buffer.concat([hash, sign(null, Buffer.from(text), privateKey)]).toString('base64')}\n`,
  };
}

describe('signed notes (golang.org/x/mod/sumdb/note)', () => {
  test("sum.golang.org's built-in key parses, and a real tree note verifies", () => {
    const key = parseVerifierKey(SUM_GOLANG_ORG_KEY);
    if (!key.ok) throw new Error(key.failure);
    const tree = LOOKUP.slice(LOOKUP.indexOf('\n\n') + 2);
    const opened = openNote(tree, [key.value]);
    expect(opened.ok && opened.value.startsWith('go.sum database tree\n')).toBe(true);
    expect(openNote(tree.replace(/\n(\d)/, '\n9'), [key.value])).toEqual({
      ok: false,
      failure: 'invalid signature by sum.golang.org',
    });
  });

  test('a key whose hash does not match its name and key is refused', () => {
    const parts = SUM_GOLANG_ORG_KEY.split('+');
    parts[1] = '00000000';
    expect(parseVerifierKey(parts.join('+')).ok).toBe(false);
  });

  test('notes signed only by unknown keys, or malformed, do not open', () => {
    const a = testKey('a.example');
    const b = testKey('b.example');
    const va = parseVerifierKey(a.vkey);
    const vb = parseVerifierKey(b.vkey);
    if (!va.ok || !vb.ok) throw new Error('key');
    const note = a.signNote('hello\n');
    expect(openNote(note, [va.value])).toEqual({ ok: true, value: 'hello\n' });
    expect(openNote(note, [vb.value]).ok).toBe(false);
    expect(openNote('hello\n', [va.value]).ok).toBe(false);
    expect(openNote(note.replace('\u2014', '-'), [va.value]).ok).toBe(false);
  });
});

describe('checksum database lookups through the proxy', () => {
  /** The recorded proxy: `lookup` answers `body`, tiles come from the fixture. */
  const answering =
    (status: number, body: string): HttpGet =>
    async (url) => {
      const tile = /sum\.golang\.org\/(tile\/.*)$/.exec(url)?.[1];
      if (tile !== undefined) {
        const data = TILES[tile];
        return data === undefined
          ? { ok: true, value: { status: 404, body: Buffer.from('no such tile') } }
          : { ok: true, value: { status: 200, body: Buffer.from(data, 'base64') } };
      }
      return { ok: true, value: { status, body: Buffer.from(body) } };
    };

  test('the h1 line of a verified record', async () => {
    const urls: string[] = [];
    const get: HttpGet = async (url) => {
      urls.push(url);
      return answering(200, LOOKUP)(url);
    };
    const r = await lookupChecksum('https://proxy.example', MODULE, VERSION, get);
    expect(r).toEqual({
      ok: true,
      value: {
        sum: 'h1:ZOmGe1OnfREDMIdb1Qi4G9JSuDPBLGExZMQ4nis1RXM=',
        treeSize: expect.any(Number),
      },
    });
    expect(urls[0]).toBe(`https://proxy.example/sumdb/sum.golang.org/lookup/${MODULE}@${VERSION}`);
    expect(
      urls
        .slice(1)
        .every((u) => u.startsWith('https://proxy.example/sumdb/sum.golang.org/tile/8/')),
    ).toBe(true);
  });

  test('a record that is not in the signed tree (a forged h1, another id) is refused', async () => {
    const forged = LOOKUP.replace('h1:ZOmGe1', 'h1:ZOmGe2');
    expect(await lookupChecksum('p', MODULE, VERSION, answering(200, forged))).toEqual({
      ok: false,
      failure: expect.stringContaining('is not in the signed tree'),
    });
    const moved = LOOKUP.replace(/^\d+/, (id) => String(Number(id) + 1));
    expect((await lookupChecksum('p', MODULE, VERSION, answering(200, moved))).ok).toBe(false);
  });

  test('a tampered tree signature, another module, or an HTTP error are failures', async () => {
    const tampered = LOOKUP.replace(
      /(\u2014 sum.golang.org )(.)/,
      (_m, p: string, c: string) => `${p}${c === 'A' ? 'B' : 'A'}`,
    );
    expect((await lookupChecksum('p', MODULE, VERSION, answering(200, tampered))).ok).toBe(false);
    expect(
      (await lookupChecksum('p', MODULE, 'v0.0.1-go1.26.7.linux-amd64', answering(200, LOOKUP))).ok,
    ).toBe(false);
    expect(await lookupChecksum('p', MODULE, VERSION, answering(404, 'not found'))).toEqual({
      ok: false,
      failure: expect.stringContaining('HTTP 404: not found'),
    });
  });
});

describe('GOPROXY', () => {
  test.each([
    [undefined, 'https://proxy.golang.org'],
    ['', 'https://proxy.golang.org'],
    ['https://goproxy.example/,direct', 'https://goproxy.example'],
    ['direct|http://127.0.0.1:3000', 'http://127.0.0.1:3000'],
  ])('%p → %p', (value, proxy) => {
    expect(moduleProxy(value)).toEqual({ ok: true, value: proxy });
  });
  test.each(['off', 'direct', 'direct,off,https://p.example', 'file:///srv/proxy'])(
    '%p has no proxy to download an SDK from',
    (value) => {
      expect(moduleProxy(value).ok).toBe(false);
    },
  );
});
