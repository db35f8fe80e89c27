import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Action, Step } from '../../src/actions';
import { appendToArchive, formatArHeader, runInSandbox } from '../../src/exec';

import { GO, GOROOT } from '../go-toolchain';

let tmp: string;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'pgobuild-ar-test-'));
});

afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

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

describe('formatArHeader', () => {
  it('matches the reference example byte for byte', () => {
    expect(formatArHeader('asm_amd64.o', 1234).toString('latin1')).toBe(
      'asm_amd64.o     0           0     0     644     1234      `\n',
    );
  });

  it('cuts names to 16 bytes, counting bytes rather than characters', () => {
    expect(
      formatArHeader('multiplication_routines_amd64.o', 7).subarray(0, 16).toString('latin1'),
    ).toBe('multiplication_r');
    // 'é' is two bytes in UTF-8: 15 x 'a' + 'é' is 17 bytes, so the second byte of 'é' is cut.
    const cut = formatArHeader('a'.repeat(15) + 'é', 1).subarray(0, 16);
    expect(cut).toEqual(
      Buffer.concat([Buffer.from('a'.repeat(15)), Buffer.from('é').subarray(0, 1)]),
    );
    // cmd/go 1.26 has no .syso special case: the suffix is cut like any other.
    expect(formatArHeader('very_long_name_x.syso', 1).subarray(0, 16).toString('latin1')).toBe(
      'very_long_name_x',
    );
    expect(formatArHeader('x', 0)).toHaveLength(60);
  });
});

describe('appendToArchive', () => {
  it('appends header, bytes and a NUL pad after odd-sized members', async () => {
    const archive = path.join(tmp, '_pkg_.a');
    await fs.writeFile(archive, '!<arch>\n');
    await fs.writeFile(path.join(tmp, 'odd.o'), 'abc');
    await fs.writeFile(path.join(tmp, 'even.o'), 'abcd');
    await appendToArchive(archive, [path.join(tmp, 'odd.o'), path.join(tmp, 'even.o')]);
    const bytes = await fs.readFile(archive);
    expect(bytes.toString('latin1')).toBe(
      '!<arch>\n' +
        formatArHeader('odd.o', 3).toString('latin1') +
        'abc\0' +
        formatArHeader('even.o', 4).toString('latin1') +
        'abcd',
    );
  });

  it('leaves the archive untouched when a member is missing, and never creates an archive', async () => {
    const archive = path.join(tmp, '_pkg_.a');
    await fs.writeFile(archive, '!<arch>\n');
    await fs.writeFile(path.join(tmp, 'a.o'), 'ab');
    await expect(
      appendToArchive(archive, [path.join(tmp, 'a.o'), path.join(tmp, 'missing.o')]),
    ).rejects.toThrow(/ENOENT/);
    expect(await fs.readFile(archive, 'latin1')).toBe('!<arch>\n');
    await expect(
      appendToArchive(path.join(tmp, 'none.a'), [path.join(tmp, 'a.o')]),
    ).rejects.toThrow(/ENOENT/);
    expect(existsSync(path.join(tmp, 'none.a'))).toBe(false);
  });
});

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

const goEnv = { GOROOT: '${GOROOT}', GOOS: 'linux', GOARCH: 'amd64', GOAMD64: 'v1' };
/** For the reference `go` runs: pin the target so the result matches the sandboxed tools. */
const goToolEnv = { GOFLAGS: '', GOOS: 'linux', GOARCH: 'amd64', GOAMD64: 'v1' };
// The fixture's assembly is amd64; Go itself is required (go-toolchain.ts fails without it).
const onAmd64Linux = process.platform === 'linux' && process.arch === 'x64';

