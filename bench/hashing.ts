/**
 * Hashing throughput of the stat cache's FileDigester over the Go standard library's sources:
 * once with an empty stat cache (every file read and SHA-256'd) and once with a warm one.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileDigester } from '../src/hashing';

function goFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== 'testdata') goFiles(p, out);
    else if (e.isFile() && e.name.endsWith('.go')) out.push(p);
  }
  return out;
}

/** Digests every .go file under $GOROOT/src/{runtime,net,crypto,...} cold and warm. */
export async function measureHashing(): Promise<{
  files: number;
  megabytes: number;
  coldMs: number;
  warmMs: number;
}> {
  const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
  const files = [
    'runtime',
    'net',
    'crypto',
    'encoding',
    'go',
    'internal',
    'os',
    'reflect',
    'strings',
    'fmt',
  ].flatMap((d) => goFiles(path.join(goroot, 'src', d)));
  const bytes = files.reduce((sum, f) => sum + fs.statSync(f).size, 0);
  const store = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-hash-')),
    'statcache.json',
  );
  // Files older than the racy window, so the stat cache may trust them.
  const cold = await FileDigester.open(store);
  const t0 = process.hrtime.bigint();
  await Promise.all(files.map((f) => cold.digest(f)));
  const coldMs = Number(process.hrtime.bigint() - t0) / 1e6;
  await cold.save();
  const warm = await FileDigester.open(store);
  const t1 = process.hrtime.bigint();
  await Promise.all(files.map((f) => warm.digest(f)));
  const warmMs = Number(process.hrtime.bigint() - t1) / 1e6;
  if (warm.hashedFiles !== 0)
    throw new Error(`warm stat cache re-hashed ${warm.hashedFiles} files`);
  process.stderr.write(
    `hashing ${files.length} files (${(bytes / 1e6).toFixed(1)} MB): cold ${coldMs.toFixed(0)} ms, warm ${warmMs.toFixed(0)} ms\n`,
  );
  return { files: files.length, megabytes: bytes / 1e6, coldMs, warmMs };
}
