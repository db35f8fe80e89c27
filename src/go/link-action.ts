import type { GoSdk } from '../../toolchain';
import { type Action, contentInput } from '../actions';
import type { Digest } from '../util';
import { type BuildInfo, modinfoLine } from './build-info';
import { EXEC_ROOT, inExecRoot } from './exec-root';
import { type Platform, platformEnv } from './platform';
import { declaredTool } from './sdk-tools';

/** Everything that decides how one binary is linked. */
export interface LinkUnit {
  /** Import path of the main package (listed under it, not as `main`, in importcfg.link). */
  readonly mainImportPath: string;
  /** The main package's link object (`compile -linkobj`; the linker skips export data anyway). */
  readonly mainArchive: Digest;
  /** Every transitive dependency's link object, runtime's included. */
  readonly deps: readonly { readonly importPath: string; readonly archive: Digest }[];
  readonly buildInfo: BuildInfo;
  readonly defaultGodebug: string;
  /** Omit the symbol table and DWARF (`-s -w`), as cmd/go does for test binaries it runs. */
  readonly stripDebug?: boolean;
  /** User linker flags (`--linkopt`, `gc_linkopts`), placed after `-buildmode` as cmd/go places `-ldflags`. */
  readonly ldflags?: readonly string[];
}

/** Name of the linked binary inside the exec root. */
export const LINK_OUTPUT = `${EXEC_ROOT.objdir}/exe/a.out`;

/**
 * The link action cmd/go runs under `-trimpath` (reference §7.10): importcfg.link with every
 * archive and the magic-wrapped modinfo (a `content` input), `GOROOT=` (Go ≥ 1.23) or
 * `GOROOT_FINAL=$GOROOT` (≤ 1.22). The SDK's link is a declared input.
 */
export function linkAction(
  unit: LinkUnit,
  sdk: GoSdk,
  platform: Platform,
  description: string,
): Action {
  const mainPath = `${EXEC_ROOT.objdir}/_pkg_.a`;
  let importcfg = `packagefile ${unit.mainImportPath}=${inExecRoot(mainPath)}\n`;
  for (const dep of unit.deps)
    importcfg += `packagefile ${dep.importPath}=${inExecRoot(EXEC_ROOT.archive(dep.importPath))}\n`;
  importcfg += modinfoLine(unit.buildInfo);
  const linkTool = declaredTool(sdk, 'link');
  const argv = [
    linkTool.argv0,
    '-o',
    inExecRoot(LINK_OUTPUT),
    '-importcfg',
    inExecRoot(`${EXEC_ROOT.objdir}/importcfg.link`),
  ];
  if (unit.stripDebug === true) argv.push('-s', '-w');
  if (unit.defaultGodebug !== '') argv.push(`-X=runtime.godebugDefault=${unit.defaultGodebug}`);
  // cmd/go always appends `-extld=<go env CC>` (gc.go, setextld), but with CGO_ENABLED=0 the link
  // is internal and never runs the external linker, so the flag cannot change the output; passing
  // the host's CC would only make keys differ between machines. Once cgo is supported, the C
  // toolchain must be a pinned, digested part of the toolchain identity, not the host's CC.
  if (platform.cgoEnabled) throw new Error('cgo links need a pinned C toolchain (not supported)');
  argv.push('-buildmode=exe', ...(unit.ldflags ?? []), inExecRoot(mainPath));
  const env: Record<string, string> = platformEnv(platform);
  if (sdk.minor >= 23) env['GOROOT'] = '';
  else env['GOROOT_FINAL'] = '$GOROOT';
  return {
    mnemonic: 'GoLink',
    description,
    steps: [{ kind: 'spawn', cwd: '', argv }],
    env,
    inputs: [
      linkTool.input,
      contentInput(`${EXEC_ROOT.objdir}/importcfg.link`, importcfg),
      { path: mainPath, digest: unit.mainArchive, source: { kind: 'cas' } },
      ...unit.deps.map((d) => ({
        path: EXEC_ROOT.archive(d.importPath),
        digest: d.archive,
        source: { kind: 'cas' as const },
      })),
    ],
    outputs: [LINK_OUTPUT],
  };
}
