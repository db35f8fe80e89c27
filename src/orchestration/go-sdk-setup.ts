import * as path from 'node:path';
import {
  type GoSdk,
  type GoSdkOrigin,
  type GoSdkSelection,
  type HttpGet,
  ensureSdk,
  fetchGet,
  goHostPlatform,
  loadGoSdk,
} from '../../toolchain';
import type { AnalysisFailure, AnalysisReason } from '../analysis/failure';
import type { EventSink } from '../events';
import type { FileDigester } from '../hashing';
import { type Diagnostic, type Result, err, formatDiagnostic, unreachable } from '../util';

/** What selecting, downloading and pinning the SDK needs. */
export interface GoSdkSetupOptions {
  /** The disk cache root (`--disk_cache`): SDKs are unpacked into `<it>/v1/sdk`. */
  readonly diskCache: string;
  readonly digester: FileDigester;
  /** Receives the "pin this sum" warning. */
  readonly events: EventSink;
  readonly signal?: AbortSignal;
  /** `GOPROXY` (default: the process environment's). */
  readonly goproxy?: string;
  /** Network access (default: Node's fetch). */
  readonly get?: HttpGet;
}

/**
 * Turns the workspace's SDK selection into a pinned {@link GoSdk}: a path or the host's `go` as
 * before, or, for `go_sdk(version = …)` and go.mod's `toolchain` line, the SDK downloaded and
 * verified once into the disk cache (see `ensureSdk`). Download and verification failures are
 * diagnostics on the line that asked for the SDK (exit code 2). Without a pinned sum, the sum the
 * checksum database confirmed is printed as a warning with the WORKSPACE line to pin, as Bazel
 * prints a sha256 to add (for go.mod's `toolchain` line only when it downloads).
 */
export async function setUpGoSdk(
  selection: GoSdkSelection,
  opts: GoSdkSetupOptions,
): Promise<Result<GoSdk, AnalysisFailure[]>> {
  const stateDir = path.join(opts.diskCache, 'v1');
  switch (selection.kind) {
    case 'host':
    case 'path': {
      const sdk = await loadGoSdk(selection, opts.digester, stateDir);
      return sdk.ok ? sdk : err([{ reason: 'go-sdk-not-found', message: sdk.failure.message }]);
    }
    case 'download':
      break;
    default:
      return unreachable(selection);
  }
  const { version, origin } = selection;
  const fail = (reason: AnalysisReason, message: string): Result<GoSdk, AnalysisFailure[]> =>
    err([{ reason, message, diagnostic: at(origin, 'error', `Go SDK ${version}: ${message}`) }]);
  const platform = goHostPlatform();
  if (platform === undefined)
    return fail(
      'go-sdk-not-found',
      `no Go SDK is published for this host (${process.platform}/${process.arch})`,
    );
  const platformKey = `${platform.goos}-${platform.goarch}`;
  const pinnedSum = selection.sum ?? selection.platformSums?.[platformKey];
  const available = await ensureSdk(
    { version, ...(pinnedSum !== undefined ? { pinnedSum } : {}) },
    {
      cacheDir: path.join(stateDir, 'sdk'),
      platform,
      goproxy: opts.goproxy ?? process.env['GOPROXY'],
      get: opts.get ?? fetchGet,
      ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
    },
  );
  if (!available.ok) return fail(available.failure.reason, available.failure.message);
  const sdk = await loadGoSdk(
    { kind: 'path', goroot: available.value.goroot },
    opts.digester,
    stateDir,
  );
  if (!sdk.ok) return fail('go-sdk-not-found', sdk.failure.message);
  const fromWorkspace = origin.span.file !== 'go.mod';
  if (pinnedSum === undefined && (fromWorkspace || available.value.verifiedBy !== 'cache')) {
    const sum = available.value.sum;
    const line =
      selection.platformSums !== undefined
        ? `add "${platformKey}": "${sum}" to go_sdk(sum = {...})`
        : `pin it in WORKSPACE:\n    go_sdk(version = "${version}", sum = "${sum}")`;
    const how =
      available.value.verifiedBy === 'cache'
        ? 'verified against the Go checksum database when it was downloaded'
        : 'verified against the Go checksum database (sum.golang.org)';
    const d = at(
      origin,
      'warning',
      `Go SDK ${version} has no pinned sum for ${platformKey}; ${available.value.module} was ${how}; ${line}`,
    );
    opts.events.emit({
      type: 'diagnostic',
      severity: 'warning',
      file: d.span.file,
      line: d.span.line,
      col: d.span.col,
      message: d.message,
      formatted: formatDiagnostic(d),
    });
  }
  return sdk;
}

function at(origin: GoSdkOrigin, severity: Diagnostic['severity'], message: string): Diagnostic {
  return { severity, span: origin.span, sourceLine: origin.sourceLine, message };
}
