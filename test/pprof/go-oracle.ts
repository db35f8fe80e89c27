import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { GO } from '../go-toolchain';

const execFileAsync = promisify(execFile);

/** The Go toolchain the oracle runs (test/go-toolchain.ts: PGOBUILD_TEST_GO or go on PATH). */
export { GO };

/** What `go tool preprofile` did with one input. */
export type PreprofileOutcome =
  { readonly ok: true; readonly bytes: Buffer } | { readonly ok: false; readonly stderr: string };

/** Runs the real `go tool preprofile -i input -o <temp>` and returns its output or its error. */
export async function goPreprofile(input: string): Promise<PreprofileOutcome> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pgobuild-preprofile-'));
  try {
    const out = path.join(dir, 'out');
    try {
      await execFileAsync(GO, ['tool', 'preprofile', '-i', input, '-o', out]);
    } catch (e) {
      return { ok: false, stderr: String((e as { stderr?: unknown }).stderr ?? e) };
    }
    return { ok: true, bytes: await readFile(out) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes `bytes` to a temp file, runs {@link goPreprofile} on it, and cleans up. */
export async function goPreprofileBytes(bytes: Uint8Array): Promise<PreprofileOutcome> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pgobuild-preprofile-in-'));
  try {
    const input = path.join(dir, 'in.pprof');
    await writeFile(input, bytes);
    return await goPreprofile(input);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `go env GOROOT`. */
export async function goRoot(): Promise<string> {
  const { stdout } = await execFileAsync(GO, ['env', 'GOROOT']);
  return stdout.trim();
}
