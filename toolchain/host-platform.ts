/** The host's GOOS and GOARCH as Go names them, e.g. `linux` and `amd64`. */
export interface GoHostPlatform {
  readonly goos: string;
  readonly goarch: string;
}

const GOOS: Readonly<Partial<Record<NodeJS.Platform, string>>> = {
  linux: 'linux',
  darwin: 'darwin',
  win32: 'windows',
  freebsd: 'freebsd',
  openbsd: 'openbsd',
  netbsd: 'netbsd',
  aix: 'aix',
  sunos: 'solaris',
  android: 'android',
};

const GOARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  arm64: 'arm64',
  ia32: '386',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/**
 * The platform whose SDK to download, known before any Go exists on the machine (from Node's
 * `process.platform`/`process.arch`). Node's `ppc64` is little-endian on every platform it ships.
 */
export function goHostPlatform(): GoHostPlatform | undefined {
  const goos = GOOS[process.platform];
  const goarch = GOARCH[process.arch];
  return goos === undefined || goarch === undefined ? undefined : { goos, goarch };
}
