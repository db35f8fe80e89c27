import { AsyncLocalStorage } from 'node:async_hooks';
import * as path from 'node:path';
import * as api from '../rules';
import { type Result, type SourceSpan, err, ok, unreachable } from '../util';
import { labelOf, parseLabel, shortLabel } from '../workspace';
import type { GenericActionNode, GenericInput } from './build-graph';
import { type Configuration, configuration } from './configuration';
import { type AnalysisFailure, type AnalysisReason, diagnosticFailure } from './failure';
import {
  ACTION_ENV,
  HOST_TOOLS,
  hostRuleDirOf,
  isFile,
  packagePathProblem,
  readGenerated,
  ruleDirOf,
  sourceFileInput,
} from './generic-action-files';
import type { ReadSource } from './go-package';
import { GoAnalysisFailures, GoToolchain } from './go-toolchain';
import type { GraphContext } from './graph-context';
import type { ImportResolver } from './import-resolution';
import type { LinkNodes } from './link-nodes';
import { type ExpansionProblem, expandMakeVariables, problemSpan } from './make-variables';
import {
  type AttrValue,
  type DeclaredTarget,
  apiRuleOf,
  isExecutableRule,
  providesGoArchive,
  usesGoToolchain,
} from './rule-api';
import { type RootContext, transitionConfig } from './target-roots';
import type { TestNodes } from './test-nodes';
import type { UserCompileNodes } from './user-compile-nodes';

/** The program `ctx.actions.write` runs to place its content (no shell, no quoting). */
const WRITE_TOOL = '/usr/bin/install';

/**
 * The attributes of a rule with the Go toolchain that `go(ctx)` reads, as go build reads a
 * package (imports choose among deps, module packages, generated sources, data directories).
 * In `ctx.attr` their Go packages give their label only ({@link UserRuleNodes.goPackageAttr}).
 */
const GO_PACKAGE_ATTRS: ReadonlySet<string> = new Set([
  'srcs',
  'deps',
  'embed',
  'embedsrcs',
  'data',
  'pgoprofile',
]);

/**
 * The key a target's analysis is kept under: its label, or, analysed as a tool (host
 * configuration), its label marked as such.
 */
function analysisKey(target: DeclaredTarget, asTool: boolean): string {
  return asTool ? `${labelOf(target)} tool` : labelOf(target);
}

/** A mnemonic names a kind of action in progress lines, events and `explain`. */
const MNEMONIC = /^[A-Z][A-Za-z0-9]{0,39}$/;

/** A target of a user rule after its implementation ran. */
export interface UserRuleTarget {
  /** Its `DefaultInfo` files, as inputs at their exec-root paths. */
  readonly files: readonly FileRef[];
  readonly goArchive?: api.GoArchiveInfo;
  /** The nodes of its actions, in declaration order; in the graph once the target is used. */
  readonly nodes: readonly GenericActionNode[];
  /** The user-rule targets whose files its actions read (their nodes join the graph with its). */
  readonly uses: readonly string[];
  /** The Go node the target stands for (its compile, link or test run), when it declared one. */
  readonly goRoot?: string;
}

/** A file as the API shows it, and how an action gets it. */
interface FileRef {
  readonly file: api.File;
  /** Undefined for a declared file no action has produced yet. */
  readonly input: GenericInput | undefined;
  /** The targets whose nodes join the graph once an action reads the file (else: none). */
  readonly usedBy?: readonly string[];
}

/**
 * Targets of rules written in TypeScript (`rule({ attrs, implementation })`): the implementation
 * runs once per target during analysis with a `ctx` whose label attributes are resolved to
 * {@link api.Target}s (source files, genrule and user-rule outputs, go_binary tools built for the
 * host with PGO off, go_library archives), and every action it declares becomes a
 * {@link GenericActionNode}: executed, keyed, cached and reported exactly as genrule's and Go's
 * actions. The rule file itself is an input of each of them, so editing the rule re-runs exactly
 * the actions it declares.
 */
export class UserRuleNodes {
  private readonly targets = new Map<string, Promise<Result<UserRuleTarget, AnalysisFailure[]>>>();
  /**
   * The user-rule targets whose analysis led to the code running now (innermost last), along the
   * asynchronous call chain (through genrules and Go packages too): a target reached again on its
   * own chain is a cycle, reported rather than awaited.
   */
  private readonly building = new AsyncLocalStorage<readonly string[]>();
  /** Analyses that finished, by label. */
  private readonly done = new Map<string, Result<UserRuleTarget, AnalysisFailure[]>>();
  /** Targets whose nodes are in the graph. */
  private readonly used = new Set<string>();

  constructor(
    private readonly ctx: GraphContext,
    private readonly resolver: ImportResolver,
    private readonly compiles: UserCompileNodes,
    private readonly links: LinkNodes,
    private readonly tests: TestNodes,
  ) {}

