import * as fs from 'node:fs';
import * as path from 'node:path';
import { type GoMod, type GoWork, parseGoMod, parseGoWork } from '../go/go-mod';
import { type GoSum, parseGoSum } from '../go/go-sum';
import {
  type Diagnostic,
  type Result,
  type SourceSpan,
  err,
  ok,
  sha256,
  writeFileAtomicallySync,
} from '../util';
import { goCommandEnv, goErrorText, parseJsonStream, runGo } from './go-command';
import { isInModule, repoNameOf } from './repo-name';
import { parseVendorModules } from './vendor-modules';

/** One module of a build list. */
export interface ModuleVersion {
  readonly path: string;
  /** The selected version; undefined for a main module. */
  readonly version?: string;
  readonly main: boolean;
  /** The replacement, as written in go.mod or go.work; no version for a directory. */
  readonly replace?: { readonly path: string; readonly version?: string };
  /** Absolute directory of a main module or of a directory replacement. */
  readonly localDir?: string;
  /** The `go` line of the module's (or its replacement's) go.mod. */
  readonly goVersion?: string;
}

/**
 * The modules one `go` invocation would see: the build list of a go.mod (or of a go.work and the
 * modules it uses), as cmd/go selects it, with the go.sum lines that vouch for them.
 */
export interface ModuleContext {
  /** Workspace-relative go.mod or go.work file that defines the build list. */
  readonly file: string;
  /** Absolute directory of that file, where `go` commands run. */
  readonly dir: string;
  /** Absolute `vendor` directory when packages come from `vendor/` instead of the module cache. */
  readonly vendorDir?: string;
  /** Every module of the build list, by path. */
  readonly modules: ReadonlyMap<string, ModuleVersion>;
  /** Modules by Gazelle repository name (`com_github_klauspost_compress`). */
  readonly byRepo: ReadonlyMap<string, ModuleVersion>;
  readonly sums: readonly GoSum[];
  /** Where each required module is written (`require` line of a main module's go.mod). */
  readonly requireSpans: ReadonlyMap<string, SourceSpan>;
  /** The main modules' parsed go.mod files, by module path. */
  readonly mainGoMods: ReadonlyMap<string, GoMod>;
  readonly goWork?: GoWork;
  /** `go env GOMODCACHE`. */
  readonly gomodcache: string;
  /** Whether GOFLAGS says `-mod=mod` (cmd/go may then add missing go.sum lines itself). */
  readonly modMod: boolean;
}

/** Why a build list could not be computed. */
export interface BuildListFailure {
  readonly reason: 'go-mod' | 'module-resolution';
  readonly message: string;
  readonly diagnostic?: Diagnostic;
}

/** How to run the SDK's `go` command for module work. */
export interface GoCommandContext {
  readonly goBinary: string;
  /** `go1.26.8`: remembered answers are only reused with the same Go. */
  readonly goVersion: string;
  /** Directory for remembered answers (`<cache>/v1`). */
  readonly stateDir: string;
}

/** Environment variables that change what `go list -m` or `go mod download` answer. */
const MODULE_ENV = [
  'GOFLAGS',
  'GOPROXY',
  'GOPRIVATE',
  'GONOPROXY',
  'GONOSUMDB',
  'GONOSUMCHECK',
  'GOSUMDB',
  'GOINSECURE',
  'GOMODCACHE',
  'GOPATH',
  'GOWORK',
  'GOENV',
  'HOME',
  'XDG_CONFIG_HOME',
] as const;

interface GoListModule {
  Path: string;
  Version?: string;
  Main?: boolean;
  Dir?: string;
  GoMod?: string;
  GoVersion?: string;
  Replace?: { Path: string; Version?: string; Dir?: string; GoMod?: string; GoVersion?: string };
  Error?: { Err: string };
}

/** What is remembered of one build-list computation. */
interface Remembered {
  /** Absolute path → SHA-256 (or 'absent') of every file the answer depends on. */
  readonly files: Record<string, string>;
  readonly gomodcache: string;
  readonly modules: GoListModule[];
}

/**
 * Computes the build list for the go.mod or go.work file `file` (workspace-relative) with the
 * SDK's own `go list -m -json all`, or reads `vendor/modules.txt` when cmd/go would vendor. The
 * answer is remembered keyed on the Go version and module environment, and reused while go.mod,
 * go.sum, go.work and the replacement go.mod files it depended on keep their contents.
 */
