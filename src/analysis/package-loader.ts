import * as fs from 'node:fs';
import { MAX_BUILD_FILE_BYTES, readRegularFile } from '../workspace/read-regular-file';
import * as path from 'node:path';
import {
  type BuiltinFunction,
  type CallArgs,
  type CallContext,
  type Module,
  type StarlarkFailure,
  type Value,
  evaluateModule,
  parseFile,
  typeName,
} from '../starlark';
import { type Diagnostic, type Result, type SourceSpan, err, ok, unreachable } from '../util';
import { buildFileOf, glob, nearestName, parseLabel } from '../workspace';
import { type AnalysisFailure, diagnosticFailure } from './failure';
import {
  type AttrValue,
  type DeclaredTarget,
  type RuleDefinition,
  type UserRuleDefinition,
  attrSpecsOf,
} from './rule-api';
import { RULES_GO_DEF_BZL, desugarRulesGo } from './rules-go-compat';
import type { TsRuleFiles } from './ts-rule-files';

/** A package whose BUILD file has been evaluated. */
export interface LoadedPackage {
  readonly pkg: string;
  /** Workspace-relative path of its BUILD file. */
  readonly buildFile: string;
  readonly targets: ReadonlyMap<string, DeclaredTarget>;
}

/**
 * Evaluates BUILD files (and the .bzl files they load) into declared targets, checking every rule
 * call against its rule definition. Loaded packages and .bzl modules are memoized for the
 * lifetime of the loader (one command).
 */
export class PackageLoader {
  private readonly packages = new Map<
    string,
    Promise<Result<LoadedPackage | undefined, AnalysisFailure>>
  >();
  private readonly bzlModules = new Map<
    string,
    Result<ReadonlyMap<string, Value>, StarlarkFailure>
  >();
  private readonly rulesByName: ReadonlyMap<string, RuleDefinition>;
  private current:
    | { pkg: string; targets: Map<string, DeclaredTarget>; buildFile: string; text: string }
    | undefined;

  /**
   * @param tsRules loads rule files written in TypeScript (`load("//x:rules.ts", …)`); without
   *   it such a load is an error
   */
  constructor(
    private readonly root: string,
    rules: readonly RuleDefinition[],
    private readonly tsRules?: TsRuleFiles,
  ) {
    this.rulesByName = new Map(rules.map((r) => [r.name, r]));
  }

  /** The rule definition BUILD files call as `name` (module packages are go_library targets). */
  ruleNamed(name: RuleDefinition['name']): RuleDefinition {
    const rule = this.rulesByName.get(name);
    if (rule === undefined) throw new Error(`rule ${name} is not registered`);
    return rule;
  }

  /**
   * What this loader read: the package directories it looked into (whether or not they held a
   * BUILD file) and the .bzl files it loaded, all workspace-relative. The up-to-date check
   * watches these.
   */
  consulted(): { readonly packageDirs: readonly string[]; readonly bzlFiles: readonly string[] } {
    return { packageDirs: [...this.packages.keys()], bzlFiles: [...this.bzlModules.keys()] };
  }

  /** The package at `pkg`, or undefined when the directory has no BUILD file. */
  load(pkg: string): Promise<Result<LoadedPackage | undefined, AnalysisFailure>> {
    let loaded = this.packages.get(pkg);
    if (loaded === undefined) {
      loaded = this.loadUncached(pkg);
      this.packages.set(pkg, loaded);
    }
    return loaded;
  }

  private async loadUncached(
    pkg: string,
  ): Promise<Result<LoadedPackage | undefined, AnalysisFailure>> {
    const buildFile = await buildFileOf(this.root, pkg);
    if (buildFile === undefined) return ok(undefined);
    const read = readRegularFile(path.join(this.root, buildFile), MAX_BUILD_FILE_BYTES);
    if (!read.ok)
      return err({ reason: 'build-file-syntax', message: `${buildFile} ${read.failure}` });
    const text = read.value.toString('utf8');
    const parsed = parseFile(buildFile, text, 'build');
    if (!parsed.ok) return err(starlarkFailure(parsed.failure));
    const targets = new Map<string, DeclaredTarget>();
    // Evaluation is synchronous: `current` names the package being evaluated for the whole call,
    // so rules called from .bzl macros declare their targets in the calling BUILD file's package.
    this.current = { pkg, targets, buildFile, text };
    let evaluated;
    try {
      evaluated = evaluateModule(parsed.value as Module, {
        predeclared: this.predeclared(),
        load: (label, span) => this.loadBzl(label, span, pkg),
        print: () => undefined,
      });
    } finally {
      this.current = undefined;
    }
    if (!evaluated.ok) return err(starlarkFailure(evaluated.failure));
    const desugared = desugarRulesGo(targets);
    if (!desugared.ok) return err(diagnosticFailure('bad-attribute', desugared.failure));
    return ok({ pkg, buildFile, targets: desugared.value });
  }