  private rc: RootContext | undefined;

  /**
   * The command's choices (configurations, tests), set before any rule runs. Another analysis
   * with other choices (pgo doctor's build without profiles) analyses every target afresh:
   * a target's configuration, so its nodes, depend on them.
   */
  get command(): RootContext | undefined {
    return this.rc;
  }
  set command(rc: RootContext | undefined) {
    if (rc === this.rc) return;
    this.rc = rc;
    this.targets.clear();
    this.done.clear();
    this.used.clear();
  }

  /**
   * The root node of a target of a rule on the public API (a TypeScript rule's, go_library's…):
   * the Go node it stands for (a compile, a link, a test run), else its first action; undefined
   * when it declares none (it only gives files of the workspace, as a filegroup).
   */
  async rootNode(target: DeclaredTarget): Promise<Result<string | undefined, AnalysisFailure[]>> {
    const analysed = await this.analyse(target);
    if (!analysed.ok) return analysed;
    this.use(labelOf(target));
    return ok(analysed.value.goRoot ?? analysed.value.nodes[0]?.id);
  }

  /**
   * Puts a target's action nodes (and those of the user-rule targets it reads) into the graph.
   * Analysing a target does not: finding which target declares a file runs implementations
   * whose actions nothing may need, and the build runs every node of the graph.
   */
  private use(label: string): void {
    if (this.used.has(label)) return;
    this.used.add(label);
    const analysed = this.done.get(label);
    if (analysed === undefined || !analysed.ok)
      throw new Error(`bug: ${label} used before analysed`);
    for (const n of analysed.value.nodes) this.ctx.nodes.set(n.id, n);
    for (const dep of analysed.value.uses) this.use(dep);
  }

  /** Ends the call-chain tracking of {@link building} once no analysis is under way. */
  endConstruction(): void {
    this.building.disable();
  }

  /**
   * The target after its implementation ran (once per command and role): in its own
   * configuration, or `asTool`, built for the host (see {@link hostTool}).
   */
  analyse(
    target: DeclaredTarget,
    asTool = false,
  ): Promise<Result<UserRuleTarget, AnalysisFailure[]>> {
    const label = labelOf(target);
    const key = analysisKey(target, asTool);
    const chain = this.building.getStore() ?? [];
    if (chain.includes(label))
      return Promise.resolve(
        err([
          failure(
            'dependency-cycle',
            target.span,
            `rule cycle: ${[...chain.slice(chain.indexOf(label)), label].join(' -> ')}`,
          ),
        ]),
      );
    let pending = this.targets.get(key);
    if (pending === undefined) {
      const inner = [...chain, label];
      pending = this.building
        .run(inner, () => this.run(target, asTool))
        .then((r) => {
          this.done.set(key, r);
          return r;
        });
      this.targets.set(key, pending);
    }
    return pending;
  }

  /**
   * An executable target as a tool that another target's action runs (a genrule's `tools`, a
   * label attribute of a rule): analysed in the host configuration, without its rule's
   * transition (PGO off, no gotags), as Bazel builds tools in the exec configuration, with its
   * outputs under `pgobuild-out/host/bin/`; the tool is its first DefaultInfo file. Its nodes
   * join the graph now, or, with `uses`, with the user-rule target being analysed.
   */
  async hostTool(
    target: DeclaredTarget,
    uses?: Set<string>,
  ): Promise<Result<GenericInput, AnalysisFailure[]>> {
    const analysed = await this.analyse(target, true);
    if (!analysed.ok) return analysed;
    const program = analysed.value.files[0]?.input;
    if (program === undefined)
      return err([
        failure(
          'wrong-target-kind',
          target.span,
          `${shortLabel(target)} gives no file to run as a tool: its first DefaultInfo file is what runs`,
        ),
      ]);
    const key = analysisKey(target, true);
    if (uses !== undefined) uses.add(key);
    else this.use(key);
    return ok(program.kind === 'node-output' ? { ...program, executable: true } : program);
  }

