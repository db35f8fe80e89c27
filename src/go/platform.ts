/** The target platform of a configuration: GOOS/GOARCH plus the architecture level variable. */
export interface Platform {
  readonly goos: string;
  readonly goarch: string;
  /** The arch variable name (`GOAMD64`, `GOARM64`, …) or undefined when GOARCH has none we set. */
  readonly archEnv?: string;
  /** Its value (`v1`), or '' when there is no arch variable. */
  readonly archLevel: string;
  readonly cgoEnabled: boolean;
}

const ARCH_DEFAULTS: Readonly<Record<string, readonly [string, string]>> = {
  amd64: ['GOAMD64', 'v1'],
  arm64: ['GOARM64', 'v8.0'],
  '386': ['GO386', 'sse2'],
};

/** The default platform for a host: cmd/go's defaults with CGO disabled (pgobuild has no cgo yet). */
export function defaultPlatform(goos: string, goarch: string): Platform {
  const arch = ARCH_DEFAULTS[goarch];
  return { goos, goarch, archEnv: arch?.[0], archLevel: arch?.[1] ?? '', cgoEnabled: false };
}

/** The `-D` defines asm gets for the architecture level (cmd/go's `asmArgs`). */
export function asmArchDefines(p: Platform): string[] {
  switch (p.goarch) {
    case 'amd64':
      return ['-D', `GOAMD64_${p.archLevel}`];
    case '386':
      return ['-D', `GO386_${p.archLevel}`];
    default:
      // arm64 adds GOARM64_LSE only when LSE is enabled, which the v8.0 default is not.
      return [];
  }
}

/** The environment every Go tool of this platform runs with (reference §7.3), GOROOT added by the caller. */
export function platformEnv(p: Platform): Record<string, string> {
  const env: Record<string, string> = {
    GOOS: p.goos,
    GOARCH: p.goarch,
    CGO_ENABLED: p.cgoEnabled ? '1' : '0',
  };
  if (p.archEnv !== undefined) env[p.archEnv] = p.archLevel;
  return env;
}
