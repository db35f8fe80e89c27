import * as fs from 'node:fs';
import { forgetUpToDate } from '../src/orchestration/up-to-date';
import { run, sleepMs } from './common';
import { addExportedFunction, editFunctionBody } from './edits';

/**
 * One of our builds, timed: wall ms, peak RSS of the process, whether the up-to-date check
 * answered, how many actions it executed.
 */
export interface OurRun {
  readonly ms: number;
  readonly rssKiB: number;
  readonly replayed: boolean;
  readonly executed: number;
}

/** A source file the loop edits, and the line starting the function whose body it edits. */
export interface EditedFile {
  readonly file: string;
  readonly signature: string;
}

/** The keys {@link editLoopRun} records, in the order it runs them. */
export const EDIT_LOOP_KEYS = ['leaf', 'after', 'wide', 'bodyLeaf', 'bodyWide'] as const;

/**
 * One run of the edit-rebuild loop a developer goes through all day, each step measured as our
 * build against `go build` right after it on the same edited sources:
 *
 * - `leaf`: a function added to a package imported by one binary (its export data changes);
 * - `after`: the null build right after that rebuild;
 * - `wide`: a function added to the most widely imported package;
 * - `bodyLeaf`, `bodyWide`: a statement added to a function body in each, in place (same API,
 *   no declaration moves).
 *
 * The first body edit of a file inserts a line and declares a counter (see
 * {@link editFunctionBody}); it is made together with that file's added function, a step whose
 * export data changes anyway, so that the body steps measure the in-place edit of a warm loop.
 * `tag` makes the added functions' names unique per run; the invocation's own prefix makes them
 * unique across invocations too, so that a warm disk cache (BENCH_DISK_CACHE) kept from an earlier
 * run never holds an edit's results. An edit whose build executed nothing is an error: the row
 * would time cache hits, not a rebuild.
 */
export function editLoopRun(
  files: { readonly leaf: EditedFile; readonly wide: EditedFile },
  tag: string,
  build: () => OurRun,
  go: () => { ms: number },
  record: (key: (typeof EDIT_LOOP_KEYS)[number], ours: OurRun, go: { ms: number }) => void,
): void {
  const unique = `${INVOCATION}${tag}`;
  const rebuild = (what: string): OurRun => {
    const r = build();
    if (r.executed === 0) throw new Error(`the rebuild after ${what} executed no action`);
    return r;
  };
  editFunctionBody(files.leaf.file, files.leaf.signature);
  addExportedFunction(files.leaf.file, `L${unique}`);
  record('leaf', rebuild('adding a function to the leaf'), go());
  record('after', build(), go());
  editFunctionBody(files.wide.file, files.wide.signature);
  addExportedFunction(files.wide.file, `W${unique}`);
  record('wide', rebuild('adding a function to the wide package'), go());
  editFunctionBody(files.leaf.file, files.leaf.signature);
  record('bodyLeaf', rebuild("editing the leaf's function body"), go());
  editFunctionBody(files.wide.file, files.wide.signature);
  record('bodyWide', rebuild("editing the wide package's function body"), go());
}

/** This bench invocation's prefix of the added functions' names (see {@link editLoopRun}). */
const INVOCATION = Date.now().toString(36).toUpperCase();

/**
 * A null build that analyses the workspace at `ws`: the up-to-date recording the previous build
 * left (a build that executed actions records what the next one would do) is dropped first, as
 * any other command would drop it. Without this it would time a replay, as
 * {@link repeatedNullBuild} does.
 */
export function fullAnalysisNullBuild(ws: string, build: () => OurRun): OurRun {
  forgetUpToDate(ws);
  const r = build();
  if (r.replayed) throw new Error(`${ws}: the full-analysis null build was answered by a replay`);
  return r;
}

/**
 * A repeated null build answered by the up-to-date check: once the last edit is older than the
 * racy window, one build records its inputs, and the next (returned) replays them.
 */
export function repeatedNullBuild(build: () => OurRun, what: string): OurRun {
  sleepMs(2500);
  build();
  const replay = build();
  if (!replay.replayed) throw new Error(`${what}: the repeated null build was not replayed`);
  return replay;
}

/** Restores files to the bytes they had when this was called. */
export function restorer(files: readonly string[]): () => void {
  const originals = new Map(files.map((f) => [f, fs.readFileSync(f)]));
  return () => {
    for (const [f, bytes] of originals) fs.writeFileSync(f, bytes);
  };
}

/**
 * The workspace's server, found through `pgobuild info`: its pid, and its peak RSS so far
 * (VmHWM) in KiB, for the memory figure of rows measured through it.
 */
export function serverPeakRssKiB(cli: string, ws: string, env: NodeJS.ProcessEnv): number {
  const info = run(process.execPath, [cli, 'info'], ws, env).stdout;
  const pid = /^server_pid: (\d+)$/m.exec(info)?.[1];
  if (pid === undefined) throw new Error(`pgobuild info names no server:\n${info}`);
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  if (hwm === undefined) throw new Error(`/proc/${pid}/status has no VmHWM`);
  return Number(hwm);
}