  /**
   * What another target's `srcs` entry naming this target, or one of its files, stands for: its
   * DefaultInfo files (or the one named), as action inputs. Undefined when `name` in `pkg` is no
   * user-rule target and no file one declares.
   */
  async filesNamed(
    pkg: string,
    name: string,
    /** Where a user-rule target being analysed collects what it reads (else: in the graph now). */
    uses?: Set<string>,
  ): Promise<Result<{ paths: string[]; inputs: GenericInput[] }, AnalysisFailure[]> | undefined> {
    const loaded = await this.ctx.loader.load(pkg);
    if (!loaded.ok || loaded.value === undefined) return undefined;
    const ruleDir = ruleDirOf(pkg);
    const targets = [...loaded.value.targets.values()];
    const named = loaded.value.targets.get(name);
    const predeclaring =
      named === undefined
        ? targets.find((t) => outputNames(t).some((o) => o.value === name))
        : undefined;
    const owner = named ?? predeclaring;
    let candidates: DeclaredTarget[];
    if (owner !== undefined) candidates = [owner];
    else {
      // Which files a TypeScript rule's target declares is otherwise its implementation's answer:
      // run them (not the targets being analysed, which cannot read their own outputs, nor those
      // of rules with the Go toolchain, whose Go actions join the graph when they run: their files
      // are named by the target's label). Built-in rules declare no other files than their output
      // attributes' (genrule's outs).
      candidates = targets.filter(
        (t) =>
          t.rule.user !== undefined &&
          !(this.building.getStore() ?? []).includes(labelOf(t)) &&
          !usesGoToolchain(t.rule),
      );
      // A source file of the package is what its name stands for: no rule needs to run to know
      // it (stat only when some would: every Go source of every package comes through here).
      if (candidates.length > 0 && isFile(path.join(this.ctx.root, pkg, name))) return undefined;
    }
    for (const t of candidates) {
      if (!runsForFiles(t.rule)) continue;
      const analysed = await this.analyse(t);
      if (!analysed.ok) return analysed;
      const refs =
        t === named
          ? analysed.value.files
          : analysed.value.files.filter((f) => f.file.path === `${ruleDir}/${name}`);
      if (t !== named && refs.length === 0) continue;
      if (uses !== undefined) uses.add(labelOf(t));
      else this.use(labelOf(t));
      const inputs = refs.flatMap((r) => (r.input === undefined ? [] : [r.input]));
      return ok({ paths: refs.map((r) => r.file.path), inputs });
    }
    return undefined;
  }

  /**
   * The generated sources a Go target's `srcs` entry `rel` stands for when it names a user-rule
   * target of its package (its DefaultInfo files) or a file one declares: produced during
   * analysis and read like genrule outs. Undefined for any other entry.
   */
  async generatedSources(
    target: DeclaredTarget,
    rel: string,
    span: SourceSpan,
  ): Promise<Result<ReadSource[], AnalysisFailure> | undefined> {
    const named = await this.filesNamed(target.pkg, rel);
    if (named === undefined) return undefined;
    if (!named.ok) return err(named.failure[0] as AnalysisFailure);
    // Generated files are produced and read from the cache; source files a rule passes on (as a
    // filegroup does) are read like srcs, and must be in the Go package's own directory.
    const files: ReadSource[] = [];
    for (const input of named.value.inputs) {
      if (input.kind === 'node-output') {
        const made = await readGenerated(
          this.ctx,
          [{ nodeId: input.nodeId, paths: [input.path] }],
          span,
          labelOf({ pkg: target.pkg, name: rel }),
        );
        if (!made.ok) return made;
        files.push(...made.value);
        continue;
      }
      if (input.kind !== 'file' || path.posix.dirname(input.path) !== (target.pkg || '.'))
        return err(
          failure(
            'wrong-target-kind',
            span,
            `'${rel}' gives ${input.path}, which is not a file of package ${target.pkg === '' ? '//' : `//${target.pkg}`}: a Go package's sources are in its directory`,
          ),
        );
      const read = await this.ctx.reader.read(input.path);
      if (!read.ok)
        return err(failure('missing-source', span, `cannot read ${input.path}: ${read.failure}`));
      files.push(read.value);
    }
    return ok(files);
  }

