import { unreachable } from '../util/unreachable';

/**
 * Why a profile could not be decoded or preprocessed.
 *
 * - `profile-not-pprof`: not a pprof protobuf (random bytes, text, another protobuf message, a
 *   corrupt gzip stream, or a protobuf that Go's decoder rejects as malformed);
 * - `profile-truncated`: the gzip stream or the protobuf ends early;
 * - `profile-not-cpu`: no `samples/count` or `cpu/nanoseconds` sample type (a heap profile, …);
 * - `profile-missing-start-line`: no sampled function has `start_line` (binary built by Go < 1.20);
 * - `profile-unsupported`: a valid profile that pgobuild cannot preprocess exactly as Go does
 *   (a sample value, line number or edge weight beyond 2^53, or a function name that is not
 *   valid UTF-8);
 * - `profile-is-directory`, `profile-unreadable`: the path cannot be read as a file;
 * - `profiles-incompatible`: profiles that cannot be merged (no common sample type, different
 *   units or period types);
 * - `profile-empty`: a profile with no samples (or no weight) where samples are needed;
 * - `profile-too-short`: a profile whose duration is below what the command asks for.
 */
export type ProfileFailureReason =
  | 'profile-not-pprof'
  | 'profile-truncated'
  | 'profile-not-cpu'
  | 'profile-missing-start-line'
  | 'profile-unsupported'
  | 'profile-is-directory'
  | 'profile-unreadable'
  | 'profiles-incompatible'
  | 'profile-empty'
  | 'profile-too-short';

/** An expected failure about a profile file; `message` says what was found and what was expected. */
export interface ProfileFailure {
  readonly reason: ProfileFailureReason;
  /** The profile's path as the user should see it (workspace-relative or as typed). */
  readonly file: string;
  readonly message: string;
}

/** Builds a {@link ProfileFailure}. */
export function profileFailure(
  reason: ProfileFailureReason,
  file: string,
  message: string,
): ProfileFailure {
  return { reason, file, message };
}

/**
 * Renders a failure as one line for humans, e.g.
 * `cmd/api/default.pgo: not a CPU profile: sample types are [alloc_objects/count …]; expected
 * samples/count or cpu/nanoseconds`.
 */
export function formatProfileFailure(f: ProfileFailure): string {
  return `${f.file}: ${prefixFor(f.reason)}${f.message}`;
}

/** A short phrase naming the kind of failure, so every message reads the same way. */
function prefixFor(reason: ProfileFailureReason): string {
  switch (reason) {
    case 'profile-not-pprof':
      return 'not a pprof profile: ';
    case 'profile-truncated':
      return 'truncated profile: ';
    case 'profile-not-cpu':
      return 'not a CPU profile: ';
    case 'profile-missing-start-line':
      return 'profile lacks Function.start_line: ';
    case 'profile-unsupported':
      return 'unsupported profile: ';
    case 'profile-is-directory':
      return 'is a directory: ';
    case 'profile-unreadable':
      return 'cannot read profile: ';
    case 'profiles-incompatible':
      return 'cannot merge: ';
    case 'profile-empty':
      return 'empty profile: ';
    case 'profile-too-short':
      return 'profile too short: ';
    default:
      return unreachable(reason);
  }
}
