import { createHash } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { ActionKey } from '../actions';
import {
  type AnalysisFailure,
  type Configuration,
  type DeclaredTarget,
  type ProfileConfig,
  configuration,
  stringAttr,
} from '../analysis';
import type { ActionCache } from '../cache';
import type { EventSink } from '../events';
import type { Platform } from '../go/platform';
import { formatProfileFailure } from '../pprof/profile-failure';
import { readProfileFile } from '../pprof/profile-file';
import { type Result, err, ok, sha256 } from '../util';
import { parseLabel, shortLabel } from '../workspace';

/** Bumped whenever pgobuild's preprocessing output could change for the same input. */
const PREPROCESS_VERSION = 1;

/** The `--pgo` command-line override, like `go build -pgo`. */
export type PgoOverride =
  | { readonly kind: 'auto' }
  | { readonly kind: 'off' }
  | { readonly kind: 'path'; readonly absPath: string };

/** Parses `--pgo`: `auto`, `off` or a profile path (relative to the current directory). */
export function parsePgoFlag(value: string | undefined, cwd: string): PgoOverride | undefined {
  if (value === undefined) return undefined;
  if (value === 'auto') return { kind: 'auto' };
  if (value === 'off') return { kind: 'off' };
  return { kind: 'path', absPath: path.resolve(cwd, value) };
}

/**
 * Resolves each binary's profile as cmd/go does (reference §2): `pgo = "auto"` (default) uses
 * `default.pgo` in the binary's own package directory when it exists (an empty file is a valid
 * no-op profile); `"off"`; or an explicit `":label"` / workspace-relative path. `--pgo` overrides.
 * Each distinct raw profile is preprocessed once (a cached GoPreprofile action keyed on the raw
 * digest); failures name the profile and are never cached.
 */
export class PgoResolver {
  private readonly profiles = new Map<string, Promise<Result<ProfileConfig, AnalysisFailure>>>();
  /** GoPreprofile actions run and answered from the cache by this resolver. */
  executed = 0;
  cached = 0;

  constructor(
    private readonly root: string,
    private readonly platform: Platform,
    private readonly goMinor: number,
    private readonly cache: ActionCache,
    private readonly events: EventSink,
    private readonly override: PgoOverride | undefined,
  ) {}

  /** Absolute paths of every profile file this resolver read. */
  profileFiles(): string[] {
    return [...new Set([...this.profiles.keys()].map((k) => k.slice(0, k.indexOf('\0'))))];
  }

  /** The configuration libraries and tests get when no main package decides it. */
  async defaultConfig(): Promise<Result<Configuration, AnalysisFailure>> {
    if (this.override?.kind !== 'path') return ok(configuration(this.platform));
    const profile = await this.profile(this.override.absPath, '(--pgo)');
    return profile.ok ? ok(configuration(this.platform, profile.value)) : profile;
  }

  /** The configuration of a go_binary (or of a go_test of a main package). */
  async configFor(binary: DeclaredTarget): Promise<Result<Configuration, AnalysisFailure>> {
    const owner = shortLabel(binary);
    let absPath: string | undefined;
    if (this.override?.kind === 'off') absPath = undefined;
    else if (this.override?.kind === 'path') absPath = this.override.absPath;
    else {
      const mode = this.override?.kind === 'auto' ? 'auto' : stringAttr(binary, 'pgo', 'auto');
      if (mode === 'off') absPath = undefined;
      else if (mode === 'auto') {
        const candidate = path.join(this.root, binary.pkg, 'default.pgo');
        absPath = (await exists(candidate)) ? candidate : undefined;
      } else {
        const resolved = this.explicitPath(mode, binary);
        if (!resolved.ok) return resolved;
        absPath = resolved.value;
        if (!(await exists(absPath))) {
          const attr = binary.attrs.get('pgo');
          const message = `pgo profile ${path.relative(this.root, absPath)} does not exist`;
          return err({
            reason: 'missing-default-pgo',
            message,
            diagnostic:
              attr === undefined
                ? undefined
                : { severity: 'error', span: attr.span, message, sourceLine: '' },
          });
        }
      }
    }
    if (absPath === undefined) return ok(configuration(this.platform));
    const profile = await this.profile(absPath, owner);
    return profile.ok ? ok(configuration(this.platform, profile.value)) : profile;
  }