  private async run(
    target: DeclaredTarget,
    asTool: boolean,
  ): Promise<Result<UserRuleTarget, AnalysisFailure[]>> {
    const rule = target.rule;
    const definition = apiRuleOf(rule);
    if (definition === undefined) throw new Error(`bug: ${rule.name} is not a public-API rule`);
    const ruleFile = rule.user?.file;
    const config = asTool
      ? ok(configuration(this.ctx.defaultConfig.platform))
      : await this.configurationOf(target, definition.cfg);
    if (!config.ok) return config;
    const goToolchain = usesGoToolchain(rule);
    const owner = shortLabel(target);
    const ruleDir = asTool ? hostRuleDirOf(target.pkg) : ruleDirOf(target.pkg);
    const attrs: Record<string, unknown> = { name: target.name };
    const files: Record<string, readonly api.File[]> = {};
    const single: Record<string, api.File | undefined> = {};
    const outputs: Record<string, api.File | readonly api.File[] | undefined> = {};
    const refs = new Map<api.File, FileRef>();
    /** The paths each label of the label attributes stands for, for `$(location …)`. */
    const locations = new Map<string, readonly string[]>();
    const uses = new Set<string>();
    const failures: AnalysisFailure[] = [];
    // The files the target makes: its output attributes' now, then the implementation's.
    const declared = new Map<string, api.File>();
    /** Declares output `name` of the target, or says why it cannot be one. */
    const declare = (name: string): api.File | string => {
      const problem = outProblem(name);
      if (problem !== undefined) return problem;
      const p = `${ruleDir}/${name}`;
      if (declared.has(p)) return `'${name}' is declared twice`;
      const f: api.File = Object.freeze({
        path: p,
        shortPath: target.pkg === '' ? name : `${target.pkg}/${name}`,
        basename: path.posix.basename(name),
        isSource: false,
        owner: labelOf(target),
      });
      declared.set(p, f);
      return f;
    };

    for (const [name, spec] of Object.entries(definition.attrs)) {
      const value = target.attrs.get(name);
      const goPackage = goToolchain && GO_PACKAGE_ATTRS.has(name);
      if (
        (spec.kind === 'label' || spec.kind === 'labelList') &&
        goPackage &&
        rule.user === undefined
      ) {
        // go(ctx) reads it; a built-in rule's implementation does not (no need to resolve it).
      } else if (spec.kind === 'label' || spec.kind === 'labelList') {
        const written = labelsOf(value, spec, target.span);
        const resolved: api.Target[] = [];
        for (const { label, span } of written) {
          const t = goPackage
            ? await this.goPackageAttr(target, name, spec, label, span, config.value)
            : await this.targetOf(target, name, spec, label, span, uses, config.value);
          if (!t.ok) {
            failures.push(...t.failure);
            continue;
          }
          for (const r of t.value.refs) refs.set(r.file, r);
          resolved.push(t.value.target);
          locations.set(
            t.value.target.label,
            t.value.target.files.map((f) => f.path),
          );
        }
        attrs[name] = spec.kind === 'label' ? resolved[0] : resolved;
        files[name] = resolved.flatMap((t) => t.files);
        if (spec.kind === 'label') single[name] = resolved[0]?.files[0];
      } else if (spec.kind === 'output' || spec.kind === 'outputList') {
        // Predeclared outputs: declared before the implementation runs, which must write them.
        attrs[name] = plainValue(value, spec);
        const made: api.File[] = [];
        for (const entry of namesWritten(value)) {
          const f = declare(entry.value);
          if (typeof f === 'string')
            failures.push(failure('bad-attribute', entry.span, `${owner}: ${name}: ${f}`));
          else made.push(f);
        }
        outputs[name] = spec.kind === 'output' ? made[0] : Object.freeze(made);
      } else {
        attrs[name] = plainValue(value, spec);
      }
    }
    if (failures.length > 0) return err(failures);

    // What the implementation declares; checked and turned into nodes once it returns.
    const producers = new Map<string, string>();
    const nodes: GenericActionNode[] = [];
    const ruleInputs: GenericInput[] =
      ruleFile === undefined
        ? []
        : [
            {
              kind: 'file',
              path: ruleFile.file,
              absPath: ruleFile.absPath,
              digest: ruleFile.digest,
            },
          ];
    const inputOf = (f: api.File, what: string): GenericInput => {
      const ref = refs.get(f);
      if (ref?.input !== undefined) {
        for (const label of ref.usedBy ?? []) uses.add(label);
        return ref.input;
      }
      const producer = producers.get(f.path);
      if (declared.get(f.path) === f && producer !== undefined)
        return { kind: 'node-output', path: f.path, nodeId: producer, output: f.path };
      if (declared.get(f.path) === f)
        throw new RuleError(`${what} ${f.shortPath} is declared but made by no earlier action`);
      throw new RuleError(
        `${what} ${f.path} is not a file of this target's attributes or declared outputs`,
      );
    };
    const addNode = (
      argv: readonly string[],
      inputs: GenericInput[],
      outputs: readonly api.File[],
      env: Readonly<Record<string, string>>,
      mnemonic: string,
      description: string,
    ): void => {
      const outs: string[] = [];
      for (const o of outputs) {
        if (declared.get(o.path) !== o)
          throw new RuleError(`output ${o.path} was not declared by ctx.actions.declareFile`);
        if (producers.has(o.path))
          throw new RuleError(`output ${o.shortPath} is written by two actions`);
        outs.push(o.path);
      }
      if (outs.length === 0) throw new RuleError('an action must declare at least one output');
      const id = `rule:${analysisKey(target, asTool)}#${nodes.length}`;
      for (const o of outs) producers.set(o, id);
      nodes.push({
        kind: 'generic',
        id,
        owner,
        mnemonic,
        description,
        argv,
        env,
        inputs: dedupe([...ruleInputs, ...inputs]),
        outputs: outs,
        // A tool's outputs stay in the cache: the workspace gets the target's own.
        placeAt: asTool ? [] : outs,
      });
    };
    const actions: api.Actions = {
      declareFile: (name) => {
        const f = declare(name);
        if (typeof f === 'string') throw new RuleError(`declareFile: ${f}`);
        return f;
      },
      write: (file, content, opts) => {
        if (typeof content !== 'string') throw new RuleError('write: content must be a string');
        const staged = `_write/${file.path}`;
        const mode = opts?.isExecutable === true ? '0755' : '0644';
        addNode(
          [`\${EXECROOT}/${HOST_TOOLS}${WRITE_TOOL}`, '-m', mode, staged, file.path],
          [
            { kind: 'host-tool', path: `${HOST_TOOLS}${WRITE_TOOL}`, absPath: WRITE_TOOL },
            { kind: 'content', path: staged, content },
          ],
          [file],
          ACTION_ENV,
          'FileWrite',
          `${owner} ${file.shortPath}`,
        );
      },
      run: (args) => {
        const mnemonic = args.mnemonic ?? 'Action';
        if (!MNEMONIC.test(mnemonic))
          throw new RuleError(`run: mnemonic '${mnemonic}' must be a CamelCase word`);
        const inputs: GenericInput[] = [];
        let program: string;
        if (typeof args.executable === 'string') {
          if (!path.posix.isAbsolute(args.executable))
            throw new RuleError(
              `run: executable '${args.executable}' must be a File or an absolute host path`,
            );
          program = `${HOST_TOOLS}${args.executable}`;
          inputs.push({ kind: 'host-tool', path: program, absPath: args.executable });
        } else {
          const tool = inputOf(args.executable, 'run: executable');
          inputs.push(tool.kind === 'node-output' ? { ...tool, executable: true } : tool);
          program = tool.path;
        }
        for (const f of args.inputs ?? []) inputs.push(inputOf(f, 'run: input'));
        for (const f of args.tools ?? []) {
          const tool = inputOf(f, 'run: tool');
          inputs.push(tool.kind === 'node-output' ? { ...tool, executable: true } : tool);
        }
        for (const a of args.arguments ?? [])
          if (typeof a !== 'string') throw new RuleError('run: arguments must be strings');
        addNode(
          [`\${EXECROOT}/${program}`, ...(args.arguments ?? [])],
          inputs,
          args.outputs,
          { ...ACTION_ENV, ...(args.env ?? {}) },
          mnemonic,
          args.progressMessage ?? owner,
        );
      },
    };
    const toolchain = goToolchain
      ? new GoToolchain(
          {
            resolver: this.resolver,
            compiles: this.compiles,
            links: this.links,
            tests: this.tests,
          },
          target,
          config.value,
          definition.executable === true && definition.test !== true,
          this.command?.testRun,
          (file, nodeId) =>
            refs.set(file, { file, input: { kind: 'node-output', path: file.path, nodeId } }),
          asTool,
        )
      : undefined;
    const outRoot = asTool ? hostRuleDirOf('') : ruleDirOf('');
    const makeVariables: api.MakeVariables = Object.freeze({
      GOOS: config.value.platform.goos,
      GOARCH: config.value.platform.goarch,
      BINDIR: outRoot,
      GENDIR: outRoot,
    });
    const expand = (
      attribute: string,
      text: string,
      substitutions: Readonly<Record<string, string>> = {},
    ): string => {
      if (typeof text !== 'string')
        throw new RuleError('expandMakeVariables: text must be a string');
      const expanded = expandMakeVariables(text, {
        locate: (label) => {
          const parsed = parseLabel(label, target.pkg);
          return parsed.ok ? locations.get(labelOf(parsed.value)) : undefined;
        },
        labelAttrs: Object.entries(definition.attrs)
          .filter(([, a]) => a.kind === 'label' || a.kind === 'labelList')
          .map(([name]) => name),
        variables: { ...makeVariables, ...substitutions },
      });
      if (!expanded.ok) throw new ExpansionFailure(attribute, text, expanded.failure);
      return expanded.value;
    };
    const context = Object.freeze({
      label: labelOf(target),
      attr: Object.freeze(attrs),
      files: Object.freeze(files),
      file: Object.freeze(single),
      outputs: Object.freeze(outputs),
      var: makeVariables,
      expandMakeVariables: expand,
      actions: Object.freeze(actions),
      toolchains: Object.freeze(toolchain === undefined ? {} : { go: toolchain }),
    }) as unknown as api.RuleContext<api.Attrs>;

    let providers: readonly api.Provider[];
    try {
      providers = await definition.implementation(context);
    } catch (e) {
      if (e instanceof GoAnalysisFailures) return err(e.failures);
      if (e instanceof ExpansionFailure) return err([e.at(this.ctx.root, target)]);
      if (e instanceof api.RuleFailure) {
        const span =
          (e.attr === undefined ? undefined : target.attrs.get(e.attr)?.span) ?? target.span;
        return err([failure('bad-attribute', span, `${owner}: ${e.message}`)]);
      }
      // A built-in rule's exception is a bug in pgobuild (the command's boundary reports it).
      if (ruleFile === undefined) throw e;
      return err([implementationFailure(target, ruleFile, e)]);
    }
    if (!Array.isArray(providers))
      return err([
        failure(
          'bad-attribute',
          target.span,
          `${owner}: the implementation of ${rule.name} must return a list of providers`,
        ),
      ]);
    const unproduced = [...declared.values()].filter((f) => !producers.has(f.path));
    const first = unproduced[0];
    if (first !== undefined)
      return err([
        failure(
          'bad-attribute',
          target.span,
          `${owner}: ${rule.name} declared ${first.shortPath} but no action writes it`,
        ),
      ]);

    const defaultInfo = providers.find((p): p is api.DefaultInfo => p.provider === 'DefaultInfo');
    const outFiles: FileRef[] = [];
    try {
      for (const f of defaultInfo?.files ?? [...declared.values()])
        outFiles.push({ file: f, input: inputOf(f, 'DefaultInfo: file') });
    } catch (e) {
      return err([implementationFailure(target, ruleFile, e)]);
    }
    const missing = definition.provides?.find((p) => !providers.some((q) => q.provider === p));
    if (missing !== undefined)
      return err([
        failure(
          'bad-attribute',
          target.span,
          `${owner}: ${rule.name} declares provides: ['${missing}'] but its implementation returned none`,
        ),
      ]);
    const goArchive = providers.find((p): p is api.GoArchiveInfo => p.provider === 'GoArchiveInfo');
    return ok({
      files: outFiles,
      ...(goArchive !== undefined ? { goArchive } : {}),
      nodes,
      uses: [...uses],
      ...(toolchain?.root !== undefined ? { goRoot: toolchain.root } : {}),
    });
  }