export async function loadModuleContext(
  root: string,
  file: string,
  go: GoCommandContext,
): Promise<Result<ModuleContext, BuildListFailure>> {
  const absFile = path.join(root, file);
  const dir = path.dirname(absFile);
  const isWork = path.basename(file) === 'go.work';
  const text = readText(absFile);
  if (text === undefined)
    return err({ reason: 'go-mod', message: `${file}: cannot read the file` });
  let goWork: GoWork | undefined;
  const mainDirs: string[] = [];
  if (isWork) {
    const parsed = parseGoWork(file, text);
    if (!parsed.ok)
      return err({ reason: 'go-mod', message: parsed.failure.message, diagnostic: parsed.failure });
    goWork = parsed.value;
    for (const u of goWork.use) mainDirs.push(path.resolve(dir, u.dir));
  } else mainDirs.push(dir);
  const mainGoMods = new Map<string, GoMod>();
  const requireSpans = new Map<string, SourceSpan>();
  const sums: GoSum[] = [];
  for (const d of mainDirs) {
    const rel = path.relative(root, path.join(d, 'go.mod')).split(path.sep).join('/');
    const modText = readText(path.join(d, 'go.mod'));
    if (modText === undefined)
      return err({ reason: 'go-mod', message: `${rel}: no go.mod file (named by ${file})` });
    const parsed = parseGoMod(rel, modText);
    if (!parsed.ok)
      return err({ reason: 'go-mod', message: parsed.failure.message, diagnostic: parsed.failure });
    mainGoMods.set(parsed.value.modulePath, parsed.value);
    for (const r of parsed.value.require)
      if (!requireSpans.has(r.path)) requireSpans.set(r.path, r.span);
    const sumText = readText(path.join(d, 'go.sum'));
    if (sumText !== undefined) sums.push(parseGoSum(rel.replace(/go\.mod$/, 'go.sum'), sumText));
  }
  if (isWork) {
    const workSum = readText(path.join(dir, 'go.work.sum'));
    if (workSum !== undefined) sums.push(parseGoSum(`${file}.sum`, workSum));
  }
  const env = goCommandEnv(isWork ? {} : { GOWORK: 'off' });
  const goflags = (process.env['GOFLAGS'] ?? '').split(/\s+/);
  const modFlag = goflags.find((f) => f.startsWith('-mod='))?.slice(5);
  const single = isWork ? undefined : [...mainGoMods.values()][0];
  const vendorList = path.join(dir, 'vendor', 'modules.txt');
  const vendoring =
    single !== undefined &&
    (modFlag === 'vendor' ||
      (modFlag === undefined &&
        fs.existsSync(vendorList) &&
        compareMinor(single.goVersion ?? '1.16', 14) >= 0));

  let listed: Remembered;
  if (vendoring && single !== undefined) {
    const vendored = vendorContext(root, dir, single);
    if (!vendored.ok) return vendored;
    listed = vendored.value;
  } else {
    const remembered = await listModules(dir, file, mainDirs, env, go);
    if (!remembered.ok) return err(atRequireLine(remembered.failure, mainGoMods.values()));
    listed = remembered.value;
  }
  const modules = new Map<string, ModuleVersion>();
  const byRepo = new Map<string, ModuleVersion>();
  for (const m of listed.modules) {
    const local = m.Replace !== undefined && m.Replace.Version === undefined;
    const mod: ModuleVersion = {
      path: m.Path,
      version: m.Main === true ? undefined : m.Version,
      main: m.Main === true,
      replace:
        m.Replace === undefined ? undefined : { path: m.Replace.Path, version: m.Replace.Version },
      localDir: m.Main === true ? m.Dir : local ? m.Replace?.Dir : undefined,
      goVersion: m.Replace?.GoVersion ?? m.GoVersion,
    };
    modules.set(m.Path, mod);
    if (!mod.main) byRepo.set(repoNameOf(m.Path), mod);
  }
  return ok({
    file,
    dir,
    vendorDir: vendoring ? path.join(dir, 'vendor') : undefined,
    modules,
    byRepo,
    sums,
    requireSpans,
    mainGoMods,
    goWork,
    gomodcache: listed.gomodcache,
    modMod: modFlag === 'mod',
  });
}

/** The non-main modules whose path is a prefix of `importPath`, longest first. */
export function modulesProviding(ctx: ModuleContext, importPath: string): ModuleVersion[] {
  return [...ctx.modules.values()]
    .filter((m) => isInModule(m.path, importPath))
    .sort((a, b) => b.path.length - a.path.length);
}

