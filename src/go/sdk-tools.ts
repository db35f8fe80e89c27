import type { GoSdk, GoToolName } from '../../toolchain';
import type { ActionInput } from '../actions';
import { EXEC_ROOT, inExecRoot } from './exec-root';

/** An SDK tool as an action runs it: a declared input, and the argv[0] that names it. */
export interface DeclaredTool {
  /** `${EXECROOT}/external/go_sdk/pkg/tool/<os>_<arch>/<tool>`. */
  readonly argv0: string;
  readonly input: ActionInput;
}

/**
 * Declares an SDK tool as an input of the action that runs it, by the digest the SDK was pinned
 * with (no extra hashing: `loadGoSdk` already digests every tool). The tool sits where cmd/go's
 * GOROOT layout puts it under the exec root's SDK prefix, so `GOROOT=${EXECROOT}/external/go_sdk`
 * and the program agree, and an executor that ships inputs elsewhere ships the tool too.
 */
export function declaredTool(sdk: GoSdk, tool: Exclude<GoToolName, 'preprofile'>): DeclaredTool {
  const digest = sdk.toolDigests[tool];
  if (digest === undefined) throw new Error(`bug: SDK ${sdk.version} has no digest for ${tool}`);
  const path = `${EXEC_ROOT.goroot}/pkg/tool/${sdk.hostOs}_${sdk.hostArch}/${tool}`;
  return {
    argv0: inExecRoot(path),
    input: {
      path,
      digest,
      source: { kind: 'file', absPath: sdk.toolPaths[tool] },
      executable: true,
    },
  };
}
