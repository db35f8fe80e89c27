import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LRU_TOUCH_GRANULARITY_MS } from '../cache/lru-eviction';
import type { BuildEvent, EventSink } from '../events/build-event';
import { writeFileAtomicallySync } from '../util/atomic-write';
import { RACY_WINDOW_MS, signatureMtimeNs, statSignature } from '../util/stat-signature';
import { BUILD_FILE_NAMES } from '../workspace/build-file';
import { loadIgnoreList } from '../workspace/ignore-list';
import { isSkippedByDiscovery } from '../workspace/package-discovery';
import { settleExplainLog } from './explain-log';
import { workspaceRelative } from '../workspace/workspace-root';

/**
 * The up-to-date check: how a null build skips analysis.
 *
 * A `build` that found every action cached records what it depended on: the stat signature of
 * every file it digested (sources, standard-library files, SDK tools), the listing of every
 * workspace directory it could have read (package directories down to nested packages, the
 * trees that `...` patterns walked, and their ancestors, where go.mod and WORKSPACE live), the
 * profiles, the outputs under `pgobuild-out/bin`, pgobuild's own modules, and the events it
 * emitted. The next identical command whose recorded inputs all have the same stat signature
 * replays those events instead of loading and analysing the workspace: the answer would be the
 * same, because analysis and action keys are functions of exactly those inputs.
 *
 * A build that executed actions records too, when it succeeded: the next identical build would
 * find every action cached, so the recording holds the events that build would emit (each action
 * cached, no process) and, on replay, the explain log is settled the same way.
 *
 * Stat signatures include ctime, which any write changes and nobody can set back. A file modified
 * within {@link RACY_WINDOW_MS} of the recording build's start is not trusted by its signature
 * alone (a later write in the same timestamp tick would be invisible, git's "racily clean"
 * entries): a digested source's recording keeps the digest the build used, and a replay hashes
 * the file again and compares, as git compares a racily clean file's contents; any other such
 * file (a BUILD file, a profile) makes the build record nothing. A recording is also dropped by
 * any other build, test or run command (which rewrites the explain log), and is not used once
 * older than {@link MAX_AGE_MS}, so that cache entries keep getting their LRU touches from a full
 * null build.
 */

/** Version of the recording format; another version is ignored. */
const FORMAT_VERSION = 2;

/** A replay touches no cache entry; after this long a full null build does the LRU touches. */
const MAX_AGE_MS = LRU_TOUCH_GRANULARITY_MS;

/** Environment variables that can change what a build does (the SDK found, the default cache). */
function relevantEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && (k.startsWith('GO') || ['PATH', 'HOME', 'XDG_CACHE_HOME'].includes(k)))
      env[k] = v;
  }
  return env;
}

/** What a build command asked for; a recording answers only the identical request. */
export interface UpToDateRequest {
  readonly patterns: readonly string[];
  readonly cwd: string;
  readonly pgo: string | undefined;
  readonly diskCache: string;
  /** `--gc_goopts` (changes every compile). */
  readonly gcGoopts?: readonly string[];
  /** `--gotags` (changes which files compile). */
  readonly gotags?: readonly string[];
  /** `--linkopt` (changes every link). */
  readonly linkopts?: readonly string[];
  /** `--stamp`: never answered from a recording (the status command's output may change). */
  readonly stamp?: boolean;
  /** `--workspace_status_command`. */
  readonly workspaceStatusCommand?: string;
}

/** The up-to-date request of a build of `patterns` with these options. */
export function upToDateRequest(
  opts: Omit<UpToDateRequest, 'patterns' | 'pgo'> & { readonly pgo?: string },
  patterns: readonly string[],
): UpToDateRequest {
  return {
    patterns,
    cwd: opts.cwd,
    pgo: opts.pgo,
    diskCache: opts.diskCache,
    gcGoopts: opts.gcGoopts,
    gotags: opts.gotags,
    linkopts: opts.linkopts,
    stamp: opts.stamp,
    workspaceStatusCommand: opts.workspaceStatusCommand,
  };
}

function requestKey(request: UpToDateRequest): string {
  return JSON.stringify({
    patterns: request.patterns,
    cwd: path.resolve(request.cwd),
    pgo: request.pgo ?? null,
    gcGoopts: request.gcGoopts ?? [],
    gotags: request.gotags ?? [],
    linkopts: request.linkopts ?? [],
    stamp: request.stamp ?? false,
    workspaceStatusCommand: request.workspaceStatusCommand ?? null,
    diskCache: path.resolve(request.diskCache),
    env: relevantEnvironment(),
    node: process.version,
    nodePath: process.execPath,
  });
}

