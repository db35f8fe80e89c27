import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import type * as ts from 'typescript';
import * as api from '../rules';
import { ATTR_TYPE_OF_KIND } from './rule-api';
import { type Digest, type Result, err, ok, sha256 } from '../util';

/** The published API a rule file imports, resolved to the running pgobuild's copy. */
export const RULES_MODULE = 'pgobuild/rules';

/** Where the API's types are: its source in this pgobuild's package (run from dist/ or src/). */
const API_SOURCE = path.join(packageRoot(__dirname), 'src', 'rules', 'index.ts');

/** The nearest directory above `dir` whose package.json is pgobuild's. */
function packageRoot(dir: string): string {
  for (let d = dir; path.dirname(d) !== d; d = path.dirname(d)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8')) as {
        name?: string;
      };
      if (pkg.name === 'pgobuild') return d;
    } catch {
      // No package.json here.
    }
  }
  return dir;
}

/** A loaded rule file: its rules by the names it exports them as, and its digest. */
export interface RuleFile {
  /** Workspace-relative path. */
  readonly file: string;
  readonly absPath: string;
  /** sha256 of its bytes: an input of every action its rules declare. */
  readonly digest: Digest;
  readonly rules: ReadonlyMap<string, api.Rule>;
}

/** Why a rule file could not be loaded: a message, at a position of that file when known. */
export interface RuleFileFailure {
  readonly message: string;
  readonly file: string;
  readonly line?: number;
  readonly col?: number;
}

/**
 * Loads workspace rule files written in TypeScript (`load("//tools/rules:x.ts", "x")`): each is
 * type-checked against `pgobuild/rules` with ts-node (strict, ES2022, no Node types: a rule
 * declares actions, it does not do I/O) and transpiled to CommonJS once per content. The output
 * is kept under `<cacheDir>/ts-rules/<digest>.js` (written to a temp file and renamed), so a
 * build whose rule files have not changed loads neither ts-node nor TypeScript. A type error is
 * a failure at its file:line:col. The module runs in this process with one import allowed:
 * `pgobuild/rules`, which is this pgobuild's own API module (so `rule()` values are recognised).
 */
export class TsRuleFiles {
  private readonly loaded = new Map<string, Result<RuleFile, RuleFileFailure>>();
  private service: ReturnType<typeof import('ts-node').create> | undefined;

  /**
   * @param root the workspace root
   * @param cacheDir where transpiled rule files are kept (the disk cache's versioned directory),
   *   or undefined to keep nothing
   */
  constructor(
    private readonly root: string,
    private readonly cacheDir: string | undefined,
  ) {}

  /** The rule file at workspace-relative `file`, loaded once per command. */
  load(file: string): Result<RuleFile, RuleFileFailure> {
    let result = this.loaded.get(file);
    if (result === undefined) {
      result = this.loadUncached(file);
      this.loaded.set(file, result);
    }
    return result;
  }

  private loadUncached(file: string): Result<RuleFile, RuleFileFailure> {
    const absPath = path.join(this.root, file);
    let text: string;
    try {
      text = fs.readFileSync(absPath, 'utf8');
    } catch {
      return err({ message: `cannot load ${file}: it does not exist`, file });
    }
    const digest = sha256(text);
    const js = this.transpiled(file, absPath, text, digest);
    if (!js.ok) return js;
    const exported = evaluate(js.value, absPath, file);
    if (!exported.ok) return exported;
    const rules = new Map<string, api.Rule>();
    for (const [name, value] of Object.entries(exported.value)) {
      if (!isRule(value)) continue;
      const problem = attrsProblem(value);
      if (problem !== undefined) return err({ message: `${file}: rule ${name}: ${problem}`, file });
      rules.set(name, value);
    }
    return ok({ file, absPath, digest, rules });
  }

