import { type DeclaredTarget, listAttr } from './rule-api';

/**
 * The extra linker flags of one binary: `--linkopt` (every binary, like `go build -ldflags`)
 * followed by its target's `gc_linkopts` attribute (rules_go's name). They land where cmd/go
 * puts `-ldflags`, after `-buildmode`, so they are part of the link action's key. cmd/go leaves
 * `-ldflags` out of the build info under `-trimpath`, so they are not recorded there.
 */
export function binaryLinkopts(global: readonly string[], target: DeclaredTarget): string[] {
  return [...global, ...listAttr(target, 'gc_linkopts').map((f) => f.value)];
}