  private explicitPath(value: string, binary: DeclaredTarget): Result<string, AnalysisFailure> {
    if (value.startsWith(':') || value.startsWith('//')) {
      const parts = parseLabel(value, binary.pkg);
      if (!parts.ok) {
        const attr = binary.attrs.get('pgo');
        return err({
          reason: 'bad-attribute',
          message: parts.failure.message,
          diagnostic:
            attr === undefined
              ? undefined
              : {
                  severity: 'error',
                  span: attr.span,
                  message: parts.failure.message,
                  sourceLine: '',
                },
        });
      }
      return ok(path.join(this.root, parts.value.pkg, parts.value.name));
    }
    return ok(path.join(this.root, value));
  }

  private profile(
    absPath: string,
    forBinary: string,
  ): Promise<Result<ProfileConfig, AnalysisFailure>> {
    const memoKey = `${absPath}\0${forBinary}`;
    let pending = this.profiles.get(memoKey);
    if (pending === undefined) {
      pending = this.loadProfile(absPath, forBinary);
      this.profiles.set(memoKey, pending);
    }
    return pending;
  }

  private async loadProfile(
    absPath: string,
    forBinary: string,
  ): Promise<Result<ProfileConfig, AnalysisFailure>> {
    const rel = path.relative(this.root, absPath);
    const display = rel.startsWith('..') ? absPath : rel;
    const raw = await readProfileFile(absPath, display);
    if (!raw.ok)
      return err({ reason: 'profile-error', message: formatProfileFailure(raw.failure) });
    const rawDigest = sha256(raw.value);
    const base = { file: display, absPath, rawDigest, basename: path.basename(absPath), forBinary };
    // Go ≤ 1.22 compilers read only pprof: there the raw profile itself is the compile input.
    // It is still decoded here, so a bad profile fails early with a clear message.
    const key = createHash('sha256')
      .update(
        JSON.stringify({ schema: PREPROCESS_VERSION, mnemonic: 'GoPreprofile', input: rawDigest }),
      )
      .digest('hex') as ActionKey;
    const started = Date.now();
    const hit = await this.cache.getAction(key);
    const cachedOutput = hit?.outputs[0];
    let preprocessed = cachedOutput?.digest;
    if (preprocessed === undefined) {
      // Loaded only when a profile must be preprocessed: the decoder and protobufjs cost start-up
      // time that a build whose preprocessed profiles are cached should not pay.
      const { preprocessProfileBytes } = await import('../pprof/preprocess-profile');
      const result = preprocessProfileBytes(raw.value, display);
      if (!result.ok)
        return err({ reason: 'profile-error', message: formatProfileFailure(result.failure) });
      preprocessed = await this.cache.putBlob(result.value);
      await this.cache.putAction(key, {
        outputs: [
          {
            path: 'pgo.preprofile',
            digest: preprocessed,
            size: result.value.length,
            executable: false,
          },
        ],
        exitCode: 0,
      });
    }
    const description = `${display} (for ${forBinary})`;
    if (cachedOutput === undefined) this.executed++;
    else this.cached++;
    this.events.emit({
      type: 'action-finished',
      id: `preprofile:${rawDigest}`,
      mnemonic: 'GoPreprofile',
      description,
      status: cachedOutput === undefined ? 'executed' : 'cached',
      key,
      durationMs: Date.now() - started,
    });
    if (this.goMinor <= 22) {
      await this.cache.putBlob(raw.value);
      return ok({ ...base, compilerInput: rawDigest });
    }
    return ok({ ...base, compilerInput: preprocessed });
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.stat(p);
    return true;
  } catch {
    return false;
  }
}