/** What the recorded build depended on, as the build session knows it. */
export interface UpToDateInputs {
  /** The workspace root. */
  readonly root: string;
  /** When the command started (ms since the epoch), for the racy-file rule. */
  readonly startedMs: number;
  /** Every file digested, with its stat signature when it was digested. */
  readonly digested: ReadonlyMap<string, string>;
  /** The SHA-256 the build used for a file it read (for files too recent to trust by stat). */
  readonly contentDigest: (file: string) => string | undefined;
  /** Other files read (profiles, the go binary): absolute paths. */
  readonly files: readonly string[];
  /** Package directories that were looked into, workspace-relative. */
  readonly packageDirs: readonly string[];
  /** Roots of `...` patterns, workspace-relative. */
  readonly recursiveRoots: readonly string[];
  /** .bzl files loaded, workspace-relative. */
  readonly bzlFiles: readonly string[];
  /** Absolute directories of module packages read (module cache, vendor/, replacements). */
  readonly moduleDirs: readonly string[];
  /** The disk cache root: the recording is void if it is replaced or removed. */
  readonly diskCache: string;
}

interface Recording {
  readonly version: number;
  readonly request: string;
  readonly recordedAtMs: number;
  /** Absolute path → stat signature, or '' for a file that must not exist. */
  readonly files: Record<string, string>;
  /** Absolute directory path → listing signature. */
  readonly dirs: Record<string, string>;
  /** Absolute path → `dev:ino` of directories that must still be the same directory. */
  readonly identities: Record<string, string>;
  /** Absolute path → SHA-256 of files too recent to trust by stat: a replay hashes them again. */
  readonly contents: Record<string, string>;
  /** Recorded by a build that executed actions: a replay marks them cached in the explain log. */
  readonly settleExplainLog: boolean;
  /** Everything the build emitted after `command-started`. */
  readonly events: readonly BuildEvent[];
}

function recordingPath(root: string): string {
  return path.join(root, 'pgobuild-out', '.pgobuild', 'up-to-date.json');
}

/** Passes events on and keeps them, for {@link recordUpToDate}. */
export class EventRecorder implements EventSink {
  readonly events: BuildEvent[] = [];

  constructor(private readonly next: EventSink) {}

  emit(event: BuildEvent): void {
    this.events.push(event);
    this.next.emit(event);
  }
}

/** Drops the recording: called by every command that builds, before it changes anything. */
export function forgetUpToDate(root: string): void {
  fs.rmSync(recordingPath(root), { force: true });
}

/**
 * If the last command in `root` was a null build of the same request and nothing it depended on
 * changed, emits its events again (with fresh durations) and returns true. Returns false, having
 * emitted nothing, in every other case.
 */
export function replayIfUpToDate(
  root: string,
  request: UpToDateRequest,
  jobs: number,
  events: EventSink,
  startedMs: number,
): boolean {
  let recording: Recording;
  try {
    recording = JSON.parse(fs.readFileSync(recordingPath(root), 'utf8')) as Recording;
  } catch {
    return false;
  }
  if (
    recording.version !== FORMAT_VERSION ||
    recording.request !== requestKey(request) ||
    Date.now() - recording.recordedAtMs > MAX_AGE_MS ||
    !unchanged(recording)
  )
    return false;
  if (recording.settleExplainLog) settleExplainLog(root);
  events.emit({ type: 'command-started', command: 'build', patterns: request.patterns, jobs });
  for (const e of recording.events) {
    if (e.type === 'analysis-finished') events.emit({ ...e, durationMs: Date.now() - startedMs });
    else if (e.type === 'command-finished')
      events.emit({ ...e, durationMs: Date.now() - startedMs, replayed: true });
    else events.emit(e);
  }
  return true;
}

/**
 * Whether every recorded input still has its signature. The directory listings come first: they
 * hold the workspace's sources (each file's stat signature), where an edit is, while the recorded
 * files are mostly the SDK's (thousands of standard-library files) that rarely change.
 */
function unchanged(recording: Recording): boolean {
  if (!sameDirectories(recording)) return false;
  for (const [dir, signature] of Object.entries(recording.dirs)) {
    if (listDirectory(dir)?.signature !== signature) return false;
  }
  for (const [file, signature] of Object.entries(recording.files)) {
    const st = fs.statSync(file, { bigint: true, throwIfNoEntry: false });
    if ((st === undefined ? '' : statSignature(st)) !== signature) return false;
  }
  for (const [file, digest] of Object.entries(recording.contents))
    if (contentDigest(file) !== digest) return false;
  return true;
}

