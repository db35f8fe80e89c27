/** The streams and directory a `pgobuild pgo …` tool works with (injected for tests). */
export interface PgoToolIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Relative paths on the command line are resolved against this directory. */
  readonly cwd: string;
  /** `--output`: human tables on stdout, or one JSON document on stdout. */
  readonly output: 'human' | 'json';
}

/** The process's own streams and working directory. */
export function processToolIo(output: 'human' | 'json'): PgoToolIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), output };
}

/** Writes and waits until the stream has taken the data, so the exit code follows the output. */
export function writeTo(stream: NodeJS.WritableStream, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(data, (e?: Error | null) => (e ? reject(e) : resolve()));
  });
}

/** Writes one JSON document (bigints as decimal strings) and a newline. */
export function writeJson(stream: NodeJS.WritableStream, value: unknown): Promise<void> {
  return writeTo(
    stream,
    `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`,
  );
}

/**
 * Renders rows as an aligned text table: a header, then one line per row. Columns whose header
 * is listed in `rightAligned` (numbers) are padded on the left.
 */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  rightAligned: readonly string[] = [],
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => {
        const w = widths[i] ?? 0;
        const h = headers[i] ?? '';
        return rightAligned.includes(h) ? c.padStart(w) : c.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** A share 0..1 as a percentage with one decimal, e.g. `42.0%`. */
export function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