  private loadBzl(
    label: string,
    span: SourceSpan,
    currentPkg: string,
  ): Result<ReadonlyMap<string, Value>, StarlarkFailure> {
    if (RULES_GO_DEF_BZL.has(label))
      return ok(new Map([...this.rulesByName.values()].map((r) => [r.name, this.ruleFunction(r)])));
    const parts = parseLabel(label, currentPkg);
    if (!parts.ok)
      return err({
        reason: 'load-failed',
        diagnostic: spanDiagnostic(span, parts.failure.message),
        cause: { reason: 'load-not-found', message: parts.failure.message },
      });
    const file =
      parts.value.pkg === '' ? parts.value.name : `${parts.value.pkg}/${parts.value.name}`;
    const cached = this.bzlModules.get(file);
    if (cached !== undefined) return cached;
    if (file.endsWith('.ts')) {
      const loaded = this.loadTsRules(file, label, span);
      this.bzlModules.set(file, loaded);
      return loaded;
    }
    let text: string;
    try {
      text = fs.readFileSync(path.join(this.root, file), 'utf8');
    } catch {
      const message = `cannot load '${label}': file ${file} does not exist`;
      return err({
        reason: 'load-failed',
        diagnostic: spanDiagnostic(span, message),
        cause: { reason: 'load-not-found', message },
      });
    }
    const parsed = parseFile(file, text, 'bzl');
    const result: Result<ReadonlyMap<string, Value>, StarlarkFailure> = parsed.ok
      ? evaluateModule(parsed.value as Module, {
          predeclared: this.predeclared(),
          load: (l, s) => this.loadBzl(l, s, parts.value.pkg),
        })
      : parsed;
    const final: Result<ReadonlyMap<string, Value>, StarlarkFailure> = result.ok
      ? ok(new Map([...result.value].filter(([k]) => !k.startsWith('_'))))
      : err({
          reason: 'load-failed',
          diagnostic: spanDiagnostic(span, `error loading '${label}'`),
          cause: result.failure,
        });
    this.bzlModules.set(file, final);
    return final;
  }

  /**
   * The rules a TypeScript rule file exports, as functions BUILD files call by the exported name.
   * A type error in the file is reported at its own file:line:col.
   */
  private loadTsRules(
    file: string,
    label: string,
    span: SourceSpan,
  ): Result<ReadonlyMap<string, Value>, StarlarkFailure> {
    const fail = (diagnostic: Diagnostic, message: string): Result<never, StarlarkFailure> =>
      err({ reason: 'load-failed', diagnostic, cause: { reason: 'load-not-found', message } });
    if (this.tsRules === undefined)
      return fail(spanDiagnostic(span, `cannot load '${label}' here`), 'no TypeScript loader');
    const loaded = this.tsRules.load(file);
    if (!loaded.ok) {
      const f = loaded.failure;
      const at =
        f.line === undefined
          ? span
          : { file: f.file, line: f.line, col: f.col ?? 1, endCol: (f.col ?? 1) + 1 };
      return fail(spanDiagnostic(at, f.message), f.message);
    }
    const exported = new Map<string, Value>();
    for (const [name, rule] of loaded.value.rules) {
      const definition: UserRuleDefinition = {
        name,
        doc: rule.doc ?? '',
        attrs: attrSpecsOf(rule),
        implementation: (target, rc) => rc.userRules.rootNode(target),
        user: { rule, file: loaded.value },
      };
      exported.set(name, this.ruleFunction(definition));
    }
    return ok(exported);
  }

  /**
   * The names BUILD and .bzl files see: one function per rule, `glob`, and `package` (accepted,
   * ignored). They act on the BUILD file being evaluated (`current`).
   */
  private predeclared(): ReadonlyMap<string, Value> {
    const names = new Map<string, Value>();
    for (const rule of this.rulesByName.values()) names.set(rule.name, this.ruleFunction(rule));
    names.set('glob', this.globFunction());
    names.set(
      'package',
      builtin('package', () => ok(null)),
    );
    return names;
  }

