import type { Platform } from '../go/platform';
import type { Digest } from '../util';

/** The PGO part of a configuration: the profile a binary's graph is compiled with. */
export interface ProfileConfig {
  /** Workspace-relative path of the raw profile, for messages. */
  readonly file: string;
  readonly absPath: string;
  readonly rawDigest: Digest;
  /** Digest of what compile actions receive: preprocessed (Go ≥ 1.23) or raw (Go ≤ 1.22). */
  readonly compilerInput: Digest;
  /** Basename recorded as `-pgo=` in build info (cmd/go under -trimpath). */
  readonly basename: string;
  /** The binary whose profile this is (cmd/go's `ForMain`); part of node identity, not of keys. */
  readonly forBinary: string;
}

/** A configuration: (goos, goarch, pgo). A configured target is (label, configuration). */
export interface Configuration {
  readonly platform: Platform;
  readonly pgo?: ProfileConfig;
  /**
   * Stable identifier: `linux_amd64`, or `linux_amd64 pgo[//cmd/api]` for a binary's profile.
   * It names the binary rather than the profile digest, so a node keeps its identity when the
   * profile is refreshed (explain compares it with its previous run). Binaries whose profiles
   * are identical still share every action: their actions have equal keys.
   */
  readonly id: string;
}

/** Builds a configuration and its identifier. */
export function configuration(platform: Platform, pgo?: ProfileConfig): Configuration {
  const base = `${platform.goos}_${platform.goarch}`;
  return { platform, pgo, id: pgo === undefined ? base : `${base} pgo[${pgo.forBinary}]` };
}
