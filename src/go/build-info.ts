import { goQuoteBytes } from './go-quote';

/** One `build` line of the build info. */
export interface BuildSetting {
  readonly key: string;
  readonly value: string;
}

/** A module as build info records it (`runtime/debug.Module`). */
export interface BuildInfoModule {
  readonly path: string;
  /** `(devel)` for a main module or a directory replacement. */
  readonly version: string;
  /** The go.sum `h1:` hash; empty when replaced, vendored or local. */
  readonly sum: string;
  readonly replace?: BuildInfoModule;
}

/** What `go version -m` prints for a binary, as cmd/go computes it (reference §8). */
export interface BuildInfo {
  readonly path: string;
  /** The main module, or undefined for a package outside any module. */
  readonly mainModule?: BuildInfoModule;
  /** Modules other than the main one that provide linked packages, sorted by path. */
  readonly deps?: readonly BuildInfoModule[];
  readonly settings: readonly BuildSetting[];
}

/** Inputs that decide the build settings of a main package. */
export interface BuildSettingsInput {
  readonly goMinor: number;
  readonly goos: string;
  readonly goarch: string;
  /** The arch variable, e.g. `['GOAMD64', 'v1']`, when the architecture has one. */
  readonly archEnv?: readonly [string, string];
  readonly cgoEnabled: boolean;
  readonly defaultGodebug: string;
  /** Basename of the profile under -trimpath, or undefined without PGO. */
  readonly pgo?: string;
  /** The `-gcflags` value the equivalent `go build` command line would have, if any. */
  readonly gcflags?: string;
  /** Build tags (`--gotags`), recorded as `-tags=a,b` like `go build -tags`. */
  readonly tags?: readonly string[];
}

/**
 * The settings cmd/go records under `-trimpath` with `-buildmode=exe` and the gc compiler, in
 * cmd/go's order (reference §8.1): `-pgo` is appended last and, from Go 1.22, the whole list is
 * then sorted bytewise by key.
 */
export function buildSettings(input: BuildSettingsInput): BuildSetting[] {
  const settings: BuildSetting[] = [
    { key: '-buildmode', value: 'exe' },
    { key: '-compiler', value: 'gc' },
  ];
  if (input.gcflags !== undefined) settings.push({ key: '-gcflags', value: input.gcflags });
  // -ldflags is left out under -trimpath (reference §8.1); -tags comes just before -trimpath.
  if (input.tags !== undefined && input.tags.length > 0)
    settings.push({ key: '-tags', value: input.tags.join(',') });
  settings.push({ key: '-trimpath', value: 'true' });
  if (input.defaultGodebug !== '')
    settings.push({ key: 'DefaultGODEBUG', value: input.defaultGodebug });
  settings.push({ key: 'CGO_ENABLED', value: input.cgoEnabled ? '1' : '0' });
  settings.push({ key: 'GOARCH', value: input.goarch });
  settings.push({ key: 'GOOS', value: input.goos });
  if (input.archEnv !== undefined)
    settings.push({ key: input.archEnv[0], value: input.archEnv[1] });
  if (input.pgo !== undefined) {
    settings.push({ key: '-pgo', value: input.pgo });
    if (input.goMinor >= 22)
      settings.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }
  return settings;
}

const KEY_NEEDS_QUOTE = /[= \t\r\n"`]/;
const VALUE_NEEDS_QUOTE = /[ \t\r\n"`]/;

/** `runtime/debug.BuildInfo.String()` (cmd/go writes no `go` line). */
export function buildInfoString(info: BuildInfo): string {
  let s = `path\t${info.path}\n`;
  // debug.BuildInfo's formatMod: a replaced module's line ends at its version, the `=>` line
  // follows, and both end with a newline (so a blank line separates them from the next).
  const formatMod = (word: string, m: BuildInfoModule): string =>
    m.replace === undefined
      ? `${word}\t${m.path}\t${m.version}\t${m.sum}\n`
      : `${word}\t${m.path}\t${m.version}\n${formatMod('=>', m.replace)}\n`;
  if (info.mainModule !== undefined) s += formatMod('mod', info.mainModule);
  for (const dep of info.deps ?? []) s += formatMod('dep', dep);
  for (const { key, value } of info.settings) {
    const k = key === '' || KEY_NEEDS_QUOTE.test(key) ? goQuoteBytes(Buffer.from(key)) : key;
    const v = VALUE_NEEDS_QUOTE.test(value) ? goQuoteBytes(Buffer.from(value)) : value;
    s += `build\t${k}=${v}\n`;
  }
  return s;
}

const MODINFO_START = Uint8Array.from([
  0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02, 0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6,
]);
const MODINFO_END = Uint8Array.from([
  0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72, 0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2,
]);

/** The `modinfo "…"` line of the link importcfg: magic-wrapped build info, Go-quoted. */
export function modinfoLine(info: BuildInfo): string {
  const body = Buffer.from(buildInfoString(info), 'utf8');
  return `modinfo ${goQuoteBytes(Buffer.concat([MODINFO_START, body, MODINFO_END]))}\n`;
}