  /** CommonJS for `text`: from the cache when this content was compiled before. */
  private transpiled(
    file: string,
    absPath: string,
    text: string,
    digest: string,
  ): Result<string, RuleFileFailure> {
    // The key covers the API and the compiler too: a new pgobuild re-checks every rule file.
    const key = sha256(`${digest}\0${apiFingerprint()}\0${compilerVersion()}`);
    const cached = this.cacheDir && path.join(this.cacheDir, 'ts-rules', `${key}.js`);
    if (cached !== undefined) {
      try {
        return ok(fs.readFileSync(cached, 'utf8'));
      } catch {
        // Not compiled yet.
      }
    }
    const compiled = this.compile(file, absPath, text);
    if (compiled.ok && cached !== undefined) {
      fs.mkdirSync(path.dirname(cached), { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, compiled.value);
      fs.renameSync(tmp, cached);
    }
    return compiled;
  }

  private compile(file: string, absPath: string, text: string): Result<string, RuleFileFailure> {
    if (!fs.existsSync(API_SOURCE))
      return err({
        message: `cannot type-check ${file}: the rule API's types (${API_SOURCE}) are not installed with this pgobuild`,
        file,
      });
    // Loaded only here: a build whose rule files are all compiled already never loads them.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tsNode = require('ts-node') as typeof import('ts-node');
    this.service ??= tsNode.create({
      skipProject: true,
      transpileOnly: false,
      compilerOptions: {
        strict: true,
        target: 'ES2022',
        module: 'commonjs',
        moduleResolution: 'node',
        lib: ['ES2022'],
        types: [],
        noEmit: false,
        sourceMap: false,
        inlineSourceMap: false,
        declaration: false,
        baseUrl: path.dirname(API_SOURCE),
        paths: { [RULES_MODULE]: [API_SOURCE] },
      },
    });
    try {
      return ok(this.service.compile(text, absPath));
    } catch (e) {
      const diagnostics = (e as { diagnostics?: readonly ts.Diagnostic[] }).diagnostics;
      if (diagnostics === undefined) throw e;
      return err(firstDiagnostic(diagnostics, file, absPath));
    }
  }
}

/** The first diagnostic, at its line and column (1-based) when it has a position. */
function firstDiagnostic(
  diagnostics: readonly ts.Diagnostic[],
  file: string,
  absPath: string,
): RuleFileFailure {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const typescript = require('typescript') as typeof ts;
  const d = diagnostics.find((x) => x.file?.fileName === absPath) ?? diagnostics[0];
  const message =
    d === undefined ? 'type error' : typescript.flattenDiagnosticMessageText(d.messageText, '\n');
  if (d?.file === undefined || d.start === undefined) return { message, file };
  const pos = d.file.getLineAndCharacterOfPosition(d.start);
  const where = d.file.fileName === absPath ? file : d.file.fileName;
  return {
    message: `TS${d.code}: ${message}`,
    file: where,
    line: pos.line + 1,
    col: pos.character + 1,
  };
}

/** Runs a compiled rule file; its `require` knows `pgobuild/rules` only. */
function evaluate(
  js: string,
  absPath: string,
  file: string,
): Result<Record<string, unknown>, RuleFileFailure> {
  const mod = new Module(absPath);
  mod.filename = absPath;
  mod.paths = [];
  let refused: string | undefined;
  mod.require = ((id: string): unknown => {
    if (id === RULES_MODULE) return api;
    refused = id;
    throw new Error(`${file} imports '${id}': rule files may import only '${RULES_MODULE}'`);
  }) as NodeJS.Require;
  try {
    (mod as unknown as { _compile(code: string, filename: string): void })._compile(js, absPath);
  } catch (e) {
    return err({
      message:
        refused !== undefined
          ? `${file} imports '${refused}': rule files may import only '${RULES_MODULE}' (rules declare actions; the actions do the work)`
          : `${file} failed while loading: ${e instanceof Error ? e.message : String(e)}`,
      file,
    });
  }
  return ok(mod.exports as Record<string, unknown>);
}

/** What is wrong with a rule's attributes (made without `attr.*`, or named `name`), if anything. */
function attrsProblem(rule: api.Rule): string | undefined {
  if (typeof rule.implementation !== 'function') return 'implementation must be a function';
  for (const [name, a] of Object.entries(rule.attrs as Record<string, unknown>)) {
    if (name === 'name') return "attribute 'name' is implicit; do not declare it";
    const kind = (a as { kind?: unknown } | null)?.kind;
    if (typeof kind !== 'string' || !Object.hasOwn(ATTR_TYPE_OF_KIND, kind))
      return `attribute '${name}' must be made with attr.string(), attr.label()…`;
  }
  return undefined;
}

function isRule(v: unknown): v is api.Rule {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'pgobuild.rule';
}

let apiDigest: string | undefined;
/** The API's source digest (its types are what rule files are checked against). */
function apiFingerprint(): string {
  apiDigest ??= fs.existsSync(API_SOURCE) ? sha256(fs.readFileSync(API_SOURCE)) : 'no-api-source';
  return apiDigest;
}

function compilerVersion(): string {
  // The installed TypeScript's version, read without loading the compiler.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('typescript/package.json') as { version: string }).version;
}
