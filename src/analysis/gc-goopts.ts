import type { Diagnostic } from '../util';
import { shortLabel } from '../workspace';
import { type DeclaredTarget, listAttr } from './rule-api';

/** Compiler flags that take away what PGO works through: `-l` (no inlining), `-N` (no optimization). */
const NEUTRALIZING = new Set(['-l', '-N']);

/**
 * The extra compile flags of one package: `--gc_goopts` (every package, standard library
 * included, like `go build -gcflags=all=…`) followed by its target's `gc_goopts` attribute.
 * They land where cmd/go puts `-gcflags`, so they are part of the compile action's key.
 */
export function packageGcflags(
  global: readonly string[],
  target: DeclaredTarget | undefined,
): string[] {
  const own = target === undefined ? [] : listAttr(target, 'gc_goopts').map((f) => f.value);
  return [...global, ...own];
}

/**
 * The `-gcflags` build setting a binary or test binary records, as the `go build` or `go test -c`
 * that gives the same compiles would: `all=<flags>` for `--gc_goopts`, else the go_binary's or
 * go_test's own `gc_goopts` (what `go build -gcflags=<flags> ./cmd/x` applies to the named
 * package only). Libraries' own `gc_goopts` have no single `-gcflags` spelling and are not
 * recorded.
 */
export function gcflagsSetting(
  global: readonly string[],
  binary: DeclaredTarget,
): string | undefined {
  if (global.length > 0) return `all=${global.join(' ')}`;
  const own = listAttr(binary, 'gc_goopts').map((f) => f.value);
  return own.length > 0 ? own.join(' ') : undefined;
}

/** The flags among `flags` that neutralize PGO (`-l`, `-N`, also spelled `-l=1`…). */
export function neutralizingFlags(flags: readonly string[]): string[] {
  return flags.filter((f) => NEUTRALIZING.has(f.replace(/=.*$/, '')) && !/=0$/.test(f));
}

/**
 * A warning when a PGO binary's main package is compiled with `-l` or `-N`: the profile then
 * cannot cause any inlining or devirtualization. It points at the `gc_goopts` entry, or at the
 * rule when the flag came from `--gc_goopts`.
 */
export function pgoNeutralizedWarning(
  global: readonly string[],
  binary: DeclaredTarget,
  profileFile: string,
): Diagnostic | undefined {
  const fromFlag = neutralizingFlags(global);
  const fromAttr = listAttr(binary, 'gc_goopts').filter(
    (f) => neutralizingFlags([f.value]).length > 0,
  );
  const first = fromAttr[0];
  if (fromFlag.length === 0 && first === undefined) return undefined;
  const flags = [...fromFlag, ...fromAttr.map((f) => f.value)];
  const where = fromFlag.length > 0 ? '--gc_goopts' : 'gc_goopts';
  return {
    severity: 'warning',
    span: fromFlag.length === 0 && first !== undefined ? first.span : binary.span,
    message: `${where} ${flags.join(' ')} on ${shortLabel(binary)}, which is built with the profile ${profileFile}: ${flags.some((f) => f.startsWith('-N')) ? '-N disables optimization' : '-l disables inlining'}, so the profile cannot inline or devirtualize anything (PGO does nothing)`,
    sourceLine: '',
  };
}
