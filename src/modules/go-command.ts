import { execFile } from 'node:child_process';

/** The outcome of one `go` command run for module work. */
export interface GoCommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment the `go` command gets for module resolution and downloads: the user's own
 * (GOPROXY, GOPRIVATE, GONOSUMDB, GOFLAGS, GOMODCACHE, GONOPROXY, GOINSECURE, .netrc credentials,
 * all honoured as cmd/go honours them) with `GOTOOLCHAIN=local`, so that a `toolchain` line can
 * never make it download and run another Go behind the build's back.
 */
export function goCommandEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, GOTOOLCHAIN: 'local', ...extra };
}

/** Runs `go args…` in `cwd`; never rejects (a failure to start is exit code 127). */
export function runGo(
  goBinary: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
): Promise<GoCommandResult> {
  return new Promise((resolve) => {
    execFile(
      goBinary,
      [...args],
      { cwd, env, maxBuffer: 256 << 20, encoding: 'utf8', signal },
      (error, stdout, stderr) => {
        if (error === null) resolve({ code: 0, stdout, stderr });
        else {
          const code = typeof error.code === 'number' ? error.code : 127;
          resolve({ code, stdout, stderr: stderr || error.message });
        }
      },
    );
  });
}

/** Splits the concatenated JSON objects `go … -json` prints into values. */
export function parseJsonStream<T>(text: string): T[] {
  const out: T[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0 && start >= 0) out.push(JSON.parse(text.slice(start, i + 1)) as T);
    }
  }
  return out;
}

/** The message of a failed `go` run: its stderr without the `go: ` prefixes, trimmed. */
export function goErrorText(r: GoCommandResult): string {
  return r.stderr
    .split('\n')
    .map((l) => l.replace(/^go: /, ''))
    .filter((l) => l.trim() !== '')
    .join('\n');
}
