/** The values substituted for the action placeholders (see `Placeholder` in src/actions). */
export interface PlaceholderValues {
  /** Absolute path of the exec root the action runs in. */
  readonly execRoot: string;
  /** Absolute path of the selected Go SDK. */
  readonly goroot: string;
  /** Backend concurrency for this compile (`-c`); 1 when not given. */
  readonly compileConcurrency?: number;
}

const PLACEHOLDER_PATTERN = /\$\{(EXECROOT|GOROOT|COMPILE_CONCURRENCY)\}/g;

/**
 * Replaces every `${EXECROOT}`, `${GOROOT}` and `${COMPILE_CONCURRENCY}` in `text`. Other `${…}` sequences are left alone:
 * they may legitimately appear in written file contents (shell scripts, Go source).
 */
export function expandPlaceholders(text: string, values: PlaceholderValues): string {
  // One pass with a replacer function: the values are inserted verbatim (no `$&` patterns) and a
  // value that itself contains a placeholder is not expanded again.
  return text.replace(PLACEHOLDER_PATTERN, (_match, name: string) =>
    name === 'EXECROOT'
      ? values.execRoot
      : name === 'GOROOT'
        ? values.goroot
        : String(values.compileConcurrency ?? 1),
  );
}