(onAmd64Linux ? describe : describe.skip)('ar-append against the real Go toolchain', () => {
  it('produces the same archive bytes as cmd/go', async () => {
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
    expect(work).toBeDefined();
    if (work === undefined) return;
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

      const action: Action = {
        mnemonic: 'GoCompile',
        description: 'ar-append oracle',
        env: {},
        inputs: [],
        steps: [
          {
            kind: 'ar-append',
            archive: 'obj/_pkg_.a',
            members: ['obj/add_amd64.o', '${EXECROOT}/obj/multiplication_routines_amd64.o'],
          },
        ],
        outputs: ['obj/_pkg_.a'],
      };
      const result = await runInSandbox(
        action,
        [
          { path: 'obj/_pkg_.a', absSource: compiled },
          { path: 'obj/add_amd64.o', absSource: path.join(work, 'b001', 'add_amd64.o') },
          {
            path: 'obj/multiplication_routines_amd64.o',
            absSource: path.join(work, 'b001', 'multiplication_routines_amd64.o'),
          },
        ],
        { baseDir: path.join(tmp, 'sb'), goroot: GOROOT },
        new AbortController().signal,
      );
      if (!result.ok) throw new Error(JSON.stringify(result.failure));
      const ours = await fs.readFile(result.value.outputs.get('obj/_pkg_.a') ?? '');
      expect(ours.equals(goArchive)).toBe(true);
      // The input was copied, not appended to through a symlink.
      expect((await fs.stat(compiled)).size).toBe(firstAppended.offset);
      await result.value.dispose();
    } finally {
      await fs.rm(work, { recursive: true, force: true });
    }
  });

  it('builds and links a package with assembly entirely inside the sandbox', async () => {
    const mod = path.join(tmp, 'mod');
    await writeFixture(mod);
    // The standard library archives runtime needs, from the Go build cache (hermetic inputs).
    const listed = execFileSync(
      GO,
      [
        'list',
        '-export',
        '-deps',
        '-f',
        '{{if .Export}}{{.ImportPath}}={{.Export}}{{end}}',
        'runtime',
      ],
      { cwd: mod, encoding: 'utf8', env: { ...process.env, ...goToolEnv } },
    )
      .trim()
      .split('\n')
      .map((line) => {
        const at = line.indexOf('=');
        return { importPath: line.slice(0, at), archive: line.slice(at + 1) };
      });
    expect(listed.map((l) => l.importPath)).toContain('runtime');
    const std = listed.map((l, i) => ({ ...l, execPath: `std/${i}.a` }));

    const tool = (name: string): string => `\${GOROOT}/pkg/tool/linux_amd64/${name}`;
    const asmArgs = [
      '-p',
      'example.com/artest/p',
      '-trimpath',
      '${EXECROOT}=>',
      '-I',
      'obj/',
      '-I',
      '${GOROOT}/pkg/include',
      '-D',
      'GOOS_linux',
      '-D',
      'GOARCH_amd64',
      '-D',
      'GOAMD64_v1',
    ];
    const asmFiles = ['src/p/add_amd64.s', 'src/p/multiplication_routines_amd64.s'];
    const spawn = (argv: string[]): Step => ({ kind: 'spawn', argv, cwd: '' });
    const steps: Step[] = [
      { kind: 'write-file', path: 'obj/go_asm.h', content: '' },
      spawn([tool('asm'), ...asmArgs, '-gensymabis', '-o', 'obj/symabis', ...asmFiles]),
      { kind: 'write-file', path: 'obj/importcfg', content: '# import config\n' },
      spawn([
        tool('compile'),
        '-o',
        'obj/_pkg_.a',
        '-trimpath',
        '${EXECROOT}=>',
        '-p',
        'example.com/artest/p',
        '-lang=go1.21',
        '-symabis',
        'obj/symabis',
        '-importcfg',
        'obj/importcfg',
        '-pack',
        '-asmhdr',
        'obj/go_asm.h',
        'src/p/p.go',
      ]),
      spawn([tool('asm'), ...asmArgs, '-o', 'obj/add_amd64.o', 'src/p/add_amd64.s']),
      spawn([
        tool('asm'),
        ...asmArgs,
        '-o',
        'obj/multiplication_routines_amd64.o',
        'src/p/multiplication_routines_amd64.s',
      ]),
      {
        kind: 'ar-append',
        archive: 'obj/_pkg_.a',
        members: ['obj/add_amd64.o', 'obj/multiplication_routines_amd64.o'],
      },
      {
        kind: 'write-file',
        path: 'main/importcfg',
        content:
          '# import config\npackagefile example.com/artest/p=obj/_pkg_.a\npackagefile runtime=' +
          (std.find((s) => s.importPath === 'runtime')?.execPath ?? '') +
          '\n',
      },
      spawn([
        tool('compile'),
        '-o',
        'main/_pkg_.a',
        '-trimpath',
        '${EXECROOT}=>',
        '-p',
        'main',
        '-lang=go1.21',
        '-complete',
        '-importcfg',
        'main/importcfg',
        '-pack',
        'src/main/main.go',
      ]),
      {
        kind: 'write-file',
        path: 'main/importcfg.link',
        content:
          'packagefile main=main/_pkg_.a\npackagefile example.com/artest/p=obj/_pkg_.a\n' +
          std.map((s) => `packagefile ${s.importPath}=${s.execPath}\n`).join(''),
      },
      spawn([
        tool('link'),
        '-o',
        'out/app',
        '-importcfg',
        'main/importcfg.link',
        '-buildmode=exe',
        'main/_pkg_.a',
      ]),
    ];
    const action: Action = {
      mnemonic: 'GoLink',
      description: 'asm package end to end',
      env: goEnv,
      inputs: [],
      steps,
      outputs: ['obj/_pkg_.a', 'out/app'],
    };
    const inputs = [
      ...['p/p.go', 'p/add_amd64.s', 'p/multiplication_routines_amd64.s', 'main/main.go'].map(
        (rel) => ({
          path: `src/${rel}`,
          absSource: path.join(mod, rel),
        }),
      ),
      ...std.map((s) => ({ path: s.execPath, absSource: s.archive })),
    ];
    const result = await runInSandbox(
      action,
      inputs,
      { baseDir: path.join(tmp, 'sb'), goroot: GOROOT },
      new AbortController().signal,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.failure));

    const archive = result.value.outputs.get('obj/_pkg_.a') ?? '';
    expect(members(await fs.readFile(archive)).map((m) => m.name)).toEqual([
      '__.PKGDEF',
      '_go_.o',
      'add_amd64.o',
      'multiplication_r',
    ]);
    const nm = execFileSync(GO, ['tool', 'nm', archive], { encoding: 'utf8' });
    expect(nm).toMatch(/ T example\.com\/artest\/p\.Add$/m);
    expect(nm).toMatch(/ T example\.com\/artest\/p\.Mul$/m);
    // println writes to stderr.
    const app = spawnSync(result.value.outputs.get('out/app') ?? '', [], { encoding: 'utf8' });
    expect(app.status).toBe(0);
    expect(app.stderr).toBe('5 12\n');
    await result.value.dispose();
  });
});