/** Whether the directories that must stay the same (the disk cache root) still are. */
function sameDirectories(recording: Recording): boolean {
  for (const [dir, identity] of Object.entries(recording.identities)) {
    const st = fs.statSync(dir, { bigint: true, throwIfNoEntry: false });
    if (st === undefined || `${st.dev}:${st.ino}` !== identity) return false;
  }
  return true;
}

/** The SHA-256 of a file's bytes, or undefined when it cannot be read. */
function contentDigest(file: string): string | undefined {
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
}

/**
 * What a recorded build depended on, as {@link recordUpToDate} wrote it, with each watched
 * directory's entries: what {@link changedSince} compares with.
 */
export interface RecordedInputs {
  readonly recording: Recording;
  /** Directory → its entries, name → kind (a file's kind is its stat signature). */
  readonly dirEntries: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

/**
 * Records a successful build so that the next identical one can be answered by
 * {@link replayIfUpToDate}: `events` are those a null build of it emits ({@link asNullBuildEvents}
 * for a build that executed actions, which `executedActions` says). Returns what it recorded.
 * Records nothing (and returns undefined) when an input that cannot be checked by contents was
 * modified too close to the build's start to be trusted.
 */
export function recordUpToDate(
  request: UpToDateRequest,
  inputs: UpToDateInputs,
  events: readonly BuildEvent[],
  executedActions: boolean,
): RecordedInputs | undefined {
  const recorded = takeInputs(request, inputs, events, executedActions);
  if (recorded !== undefined)
    writeFileAtomicallySync(recordingPath(inputs.root), JSON.stringify(recorded.recording));
  return recorded;
}

/**
 * What a build depended on, taken as {@link recordUpToDate} takes it but not recorded: a failed
 * build, which no replay may answer for, can still tell {@link changedSince} what changed after it.
 */
export function snapshotInputs(
  request: UpToDateRequest,
  inputs: UpToDateInputs,
): RecordedInputs | undefined {
  return takeInputs(request, inputs, [], false);
}

function takeInputs(
  request: UpToDateRequest,
  inputs: UpToDateInputs,
  events: readonly BuildEvent[],
  executedActions: boolean,
): RecordedInputs | undefined {
  const files: Record<string, string> = {};
  const dirs: Record<string, string> = {};
  const contents: Record<string, string> = {};
  const newestAllowedNs = BigInt(inputs.startedMs - RACY_WINDOW_MS) * 1_000_000n;
  let racy = false;
  const isRecent = (signature: string): boolean =>
    signature !== '' && signatureMtimeNs(signature) > newestAllowedNs;
  for (const [file, signature] of inputs.digested) {
    files[file] = signature;
    if (!isRecent(signature)) continue;
    const digest = inputs.contentDigest(file);
    if (digest === undefined) racy = true;
    else contents[file] = digest;
  }
  for (const file of [...inputs.files, ...pgobuildModules()]) {
    const st = fs.statSync(file, { bigint: true, throwIfNoEntry: false });
    files[file] = st === undefined ? '' : statSignature(st);
    if (isRecent(files[file])) racy = true;
  }
  // The outputs this build placed are recent too, but they are not inputs: their signatures say
  // whether they are still there as placed (a later same-tick write by someone else would keep a
  // modified binary in place, not make a build wrong), and hashing every binary would cost a
  // replay more than the null build it replaces.
  const outputs = path.join(inputs.root, 'pgobuild-out', 'bin') + path.sep;
  const dirEntries = new Map<string, ReadonlyMap<string, string>>();
  for (const [dir, listing] of watchedDirectories(inputs)) {
    dirs[dir] = listing.signature;
    dirEntries.set(dir, listing.entries);
    if (`${dir}${path.sep}`.startsWith(outputs)) continue;
    for (const file of listing.filesModifiedAfter(newestAllowedNs)) {
      const digest = contents[file] ?? inputs.contentDigest(file);
      if (digest === undefined) racy = true;
      else contents[file] = digest;
    }
  }
  const identities: Record<string, string> = {};
  const cacheRoot = fs.statSync(inputs.diskCache, { bigint: true, throwIfNoEntry: false });
  if (cacheRoot === undefined) return undefined;
  identities[inputs.diskCache] = `${cacheRoot.dev}:${cacheRoot.ino}`;
  if (racy) return undefined;
  const recording: Recording = {
    version: FORMAT_VERSION,
    request: requestKey(request),
    recordedAtMs: Date.now(),
    files,
    dirs,
    identities,
    contents,
    settleExplainLog: executedActions,
    events,
  };
  return { recording, dirEntries };
}

/**
 * The files whose contents changed since `recorded` was taken, for the same `request`, when
 * nothing else changed: every watched directory has the same entries of the same kinds, every
 * recorded file still exists, the disk cache is the same directory. Undefined when anything else
 * changed (a file added, removed or renamed, a directory replaced, another request): only a full
 * analysis can say what that means. Files too recent to trust by stat are hashed again, as a
 * replay does.
 */
export function changedSince(
  recorded: RecordedInputs,
  request: UpToDateRequest,
): ReadonlySet<string> | undefined {
  const { recording, dirEntries } = recorded;
  if (recording.request !== requestKey(request)) return undefined;
  if (!sameDirectories(recording)) return undefined;
  const changed = new Set<string>();
  for (const [dir, signature] of Object.entries(recording.dirs)) {
    const listing = listDirectory(dir);
    if (listing === undefined) return undefined;
    if (listing.signature === signature) continue;
    const before = dirEntries.get(dir);
    if (before === undefined || before.size !== listing.entries.size) return undefined;
    for (const [name, kind] of listing.entries) {
      const was = before.get(name);
      if (was === kind) continue;
      if (was === undefined || !isFileKind(was) || !isFileKind(kind)) return undefined;
      changed.add(path.join(dir, name));
    }
  }
  for (const [file, signature] of Object.entries(recording.files)) {
    const st = fs.statSync(file, { bigint: true, throwIfNoEntry: false });
    if (st === undefined || signature === '') {
      if ((st === undefined) !== (signature === '')) return undefined;
      continue;
    }
    if (statSignature(st) !== signature) changed.add(file);
  }
  for (const [file, digest] of Object.entries(recording.contents)) {
    const now = contentDigest(file);
    if (now === undefined) return undefined;
    if (now !== digest) changed.add(file);
  }
  return changed;
}

/** Whether a listing's entry kind is a file's (its stat signature), not a directory's or link's. */
function isFileKind(kind: string): boolean {
  return !NON_FILE_KINDS.has(kind);
}

/** The entry kinds {@link listDirectory} gives what is not a (linked) file. */
const NON_FILE_KINDS: ReadonlySet<string> = new Set(['dir', 'dir-link', 'dangling', 'other']);

/**
 * The events a null build emits right after a successful build that emitted `events`: every
 * action cached (action-finished with no duration of its own, no action-started, no process),
 * without what only running it produced (module downloads, disk cache repairs, outputs placed).
 */
export function asNullBuildEvents(events: readonly BuildEvent[]): BuildEvent[] {
  const out: BuildEvent[] = [];
  for (const e of events) {
    if (e.type === 'action-started' || e.type === 'module-download') continue;
    // Outputs are now in place: a null build places none again.
    if (e.type === 'cache-corruption' || e.type === 'output') continue;
    if (e.type === 'action-finished' && e.status === 'executed')
      out.push({ ...e, status: 'cached', durationMs: 0 });
    else if (e.type === 'command-finished')
      out.push({ ...e, executed: 0, cached: e.cached + e.executed, spawns: 0 });
    else out.push(e);
  }
  return out;
}

/** pgobuild's own code as loaded by this process: a new version must not replay old answers. */
function pgobuildModules(): string[] {
  let packageRoot = __dirname;
  while (!fs.existsSync(path.join(packageRoot, 'package.json'))) {
    const parent = path.dirname(packageRoot);
    if (parent === packageRoot) return [];
    packageRoot = parent;
  }
  return Object.keys(require.cache).filter((f) => f.startsWith(packageRoot + path.sep));
}

/**
 * The directories whose contents analysis could have read, with their listings:
 *
 * - each `...` pattern's whole tree (what package discovery walks);
 * - each package directory and its subdirectories down to nested packages (what glob sees; the
 *   nested package's own listing is kept, since deleting its BUILD file moves the boundary);
 * - the directories of loaded .bzl files and the profile files;
 * - every ancestor of those up to the root (go.mod, WORKSPACE and .pgobuildignore live there);
 * - the outputs under `pgobuild-out/bin`.
 */
function watchedDirectories(inputs: UpToDateInputs): Map<string, Listing> {
  const { root } = inputs;
  const ignored = loadIgnoreList(root);
  const listings = new Map<string, Listing>();
  const walked = new Set<string>();
  const list = (rel: string): Listing | undefined => {
    const abs = path.join(root, rel);
    let listing = listings.get(abs);
    if (listing === undefined) {
      listing = listDirectory(abs);
      if (listing === undefined) return undefined;
      listings.set(abs, listing);
    }
    return listing;
  };
  /** `wholeTree`: follow every subdirectory; otherwise stop below nested packages. */
  const walk = (start: string, wholeTree: boolean): void => {
    const pending = [start];
    for (let rel = pending.pop(); rel !== undefined; rel = pending.pop()) {
      const key = `${wholeTree ? 'tree' : 'package'}:${rel}`;
      // The start itself is listed even in an ignored directory: it was loaded by label.
      if (walked.has(key) || (rel !== start && isSkippedByDiscovery(rel, ignored))) continue;
      walked.add(key);
      const listing = list(rel);
      if (listing === undefined) continue;
      const isNestedPackage =
        rel !== start &&
        listing.names.some((n) => (BUILD_FILE_NAMES as readonly string[]).includes(n));
      if (!wholeTree && isNestedPackage) continue;
      for (const sub of listing.subdirs) pending.push(rel === '' ? sub : `${rel}/${sub}`);
    }
  };
  for (const rel of inputs.recursiveRoots) walk(rel, true);
  for (const rel of inputs.packageDirs) walk(rel, false);
  for (const file of inputs.bzlFiles) list(parentOf(file));
  for (const file of inputs.files) {
    const rel = workspaceRelative(root, path.dirname(file));
    if (!rel.startsWith('..')) list(rel);
  }
  for (const abs of [...listings.keys()]) {
    for (let rel = parentOf(workspaceRelative(root, abs)); ; rel = parentOf(rel)) {
      list(rel);
      if (rel === '') break;
    }
  }
  // Module package directories are listed themselves, not their ancestors (the module cache's
  // parents change whenever any module is downloaded).
  for (const abs of inputs.moduleDirs) {
    const listing = listDirectory(abs);
    if (listing !== undefined) listings.set(abs, listing);
  }
  const out = path.join(root, 'pgobuild-out', 'bin');
  const pending = [out];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    const listing = listDirectory(dir);
    if (listing === undefined) continue;
    listings.set(dir, listing);
    for (const sub of listing.subdirs) pending.push(path.join(dir, sub));
  }
  return listings;
}