  /** The configuration a target of a rule with `cfg` (or without) is built in. */
  private async configurationOf(
    target: DeclaredTarget,
    cfg: api.Transition | undefined,
  ): Promise<Result<Configuration, AnalysisFailure[]>> {
    if (cfg === undefined) return ok(this.command?.defaultConfig ?? this.ctx.defaultConfig);
    if (this.command === undefined)
      throw new Error(`bug: ${labelOf(target)} analysed outside a command`);
    return transitionConfig(target, cfg, this.command);
  }

  /**
   * What one label of a Go package attribute (`srcs`, `deps`, `embed`, `embedsrcs`, `data`,
   * `pgoprofile`) of a TypeScript rule with the Go toolchain stands for in `ctx.attr`, declaring
   * nothing: `go(ctx)` builds the package from these attributes as go build would, and the build
   * runs every node of the graph. A Go package (`deps`, `embed`, a target of a rule with the Go
   * toolchain or a program) gives its label only, since compiling it alone would add a compile
   * go(ctx) may not need (a test's embedded library). Files give themselves, and generated ones
   * join the graph only if an action of the implementation reads them (a go_test's `data` is
   * made by `pgobuild test`, not by a build).
   */
  private async goPackageAttr(
    target: DeclaredTarget,
    attr: string,
    spec: api.Attr,
    text: string,
    span: SourceSpan,
    config: Configuration,
  ): Promise<Result<{ target: api.Target; refs: FileRef[] }, AnalysisFailure[]>> {
    const parts = parseLabel(text, target.pkg);
    if (!parts.ok) return err([failure('bad-label', span, parts.failure.message)]);
    const labelOnly = ok({
      target: Object.freeze({ label: labelOf(parts.value), files: Object.freeze([]) }),
      refs: [],
    });
    if (attr === 'deps' || attr === 'embed' || parts.value.repo !== undefined) return labelOnly;
    const loaded = await this.ctx.loader.load(parts.value.pkg);
    const dep = loaded.ok ? loaded.value?.targets.get(parts.value.name) : undefined;
    if (dep !== undefined && (usesGoToolchain(dep.rule) || isExecutableRule(dep.rule)))
      return labelOnly;
    const deferred = new Set<string>();
    const resolved = await this.targetOf(target, attr, spec, text, span, deferred, config);
    if (!resolved.ok) return resolved;
    const usedBy = [...deferred];
    return ok({
      target: resolved.value.target,
      refs: resolved.value.refs.map((r) => ({ ...r, usedBy })),
    });
  }