async function listModules(
  dir: string,
  file: string,
  mainDirs: readonly string[],
  env: NodeJS.ProcessEnv,
  go: GoCommandContext,
): Promise<Result<Remembered, BuildListFailure>> {
  const envKey = MODULE_ENV.map((k) => `${k}=${env[k] ?? ''}`).join('\0');
  const memoFile = path.join(
    go.stateDir,
    'modules',
    `${sha256(`${go.goVersion}\0${dir}\0${envKey}`).slice(0, 32)}.json`,
  );
  const remembered = readRemembered(memoFile);
  if (remembered !== undefined) return ok(remembered);

  const listedRun = runGo(go.goBinary, ['list', '-m', '-json', 'all'], dir, env);
  const envRun = runGo(go.goBinary, ['env', 'GOMODCACHE', 'GOENV'], dir, env);
  const [listed, goEnv] = await Promise.all([listedRun, envRun]);
  if (listed.code !== 0)
    return err({
      reason: 'module-resolution',
      message: `${file}: go list -m all failed: ${goErrorText(listed)}`,
    });
  const modules = parseJsonStream<GoListModule>(listed.stdout);
  const [gomodcache = '', goEnvFile = ''] = goEnv.stdout.split('\n');
  const consulted = [path.join(dir, 'go.work'), path.join(dir, 'go.work.sum'), goEnvFile];
  for (const d of mainDirs) consulted.push(path.join(d, 'go.mod'), path.join(d, 'go.sum'));
  for (const m of modules)
    if (m.Replace !== undefined && m.Replace.Version === undefined && m.Replace.GoMod !== undefined)
      consulted.push(m.Replace.GoMod);
  const files: Record<string, string> = {};
  for (const f of consulted) if (f !== '') files[f] = fileDigest(f);
  const answer: Remembered = { files, gomodcache, modules };
  writeFileAtomicallySync(memoFile, JSON.stringify(answer));
  return ok(answer);
}

/** A remembered answer whose files all still have the contents it was computed from. */
function readRemembered(memoFile: string): Remembered | undefined {
  let memo: Remembered;
  try {
    memo = JSON.parse(fs.readFileSync(memoFile, 'utf8')) as Remembered;
  } catch {
    return undefined;
  }
  for (const [f, digest] of Object.entries(memo.files))
    if (fileDigest(f) !== digest) return undefined;
  return memo;
}

/** The build list cmd/go reads from `vendor/modules.txt` (no download, no network). */
function vendorContext(
  root: string,
  dir: string,
  main: GoMod,
): Result<Remembered, BuildListFailure> {
  const abs = path.join(dir, 'vendor', 'modules.txt');
  const rel = path.relative(root, abs).split(path.sep).join('/');
  const parsed = parseVendorModules(rel, readText(abs) ?? '');
  if (!parsed.ok)
    return err({ reason: 'go-mod', message: parsed.failure.message, diagnostic: parsed.failure });
  const listed = new Map(parsed.value.map((m) => [m.path, m]));
  for (const r of main.require) {
    const v = listed.get(r.path);
    if (v === undefined || v.version !== r.version || !v.explicit) {
      const message = `inconsistent vendoring: ${r.path}@${r.version} is required in ${main.file} but vendor/modules.txt ${v === undefined ? 'does not list it' : `lists ${v.version}${v.explicit ? '' : ' without ## explicit'}`}; run \`go mod vendor\` to sync the vendor directory`;
      return err({
        reason: 'module-resolution',
        message,
        diagnostic: { severity: 'error', span: r.span, message, sourceLine: '' },
      });
    }
  }
  const modules: GoListModule[] = [
    { Path: main.modulePath, Main: true, Dir: dir, GoVersion: main.goVersion },
  ];
  for (const m of parsed.value)
    modules.push({
      Path: m.path,
      Version: m.version,
      Replace:
        m.replace === undefined
          ? undefined
          : {
              Path: m.replace.path,
              Version: m.replace.version,
              Dir: m.replace.version === undefined ? path.resolve(dir, m.replace.path) : undefined,
            },
      GoVersion: m.goVersion,
    });
  return ok({ files: {}, gomodcache: '', modules });
}

/**
 * Points a failure of `go list -m` at the `require` line of the module it names (cmd/go says
 * `github.com/x/y@v1.2.3: reading …: 404 Not Found`), so the error shows the line to fix.
 */
function atRequireLine(failure: BuildListFailure, goMods: Iterable<GoMod>): BuildListFailure {
  for (const mod of goMods)
    for (const r of mod.require)
      if (failure.message.includes(`${r.path}@${r.version}`))
        return {
          ...failure,
          diagnostic: { severity: 'error', span: r.span, message: failure.message, sourceLine: '' },
        };
  return failure;
}

function readText(abs: string): string | undefined {
  try {
    return fs.readFileSync(abs, 'utf8');
  } catch {
    return undefined;
  }
}

function fileDigest(abs: string): string {
  try {
    return sha256(fs.readFileSync(abs));
  } catch {
    return 'absent';
  }
}

function compareMinor(goVersion: string, minor: number): number {
  const m = /^1\.(\d+)/.exec(goVersion);
  return (m === null ? 0 : Number(m[1])) - minor;
}
