import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type GoSdk, loadGoSdk } from '../../toolchain';
import type { Action } from '../../src/actions';
import { type ExecutionResult, LocalSandboxExecutor, type MaterializedInput } from '../../src/exec';
import {
  BUILDER_OUTPUT,
  builderAction,
  builderInput,
  builderSources,
  packStep,
} from '../../src/go/builder-action';
import { FileDigester } from '../../src/hashing';
import type { Digest } from '../../src/util';
import { GO, GOROOT } from '../go-toolchain';

// The builder (toolchain/builder) built by its action with the real SDK, then run as the pack
// step of a compile: its archives must be byte-identical to cmd/go's in-process pack.

let tmp: string;
let sdk: GoSdk;
let builderBinary: string;
let executor: LocalSandboxExecutor;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'pgobuild-builder-test-'));
  const digester = await FileDigester.open(undefined);
  const loaded = await loadGoSdk({ kind: 'path', goroot: GOROOT }, digester);
  if (!loaded.ok) throw new Error(loaded.failure.message);
  sdk = loaded.value;
  executor = new LocalSandboxExecutor({ baseDir: path.join(tmp, 'sb'), goroot: sdk.goroot });
  const action = builderAction(
    await builderSources(digester),
    sdk,
    await digester.digest(path.join(sdk.goroot, 'bin', 'go')),
  );
  const built = await run(action, materialize(action.inputs));
  builderBinary = path.join(tmp, 'builder');
  await fs.copyFile(built.outputs.get(BUILDER_OUTPUT) ?? '', builderBinary);
  await fs.chmod(builderBinary, 0o755);
  await built.dispose();
}, 240_000);

afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** Inputs as the runner materializes them (this test has no CAS inputs but the builder). */
function materialize(inputs: Action['inputs']): MaterializedInput[] {
  return inputs.map((i) => {
    switch (i.source.kind) {
      case 'file':
        return { path: i.path, absSource: i.source.absPath };
      case 'content':
        return { path: i.path, content: i.source.content };
      case 'cas':
        throw new Error(`unexpected CAS input ${i.path}`);
      case 'host-tool':
        throw new Error(`unexpected host tool ${i.path}`);
    }
  });
}

async function run(action: Action, inputs: MaterializedInput[]): Promise<ExecutionResult> {
  const result = await executor.execute(action, inputs, {}, new AbortController().signal);
  if (!result.ok) throw new Error(JSON.stringify(result.failure));
  return result.value;
}

/** A GoCompile-like action whose only step is the builder's pack of `members` into `archive`. */
async function pack(
  archive: { path: string; absSource: string },
  memberFiles: { path: string; absSource: string }[],
): Promise<Awaited<ReturnType<LocalSandboxExecutor['execute']>>> {
  const builder = builderInput('0'.repeat(64) as Digest);
  const action: Action = {
    mnemonic: 'GoCompile',
    description: 'pack',
    env: {},
    inputs: [builder.input],
    steps: [
      packStep(
        builder,
        archive.path,
        memberFiles.map((m) => m.path),
      ),
    ],
    outputs: [archive.path],
  };
  return executor.execute(
    action,
    [{ path: builder.input.path, absSource: builderBinary }, archive, ...memberFiles],
    {},
    new AbortController().signal,
  );
}

/** Splits an `ar` archive into members, checking the layout on the way. */
function members(
  archive: Buffer,
): { name: string; header: Buffer; offset: number; data: Buffer }[] {
  expect(archive.subarray(0, 8).toString('latin1')).toBe('!<arch>\n');
  const out = [];
  let off = 8;
  while (off < archive.length) {
    const header = archive.subarray(off, off + 60);
    const size = Number(header.subarray(48, 58).toString('latin1').trim());
    out.push({
      name: header.subarray(0, 16).toString('latin1').trimEnd(),
      header,
      offset: off,
      data: archive.subarray(off + 60, off + 60 + size),
    });
    off += 60 + size + (size % 2);
  }
  expect(off).toBe(archive.length);
  return out;
}

// A package with two assembly files: one member name longer than 16 bytes, and (with Go 1.26)
// one odd-sized object, so both the name cut and the pad byte are exercised against cmd/go.
const FIXTURE: Record<string, string> = {
  'go.mod': 'module example.com/artest\n\ngo 1.21\n',
  'p/p.go':
    'package p\n\n// Add is in assembly.\nfunc Add(a, b int) int\n\n// Mul is in assembly.\nfunc Mul(a, b int) int\n',
  'p/add_amd64.s':
    '#include "textflag.h"\n\nTEXT ·Add(SB), NOSPLIT, $0-24\n\tMOVQ a+0(FP), AX\n\tADDQ b+8(FP), AX\n\tMOVQ AX, ret+16(FP)\n\tRET\n',
  'p/multiplication_routines_amd64.s':
    '#include "textflag.h"\n\nTEXT ·Mul(SB), NOSPLIT, $0-24\n\tMOVQ a+0(FP), AX\n\tIMULQ b+8(FP), AX\n\tMOVQ AX, ret+16(FP)\n\tRET\n',
  'main/main.go':
    'package main\n\nimport "example.com/artest/p"\n\nfunc main() { println(p.Add(2, 3), p.Mul(3, 4)) }\n',
};

async function writeFixture(root: string): Promise<void> {
  for (const [rel, content] of Object.entries(FIXTURE)) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), content);
  }
}