  /** What one label of a label attribute stands for. */
  private async targetOf(
    target: DeclaredTarget,
    attr: string,
    spec: api.Attr,
    text: string,
    span: SourceSpan,
    uses: Set<string>,
    /** The configuration of the rule whose attribute this is. */
    config: Configuration,
  ): Promise<Result<{ target: api.Target; refs: FileRef[] }, AnalysisFailure[]>> {
    const parts = parseLabel(text, target.pkg);
    if (!parts.ok) return err([failure('bad-label', span, parts.failure.message)]);
    if (parts.value.repo !== undefined)
      return err([
        failure('bad-label', span, `${attr}: '${text}' names a module repository; not supported`),
      ]);
    const { pkg, name } = parts.value;
    const label = labelOf(parts.value);
    const loaded = await this.ctx.loader.load(pkg);
    if (!loaded.ok) return err([loaded.failure]);
    const dep = loaded.value?.targets.get(name);
    const made = (refs: FileRef[], goArchive?: api.GoArchiveInfo) =>
      ok({
        target: Object.freeze({
          label,
          files: Object.freeze(refs.map((r) => r.file)),
          ...(goArchive !== undefined ? { goArchive } : {}),
        }),
        refs,
      });
    const generated = (paths: readonly string[], inputs: readonly GenericInput[]): FileRef[] =>
      paths.map((p, i) => ({ file: outputFile(p, label), input: inputs[i] }));

    // A program (go_binary, a workspace rule's executable target) is a tool: built for the host.
    if (dep !== undefined && isExecutableRule(dep.rule)) {
      const tool = await this.hostTool(dep, uses);
      if (!tool.ok) return tool;
      return made(generated([tool.value.path], [tool.value]));
    }
    if (dep !== undefined && runsForFiles(dep.rule)) {
      const analysed = await this.analyse(dep);
      if (!analysed.ok) return analysed;
      uses.add(labelOf(dep));
      return made([...analysed.value.files], analysed.value.goArchive);
    }
    if (dep !== undefined && providesGoArchive(dep.rule)) {
      const pkgInfo = await this.resolver.resolve(dep, config.tags);
      if (!pkgInfo.ok) return pkgInfo;
      const compiled = await this.compiles.compileNode(pkgInfo.value, config);
      if (!compiled.ok) return compiled;
      const p = path.posix.join('pgobuild-out', 'pkg', dep.pkg, `${dep.name}.a`);
      const refs = generated([p], [{ kind: 'node-output', path: p, nodeId: compiled.value }]);
      const archive = refs[0]?.file as api.File;
      return made(refs, api.GoArchiveInfo({ importPath: pkgInfo.value.importPath, archive }));
    }
    if (dep !== undefined)
      return err([
        failure(
          'wrong-target-kind',
          span,
          `${attr}: ${shortLabel(dep)} is a ${dep.rule.name}, which gives no files to a rule`,
        ),
      ]);
    // A file a user rule of that package declares.
    const declared = await this.filesNamed(pkg, name, uses);
    if (declared !== undefined) {
      if (!declared.ok) return declared;
      return made(generated(declared.value.paths, declared.value.inputs));
    }
    // A source file.
    if (spec.allowFiles === undefined || spec.allowFiles === false)
      return err([
        failure(
          'wrong-target-kind',
          span,
          `${attr}: '${text}' is no target of ${pkg === '' ? 'the root package' : `//${pkg}`}, and ${target.rule.name}.${attr} takes no files (allowFiles)`,
        ),
      ]);
    if (Array.isArray(spec.allowFiles) && !spec.allowFiles.some((ext) => name.endsWith(ext)))
      return err([
        failure(
          'wrong-target-kind',
          span,
          `${attr}: '${text}' is not one of ${spec.allowFiles.join(', ')} (allowFiles)`,
        ),
      ]);
    const input = await sourceFileInput(
      this.ctx,
      pkg,
      name,
      span,
      `${attr} of ${shortLabel(target)}`,
    );
    if (!input.ok) return input;
    const rel = input.value.path;
    const file: api.File = Object.freeze({
      path: rel,
      shortPath: rel,
      basename: path.posix.basename(rel),
      isSource: true,
      owner: label,
    });
    return made([{ file, input: input.value }]);
  }
}