  private ruleFunction(rule: RuleDefinition | UserRuleDefinition): BuiltinFunction {
    return builtin(rule.name, (args, ctx) => {
      const current = this.current;
      if (current === undefined)
        return err(
          ctx.diagnostic(ctx.callSpan, `${rule.name} cannot be called while loading a .bzl file`),
        );
      const { pkg, targets } = current;
      const fileText = current.text;
      const first = args.positional[0];
      if (first !== undefined)
        return err(
          ctx.diagnostic(
            first.span,
            `${rule.name} only accepts keyword arguments (name = ..., srcs = ...)`,
          ),
        );
      let name: string | undefined;
      const attrs = new Map<string, AttrValue>();
      for (const arg of args.named) {
        if (arg.name === 'name') {
          if (
            typeof arg.value !== 'string' ||
            !/^[A-Za-z0-9_.+=,@~-][A-Za-z0-9_./+=,@~-]*$/.test(arg.value)
          ) {
            return err(
              ctx.diagnostic(
                arg.span,
                `invalid target name: expected a non-empty string of letters, digits and _.-+=,@~/`,
              ),
            );
          }
          name = arg.value;
          continue;
        }
        if (arg.name === 'visibility' || arg.name === 'tags' || arg.name === 'testonly') continue; // accepted for Bazel compatibility
        const spec = rule.attrs[arg.name];
        if (spec === undefined) {
          const known = ['name', ...Object.keys(rule.attrs)];
          const hint = nearestName(arg.name, known);
          return err(
            ctx.diagnostic(
              arg.nameSpan,
              `${rule.name} has no attribute '${arg.name}'${hint === undefined ? '' : `; did you mean '${hint}'?`}`,
            ),
          );
        }
        const typed = typeAttr(
          spec.type,
          arg.value,
          arg.span,
          ctx,
          `${rule.name}.${arg.name}`,
          fileText,
          current.buildFile,
        );
        if (!typed.ok) return typed;
        attrs.set(arg.name, typed.value);
      }
      if (name === undefined)
        return err(ctx.diagnostic(ctx.callSpan, `${rule.name} requires a 'name' attribute`));
      for (const [attrName, spec] of Object.entries(rule.attrs)) {
        if (spec.mandatory === true && !attrs.has(attrName))
          return err(
            ctx.diagnostic(
              ctx.callSpan,
              `${rule.name} '${name}' is missing mandatory attribute '${attrName}'`,
            ),
          );
      }
      if (targets.has(name))
        return err(
          ctx.diagnostic(ctx.callSpan, `target '${name}' is already declared in this package`),
        );
      targets.set(name, { rule, pkg, name, span: ctx.callSpan, attrs });
      return ok(null);
    });
  }

  private globFunction(): BuiltinFunction {
    return builtin('glob', (args, ctx) => {
      const pkg = this.current?.pkg;
      if (pkg === undefined)
        return err(ctx.diagnostic(ctx.callSpan, 'glob cannot be called while loading a .bzl file'));
      const include = args.positional[0] ?? args.named.find((a) => a.name === 'include');
      const exclude = args.named.find((a) => a.name === 'exclude');
      if (include === undefined)
        return err(ctx.diagnostic(ctx.callSpan, 'glob requires a list of include patterns'));
      const inc = stringList(include.value, include.span, ctx, 'glob include');
      if (!inc.ok) return inc;
      const exc =
        exclude === undefined
          ? ok<string[]>([])
          : stringList(exclude.value, exclude.span, ctx, 'glob exclude');
      if (!exc.ok) return exc;
      const files = glob(this.root, pkg, inc.value, exc.value);
      if (!files.ok)
        return err(
          ctx.diagnostic(
            include.span,
            `invalid glob pattern '${files.failure.pattern}': ${files.failure.message}`,
          ),
        );
      return ok({ kind: 'list', items: files.value, frozen: false });
    });
  }
}

function builtin(
  name: string,
  call: (args: CallArgs, ctx: CallContext) => Result<Value, Diagnostic>,
): BuiltinFunction {
  return { kind: 'builtin', name, call };
}