/** For the reference `go` runs: pin the target so the result matches the sandboxed tools. */
const goToolEnv = { GOFLAGS: '', GOOS: 'linux', GOARCH: 'amd64', GOAMD64: 'v1' };
// The fixture's assembly is amd64; Go itself is required (go-toolchain.ts fails without it).
const onAmd64Linux = process.platform === 'linux' && process.arch === 'x64';

describe('the builder', () => {
  it('is a static program built by its action with CGO_ENABLED=0 and -trimpath', async () => {
    const version = spawnSync(GO, ['version', '-m', builderBinary], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/\tbuild\t-trimpath=true$/m);
    expect(version.stdout).toMatch(/\tbuild\tCGO_ENABLED=0$/m);
    expect(version.stdout).toContain(`: ${sdk.version}`);
  });

  it('writes cmd/go headers: names cut to 16 bytes (mid-rune), odd sizes padded', async () => {
    await fs.writeFile(path.join(tmp, 'base.a'), '!<arch>\n');
    const long = path.join(tmp, 'a'.repeat(15) + 'é.o');
    await fs.writeFile(path.join(tmp, 'odd.o'), 'abc');
    await fs.writeFile(long, 'abcd');
    const result = await pack({ path: 'obj/x.a', absSource: path.join(tmp, 'base.a') }, [
      { path: 'obj/odd.o', absSource: path.join(tmp, 'odd.o') },
      { path: `obj/${path.basename(long)}`, absSource: long },
    ]);
    if (!result.ok) throw new Error(JSON.stringify(result.failure));
    const bytes = await fs.readFile(result.value.outputs.get('obj/x.a') ?? '');
    const expected = Buffer.concat([
      Buffer.from('!<arch>\n'),
      Buffer.from('odd.o           0           0     0     644     3         `\nabc\0', 'latin1'),
      Buffer.from('a'.repeat(15)),
      Buffer.from('é').subarray(0, 1),
      Buffer.from('0           0     0     644     4         `\nabcd', 'latin1'),
    ]);
    expect(bytes.equals(expected)).toBe(true);
    await result.value.dispose();
  });

  it('fails the step, leaving the archive as it was, when a member is missing', async () => {
    await fs.writeFile(path.join(tmp, 'keep.a'), '!<arch>\n');
    await fs.writeFile(path.join(tmp, 'a.o'), 'x');
    const result = await pack({ path: 'obj/k.a', absSource: path.join(tmp, 'keep.a') }, [
      { path: 'obj/a.o', absSource: path.join(tmp, 'a.o') },
      { path: 'obj/missing.o', absSource: path.join(tmp, 'missing.o') },
    ]);
    expect(result).toMatchObject({
      ok: false,
      failure: { reason: 'action-failed', step: 0, exitCode: 2 },
    });
    if (result.ok || result.failure.reason !== 'action-failed') return;
    expect(result.failure.argv.slice(1)).toEqual([
      'pack',
      'r',
      'obj/k.a',
      'obj/a.o',
      'obj/missing.o',
    ]);
    expect(result.failure.output).toMatch(/^builder: pack: .*obj\/missing\.o/);
    expect(await fs.readFile(path.join(tmp, 'keep.a'), 'utf8')).toBe('!<arch>\n');
  });

  (onAmd64Linux ? it : it.skip)(
    'appends assembly objects to the same archive bytes as cmd/go',
    async () => {
      const mod = path.join(tmp, 'mod');
      await writeFixture(mod);
      const build = spawnSync(GO, ['build', '-a', '-work', '-trimpath', './p'], {
        cwd: mod,
        env: { ...process.env, ...goToolEnv },
        encoding: 'utf8',
      });
      expect(build.status).toBe(0);
      // `-work` keeps the work directory and names it on stderr.
      const work = /^WORK=(.*)$/m.exec(build.stderr)?.[1];
      if (work === undefined) throw new Error('no WORK= line');
      try {
        const goArchive = await fs.readFile(path.join(work, 'b001', '_pkg_.a'));
        const goMembers = members(goArchive);
        expect(goMembers.map((m) => m.name)).toEqual([
          '__.PKGDEF',
          '_go_.o',
          'add_amd64.o',
          'multiplication_r',
        ]);
        expect(
          goMembers.some(
            (m) => m.data.length % 2 === 1 && m.name !== '__.PKGDEF' && m.name !== '_go_.o',
          ),
        ).toBe(true);
        const firstAppended = goMembers[2];
        if (firstAppended === undefined) throw new Error('no appended member');
        // What `compile -pack` wrote (the build-ID rewrite changes bytes in place, not lengths).
        const compiled = path.join(tmp, 'compiled.a');
        await fs.writeFile(compiled, goArchive.subarray(0, firstAppended.offset));
        const result = await pack({ path: '_obj/_pkg_.a', absSource: compiled }, [
          { path: '_obj/add_amd64.o', absSource: path.join(work, 'b001', 'add_amd64.o') },
          {
            path: '_obj/multiplication_routines_amd64.o',
            absSource: path.join(work, 'b001', 'multiplication_routines_amd64.o'),
          },
        ]);
        if (!result.ok) throw new Error(JSON.stringify(result.failure));
        const ours = await fs.readFile(result.value.outputs.get('_obj/_pkg_.a') ?? '');
        expect(ours.equals(goArchive)).toBe(true);
        // The input was copied, not appended to through a symlink.
        expect((await fs.stat(compiled)).size).toBe(firstAppended.offset);
        await result.value.dispose();
      } finally {
        await fs.rm(work, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