/** An implementation's own error (a thrown {@link RuleError} or a bug in the rule). */
class RuleError extends Error {}

/** A substitution `ctx.expandMakeVariables` could not expand: an error at the attribute. */
class ExpansionFailure extends Error {
  constructor(
    readonly attribute: string,
    readonly text: string,
    readonly problem: ExpansionProblem,
  ) {
    super(problem.message);
  }

  /**
   * The failure at the attribute's place in `target`'s BUILD file: at the substitution when
   * `text` is the attribute's value as written on one line, else at the attribute (or target).
   */
  at(root: string, target: DeclaredTarget): AnalysisFailure {
    const written = target.attrs.get(this.attribute);
    const span =
      written?.type === 'string' && written.value === this.text
        ? problemSpan(root, written.span, this.text, this.problem)
        : (written?.span ?? target.span);
    return failure(
      'bad-attribute',
      span,
      `${shortLabel(target)}: ${this.attribute}: ${this.problem.message}`,
    );
  }
}

/**
 * Whether a target of `rule` is analysed, by running its implementation, when another target
 * names it or its files: every rule's but the built-in Go rules', whose targets other targets
 * compile from their attributes (as rules_go's GoInfo).
 */
function runsForFiles(rule: DeclaredTarget['rule']): boolean {
  return rule.user !== undefined || !usesGoToolchain(rule);
}