/** The workspace-relative parent directory ('' for top-level entries and the root itself). */
function parentOf(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return slash < 0 ? '' : rel.slice(0, slash);
}

/** A directory's entries, summarized. */
interface Listing {
  /** Digest of every entry's name and kind, and of each file's stat signature. */
  readonly signature: string;
  readonly names: readonly string[];
  /** Name → kind: `dir`, `dir-link`, `dangling`, `other`, or a file's stat signature. */
  readonly entries: ReadonlyMap<string, string>;
  /** Real subdirectories (symlinked directories are not followed, as in package discovery). */
  readonly subdirs: readonly string[];
  /** The files listed (absolute paths) modified after a time in ns. */
  filesModifiedAfter(ns: bigint): string[];
}

/**
 * Lists `dir`: names, kinds and, for files (symlinks followed), stat signatures. Subdirectories
 * contribute their names only; whoever depends on their contents lists them too. Undefined when
 * the directory does not exist or cannot be read.
 */
function listDirectory(dir: string): Listing | undefined {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const hash = createHash('sha256');
  const subdirs: string[] = [];
  const kinds = new Map<string, string>();
  const mtimes: [string, bigint][] = [];
  for (const e of entries) {
    let kind: string;
    if (e.isDirectory()) {
      kind = 'dir';
      subdirs.push(e.name);
    } else if (e.isFile() || e.isSymbolicLink()) {
      const st = fs.statSync(path.join(dir, e.name), { bigint: true, throwIfNoEntry: false });
      if (st === undefined) kind = 'dangling';
      else if (st.isDirectory()) kind = 'dir-link';
      else {
        kind = statSignature(st);
        mtimes.push([path.join(dir, e.name), st.mtimeNs]);
      }
    } else kind = 'other';
    kinds.set(e.name, kind);
    hash.update(`${e.name}\0${kind}\0`);
  }
  return {
    signature: hash.digest('hex'),
    names: entries.map((e) => e.name),
    entries: kinds,
    subdirs,
    filesModifiedAfter: (ns) => mtimes.filter(([, m]) => m > ns).map(([f]) => f),
  };
}