function stringList(
  v: Value,
  span: SourceSpan,
  ctx: CallContext,
  what: string,
): Result<string[], Diagnostic> {
  if (typeof v !== 'object' || v === null || (v.kind !== 'list' && v.kind !== 'tuple')) {
    return err(ctx.diagnostic(span, `${what}: expected a list of strings, got ${typeName(v)}`));
  }
  const out: string[] = [];
  for (const item of v.items) {
    if (typeof item !== 'string')
      return err(
        ctx.diagnostic(
          span,
          `${what}: expected a list of strings, but an element is ${typeName(item)}`,
        ),
      );
    out.push(item);
  }
  return ok(out);
}

function typeAttr(
  type: AttrValue['type'],
  v: Value,
  span: SourceSpan,
  ctx: CallContext,
  what: string,
  fileText: string,
  buildFile: string,
): Result<AttrValue, Diagnostic> {
  switch (type) {
    case 'string':
    case 'label':
      if (typeof v !== 'string')
        return err(ctx.diagnostic(span, `${what}: expected a string, got ${typeName(v)}`));
      return ok({ type, value: v, span });
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v))
        return err(ctx.diagnostic(span, `${what}: expected an int, got ${typeName(v)}`));
      return ok({ type, value: v, span });
    case 'bool':
      if (typeof v !== 'boolean')
        return err(ctx.diagnostic(span, `${what}: expected True or False, got ${typeName(v)}`));
      return ok({ type, value: v, span });
    case 'string_list':
    case 'label_list': {
      const list = stringList(v, span, ctx, what);
      if (!list.ok) return list;
      // Elements carry the list's span: the evaluator tracks spans per argument, not per element.
      // Each element is searched for after the previous one, so a repeated value gets its own span.
      let previous: SourceSpan | undefined;
      return ok({
        type,
        value: list.value.map((value) => {
          const at = span.file === buildFile ? elementSpan(fileText, span, value, previous) : span;
          if (at !== span) previous = at;
          return { value, span: at };
        }),
        span,
      });
    }
    case 'string_dict': {
      if (typeof v !== 'object' || v === null || v.kind !== 'dict')
        return err(ctx.diagnostic(span, `${what}: expected a dict of strings, got ${typeName(v)}`));
      const entries: { key: string; value: string; span: SourceSpan }[] = [];
      for (const { key, value } of v.entries.values()) {
        if (typeof key !== 'string' || typeof value !== 'string')
          return err(
            ctx.diagnostic(
              span,
              `${what}: expected a dict of strings, but an entry is ${typeName(key)}: ${typeName(value)}`,
            ),
          );
        entries.push({ key, value, span });
      }
      return ok({ type, value: entries, span });
    }
    default:
      return unreachable(type);
  }
}

/**
 * Narrows a list's span to the element's string literal when it is written on the list's first
 * line (the common `deps = ["//a", "//b"]` case) or on its own line below; falls back to the list.
 */
function elementSpan(
  fileText: string,
  listSpan: SourceSpan,
  value: string,
  after?: SourceSpan,
): SourceSpan {
  if (after !== undefined) {
    const later = elementSpan(fileText, { ...after, col: after.endCol }, value);
    if (later.line !== after.line || later.col !== after.endCol) return later;
  }
  const lines = fileText.split('\n');
  for (let line = listSpan.line; line <= Math.min(lines.length, listSpan.line + 200); line++) {
    const text = lines[line - 1] ?? '';
    const from = line === listSpan.line ? listSpan.col - 1 : 0;
    for (const quote of ['"', "'"]) {
      const idx = text.indexOf(`${quote}${value}${quote}`, from);
      if (idx >= 0)
        return { file: listSpan.file, line, col: idx + 1, endCol: idx + value.length + 3 };
    }
    if (line > listSpan.line && /^\s*[\])]/.test(text)) break;
  }
  return listSpan;
}

function spanDiagnostic(span: SourceSpan, message: string): Diagnostic {
  return { severity: 'error', span, message, sourceLine: '' };
}

function starlarkFailure(f: StarlarkFailure): AnalysisFailure {
  switch (f.reason) {
    case 'build-file-syntax':
      return diagnosticFailure('build-file-syntax', f.diagnostic);
    case 'build-file-eval':
      return { ...diagnosticFailure('build-file-eval', f.diagnostic), stack: f.stack };
    case 'load-failed': {
      const cause = f.cause;
      if (cause.reason === 'load-not-found') return diagnosticFailure('load-failed', f.diagnostic);
      return starlarkFailure(cause);
    }
    default:
      return unreachable(f);
  }
}
