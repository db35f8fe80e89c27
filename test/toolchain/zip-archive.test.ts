import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { hashZipFiles, readZipDirectory, readZipEntry } from '../../toolchain';
import { writeZip } from './zip-writer';

const FIXTURE = path.join(
  __dirname,
  '../fixtures/zips/mdurl@v0.0.0-20191124015652-932350d1cb84.zip',
);

function h1Of(zip: Buffer): string {
  const entries = readZipDirectory(zip);
  if (!entries.ok) throw new Error(entries.failure);
  const hashed = entries.value.map((e) => {
    const data = readZipEntry(zip, e);
    if (!data.ok) throw new Error(data.failure);
    return { name: e.name, sha256: createHash('sha256').update(data.value).digest('hex') };
  });
  const h1 = hashZipFiles(hashed);
  if (!h1.ok) throw new Error(h1.failure);
  return h1.value;
}

describe('zip reading and the h1 hash of a module zip', () => {
  test('a real module zip hashes to the h1 go.sum records for it (dirhash.HashZip)', () => {
    const zip = fs.readFileSync(FIXTURE);
    const entries = readZipDirectory(zip);
    expect(entries.ok && entries.value.length).toBe(12);
    expect(h1Of(zip)).toBe('h1:qqjvoVXdWIcZCLPMlzgA7P9FZWdPGPvP/l3ef8GzV6o=');
    const goSum = fs.readFileSync(path.join(__dirname, '../../examples/go.sum'), 'utf8');
    expect(goSum).toContain(
      'gitlab.com/golang-commonmark/mdurl v0.0.0-20191124015652-932350d1cb84 h1:qqjvoVXdWIcZCLPMlzgA7P9FZWdPGPvP/l3ef8GzV6o=',
    );
  });

  test('the hash sorts names bytewise and depends on every byte', () => {
    const a = writeZip([
      { name: 'm@v1/b.go', content: 'package b\n' },
      { name: 'm@v1/a.go', content: 'package a\n' },
    ]);
    const b = writeZip([
      { name: 'm@v1/a.go', content: 'package a\n' },
      { name: 'm@v1/b.go', content: 'package b\n' },
    ]);
    const c = writeZip([
      { name: 'm@v1/a.go', content: 'package a\n' },
      { name: 'm@v1/b.go', content: 'package c\n' },
    ]);
    expect(h1Of(a)).toBe(h1Of(b));
    expect(h1Of(a)).not.toBe(h1Of(c));
  });

  test('unix modes are read when a Unix host made the zip', () => {
    const zip = writeZip([
      { name: 'x/bin/go', content: 'elf', mode: 0o755 },
      { name: 'x/README', content: 'hi', mode: 0o644 },
      { name: 'x/plain', content: 'no mode' },
    ]);
    const entries = readZipDirectory(zip);
    expect(entries.ok && entries.value.map((e) => e.unixMode)).toEqual([0o755, 0o644, undefined]);
  });

  test('damaged archives are failures, not exceptions', () => {
    const zip = writeZip([{ name: 'x/a', content: 'a'.repeat(1000) }]);
    expect(readZipDirectory(Buffer.from('not a zip at all, not at all')).ok).toBe(false);
    expect(readZipDirectory(zip.subarray(0, zip.length - 5)).ok).toBe(false);
    const entries = readZipDirectory(zip);
    if (!entries.ok) throw new Error(entries.failure);
    const entry = entries.value[0];
    if (entry === undefined) throw new Error('no entry');
    const lying = { ...entry, uncompressedSize: 10 };
    expect(readZipEntry(zip, lying)).toEqual({
      ok: false,
      failure: expect.stringContaining('x/a'),
    });
    const broken = Buffer.from(zip);
    broken.fill(0xff, 40, 50); // inside the deflated data
    expect(readZipEntry(broken, entry).ok).toBe(false);
  });

  test('a name with a newline cannot be hashed (as dirhash.Hash1 refuses it)', () => {
    expect(hashZipFiles([{ name: 'a\nb', sha256: '00' }]).ok).toBe(false);
  });
});
