import { err, ok, type Result } from '../util/result';
import { decodeProfile } from './decode-profile';
import { pgoValueIndex } from './merge-profiles';
import type { PprofProfile } from './profile';
import { profileFailure, type ProfileFailure } from './profile-failure';

/**
 * Decodes a profile fetched from a running service and checks that it can feed PGO: a CPU
 * profile (samples/count or cpu/nanoseconds), with samples, covering at least `minSeconds`
 * (from its `duration_nanos`; a profile that says nothing about its duration is accepted).
 * `source` names the instance (its URL) in failures.
 */
export function checkCollectedProfile(
  bytes: Uint8Array,
  source: string,
  minSeconds: number,
): Result<PprofProfile, ProfileFailure> {
  const decoded = decodeProfile(bytes, source);
  if (!decoded.ok) return decoded;
  const p = decoded.value;
  if (p === 'empty') {
    return err(
      profileFailure('profile-empty', source, 'the response body is empty; expected a CPU profile'),
    );
  }
  const index = pgoValueIndex(p.sampleTypes);
  if (index < 0) {
    const types = p.sampleTypes.map((t) => `${t.type}/${t.unit}`).join(' ');
    return err(
      profileFailure(
        'profile-not-cpu',
        source,
        `sample types are [${types}]; expected samples/count or cpu/nanoseconds (is the URL /debug/pprof/profile?)`,
      ),
    );
  }
  const total = p.samples.reduce((sum, s) => sum + (s.values[index] ?? 0), 0);
  if (total === 0) {
    return err(
      profileFailure(
        'profile-empty',
        source,
        `${p.samples.length} samples with no ${p.sampleTypes[index]?.type ?? 'CPU'} value; expected an instance doing work during the window (is load running?)`,
      ),
    );
  }
  const seconds = Number(p.durationNanos) / 1e9;
  if (p.durationNanos > 0n && seconds < minSeconds) {
    return err(
      profileFailure(
        'profile-too-short',
        source,
        `it covers ${seconds.toFixed(1)} s; expected at least ${minSeconds} s`,
      ),
    );
  }
  return ok(p);
}
