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

/** A configuration: (goos, goarch, pgo, tags). A configured target is (label, configuration). */
export interface Configuration {
  readonly platform: Platform;
  readonly pgo?: ProfileConfig;
  /**
   * Build tags of a binary's or test's graph when its `gotags` attribute adds tags to the
   * command's `--gotags` (a transition, as rules_go's): `--gotags` then the attribute's, each
   * once. Undefined: the command's `--gotags`, as for every target without the attribute.
   */
  readonly tags?: readonly string[];
  /**
   * Stable identifier: `linux_amd64`, or `linux_amd64 pgo[//cmd/api]` for a binary's profile,
   * followed by ` tags[a,b]` for a `gotags` transition.
   * It names the binary rather than the profile digest, so a node keeps its identity when the
   * profile is refreshed (explain compares it with its previous run). Binaries whose profiles
   * are identical still share every action: their actions have equal keys.
   */
  readonly id: string;
}

/** Builds a configuration and its identifier. */
export function configuration(
  platform: Platform,
  pgo?: ProfileConfig,
  tags?: readonly string[],
): Configuration {
  const base = `${platform.goos}_${platform.goarch}`;
  const withPgo = pgo === undefined ? base : `${base} pgo[${pgo.forBinary}]`;
  if (tags === undefined) return { platform, pgo, id: withPgo };
  return { platform, pgo, tags, id: `${withPgo} tags[${tags.join(',')}]` };
}

/** `config` with its graph's build tags set (a `gotags` transition). */
export function withTags(config: Configuration, tags: readonly string[]): Configuration {
  return configuration(config.platform, config.pgo, tags);
}