/** The file names written for a target's output attributes (genrule's `outs`), with spans. */
function outputNames(
  t: DeclaredTarget,
): readonly { readonly value: string; readonly span: SourceSpan }[] {
  const rule = apiRuleOf(t.rule);
  if (rule === undefined) return [];
  return Object.entries(rule.attrs)
    .filter(([, a]) => a.kind === 'output' || a.kind === 'outputList')
    .flatMap(([name]) => namesWritten(t.attrs.get(name)));
}

/** The file names an output attribute's value holds, with spans. */
function namesWritten(
  value: AttrValue | undefined,
): readonly { readonly value: string; readonly span: SourceSpan }[] {
  if (value?.type === 'string') return [{ value: value.value, span: value.span }];
  return value?.type === 'string_list' ? value.value : [];
}

/**
 * The labels written for a label attribute, or its default's (whose errors point at the target,
 * `at`, since the BUILD file does not write them).
 */
function labelsOf(
  value: AttrValue | undefined,
  spec: api.Attr,
  at: SourceSpan,
): { label: string; span: SourceSpan }[] {
  if (value?.type === 'label') return [{ label: value.value, span: value.span }];
  if (value?.type === 'label_list')
    return value.value.map((v) => ({ label: v.value, span: v.span }));
  const fallback = spec.default;
  if (typeof fallback === 'string') return [{ label: fallback, span: at }];
  if (Array.isArray(fallback))
    return (fallback as readonly string[]).map((label) => ({ label, span: at }));
  return [];
}

/** The value of a non-label attribute as `ctx.attr` gives it, or its default. */
function plainValue(value: AttrValue | undefined, spec: api.Attr): unknown {
  if (value === undefined) {
    const fallback = spec.default;
    if (fallback !== undefined) return fallback;
    switch (spec.kind) {
      case 'string':
      case 'output':
        return '';
      case 'int':
        return 0;
      case 'bool':
        return false;
      case 'stringList':
      case 'labelList':
      case 'outputList':
        return Object.freeze([]);
      case 'stringDict':
        return Object.freeze({});
      case 'label':
        return undefined;
      default:
        return unreachable(spec.kind);
    }
  }
  switch (value.type) {
    case 'string':
    case 'int':
    case 'bool':
      return value.value;
    case 'string_list':
      return Object.freeze(value.value.map((v) => v.value));
    case 'string_dict':
      return Object.freeze(Object.fromEntries(value.value.map((e) => [e.key, e.value])));
    case 'label':
    case 'label_list':
      // Label attributes are resolved to targets, not read here.
      return undefined;
    default:
      return unreachable(value);
  }
}

function outputFile(p: string, owner: string): api.File {
  const shortPath = p.replace(/^pgobuild-out\/(bin|host\/bin|pkg)\//, '');
  return Object.freeze({
    path: p,
    shortPath,
    basename: path.posix.basename(p),
    isSource: false,
    owner,
  });
}

/** The inputs with each exec-root path once (the first wins: the rule file, then the tool). */
function dedupe(inputs: readonly GenericInput[]): GenericInput[] {
  const byPath = new Map<string, GenericInput>();
  for (const input of inputs) if (!byPath.has(input.path)) byPath.set(input.path, input);
  return [...byPath.values()];
}

/** Why a declared file name is not a clean path inside the package, or undefined. */
function outProblem(name: string): string | undefined {
  if (typeof name !== 'string' || name === '') return 'a file name must be a non-empty string';
  return packagePathProblem(name);
}

/**
 * A failure of the implementation: at the rule file's line and column where it was thrown when
 * the stack names that file, else at the target.
 */
function implementationFailure(
  target: DeclaredTarget,
  ruleFile: { readonly absPath: string; readonly file: string } | undefined,
  e: unknown,
): AnalysisFailure {
  const message = e instanceof Error ? e.message : String(e);
  const stack = e instanceof Error ? (e.stack ?? '') : '';
  const at =
    ruleFile === undefined
      ? null
      : new RegExp(`${ruleFile.absPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+)`).exec(
          stack,
        );
  const span: SourceSpan =
    at === null || ruleFile === undefined
      ? target.span
      : { file: ruleFile.file, line: Number(at[1]), col: Number(at[2]), endCol: Number(at[2]) + 1 };
  return failure(
    'bad-attribute',
    span,
    `${shortLabel(target)}: the implementation of ${target.rule.name} failed: ${message}`,
  );
}

function failure(reason: AnalysisReason, span: SourceSpan, message: string): AnalysisFailure {
  return diagnosticFailure(reason, { severity: 'error', span, message, sourceLine: '' });
}
