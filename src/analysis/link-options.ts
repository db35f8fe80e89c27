import type { Diagnostic, Result } from '../util';
import { err, ok } from '../util';
import { shortLabel } from '../workspace';
import { type DeclaredTarget, dictAttr, listAttr } from './rule-api';

/** An `x_defs` key: `name` or `importpath.name`, `name` a Go identifier. */
const X_DEF_KEY = /^(?:[^\s={}]+\.)?[A-Za-z_][A-Za-z0-9_]*$/;

/** Linker flags pgobuild itself sets: a user value would break the link or its key. */
const RESERVED = new Set(['-o', '-importcfg', '-buildmode', '-linkmode', '-extld', '-buildid']);
/** Linker flags whose value may follow as the next word (`-X main.v=1`). */
const TAKES_VALUE = new Set(['-X', '-extldflags', '-r', '-B', '-E', '-T', '-k', '-L', '-tmpdir']);

/**
 * What is wrong with a list of linker flags, or undefined: every word is a flag (`-s`,
 * `-X=main.v=1`) or the value of the flag before it (`-X main.v=1`); flags pgobuild sets
 * itself are refused.
 */
export function linkerFlagProblem(words: readonly string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const name = word.replace(/^--/, '-').replace(/=.*$/, '');
    if (!word.startsWith('-'))
      return `${JSON.stringify(word)} is not a linker flag (flags start with '-')`;
    if (RESERVED.has(name)) return `${name} is set by pgobuild and cannot be given`;
    if (TAKES_VALUE.has(name) && !word.includes('=')) {
      if (i + 1 >= words.length) return `${name} needs a value`;
      i++;
    }
  }
  return undefined;
}

/**
 * The values of `--workspace_status_command` when `--stamp` is given (`KEY value` lines), or
 * undefined without `--stamp`: then `{KEY}` in an `x_defs` value stays as written.
 */
export type StampValues = ReadonlyMap<string, string> | undefined;

/** Replaces each `{KEY}` that the status command printed by its value (`--stamp` only). */
export function stampValue(value: string, stamp: StampValues): string {
  if (stamp === undefined) return value;
  return value.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, key: string) => stamp.get(key) ?? whole);
}

/**
 * The extra linker flags of one binary, where cmd/go puts `-ldflags` (after `-buildmode`), so
 * they are part of the link action's key: its `x_defs` as `-X=importpath.name=value` (a key
 * without a dot names a variable of `mainPackage`: `main` for a go_binary, the package under
 * test for a go_test), then its `gc_linkopts` (rules_go's name), then `--linkopt`, so a flag on
 * the command line overrides an attribute (the linker keeps the last `-X` of a name). cmd/go
 * leaves `-ldflags` out of the build info under `-trimpath`, so none of them is recorded there.
 */
export function binaryLinkopts(
  global: readonly string[],
  target: DeclaredTarget,
  mainPackage: string,
  stamp: StampValues,
): Result<string[], Diagnostic> {
  const flags: string[] = [];
  for (const def of dictAttr(target, 'x_defs')) {
    if (!X_DEF_KEY.test(def.key))
      return err({
        severity: 'error',
        span: def.span,
        message: `x_defs of ${shortLabel(target)}: ${JSON.stringify(def.key)} is not "name" or "importpath.name" (name a Go identifier)`,
        sourceLine: '',
      });
    const symbol = def.key.includes('.') ? def.key : `${mainPackage}.${def.key}`;
    flags.push(`-X=${symbol}=${stampValue(def.value, stamp)}`);
  }
  const own = listAttr(target, 'gc_linkopts');
  const bad = linkerFlagProblem(own.map((f) => f.value));
  if (bad !== undefined)
    return err({
      severity: 'error',
      span: own[0]?.span ?? target.span,
      message: `gc_linkopts of ${shortLabel(target)}: ${bad}`,
      sourceLine: '',
    });
  flags.push(...own.map((f) => f.value));
  flags.push(...global);
  return ok(flags);
}
